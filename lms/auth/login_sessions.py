"""Login sessions (``UserSession``): started at sign-in, kept alive by the heartbeat, closed by
sign-out, by "sign out everywhere else", or by the expiry job after the organization's timeout.

The id of the browser's login session lives in the (signed) Flask session cookie under
``LOGIN_SESSION_KEY``; the user loader checks it on every request (one joined SELECT), so a
browser whose login session has ended is signed out at its next request.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import g, has_request_context, request, session
from flask_babel import gettext as _
from sqlalchemy import and_, insert, literal, select, text, update

from lms.audit.models import AuditLog
from lms.auth.models import EndReason, User, UserSession
from lms.common.sql import seconds_between
from lms.common.types import UTCDateTime, utcnow
from lms.core.models import Organization
from lms.core.organization import current_organization
from lms.extensions import db

LOGIN_SESSION_KEY = "lms_login_session"
DEFAULT_TIMEOUT_MINUTES = 10


def _client() -> tuple[str | None, str | None]:
    if not has_request_context():
        return None, None
    agent = request.headers.get("User-Agent") or None
    return request.remote_addr, agent[:512] if agent else None


def start_login_session(user: User) -> UserSession:
    """A new open login session for ``user`` from this request's browser (id kept in the cookie)."""
    now = utcnow()
    ip, agent = _client()
    login_session = UserSession(user_id=user.id, started_at=now, last_active_at=now, ip=ip, user_agent=agent)
    db.session.add(login_session)
    db.session.flush()
    if has_request_context():
        session[LOGIN_SESSION_KEY] = login_session.id
    return login_session


def current_login_session_id() -> int | None:
    value = session.get(LOGIN_SESSION_KEY) if has_request_context() else None
    return value if isinstance(value, int) else None


def _end_values(reason: str, now: datetime, *, to_now: bool) -> dict:
    """SET values ending sessions; the duration is computed from each row by the database."""
    if to_now:  # the user is here right now (sign-out): the session runs to this moment
        return {"ended_at": now, "last_active_at": now, "end_reason": reason,
                "duration_seconds": seconds_between(literal(now, UTCDateTime()), UserSession.started_at)}
    return {"ended_at": UserSession.last_active_at, "end_reason": reason,
            "duration_seconds": seconds_between(UserSession.last_active_at, UserSession.started_at)}


def end_login_session(login_session_id: int | None, reason: str = EndReason.LOGOUT) -> int:
    """End one open login session (sign-out); returns the number of rows ended (0 or 1)."""
    if not login_session_id:
        return 0
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.id == login_session_id, UserSession.ended_at.is_(None))
        .values(**_end_values(reason, utcnow(), to_now=reason == EndReason.LOGOUT))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def end_user_login_sessions(user: User, *, except_id: int | None = None,
                            reason: str = EndReason.REVOKED) -> int:
    """End every open login session of ``user`` (but ``except_id``); their durations run to their
    last activity.  The caller also bumps ``user.login_version`` so remembered cookies die too."""
    stmt = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if except_id:
        stmt = stmt.where(UserSession.id != except_id)
    result = db.session.execute(
        stmt.values(**_end_values(reason, utcnow(), to_now=False)).execution_options(synchronize_session=False)
    )
    return result.rowcount


def touch_login_session(user_id: int, login_session_id: int, timeout_minutes: int | None = None) -> bool:
    """The heartbeat: one UPDATE of ``last_active_at``; False when the session is ended or stale.

    On PostgreSQL the transaction commits without waiting for its WAL flush
    (``synchronous_commit`` off for this transaction only): a crash of the database server could lose
    the last fraction of a second of heartbeats — a login session then looks a moment shorter — and
    the heartbeat, the most frequent request of all, no longer waits for the disk.
    """
    now = utcnow()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    stmt = update(UserSession).where(
        UserSession.id == login_session_id,
        UserSession.user_id == user_id,
        UserSession.ended_at.is_(None),
    )
    if timeout_minutes:
        stmt = stmt.where(UserSession.last_active_at >= now - timedelta(minutes=timeout_minutes))
    result = db.session.execute(stmt.values(last_active_at=now).execution_options(synchronize_session=False))
    return result.rowcount == 1


def close_inactive_login_sessions(now: datetime | None = None, timeout_minutes: int | None = None) -> int:
    """Close, in ONE UPDATE, every open login session idle for longer than the timeout.

    ``ended_at`` and the duration run to the last heartbeat (``last_active_at``), not to now.
    Each closed session gets one audit entry (``user.session_expired``, the user as actor), written
    in one INSERT.  Returns the number of sessions closed.  The caller commits.
    """
    if timeout_minutes is None:
        timeout_minutes = current_organization().session_timeout_minutes or DEFAULT_TIMEOUT_MINUTES
    now = now or utcnow()
    cutoff = now - timedelta(minutes=timeout_minutes)
    closed = db.session.execute(
        update(UserSession)
        .where(UserSession.ended_at.is_(None), UserSession.last_active_at < cutoff)
        .values(**_end_values(EndReason.EXPIRED, now, to_now=False))
        .returning(UserSession.id, UserSession.user_id, UserSession.ip, UserSession.last_active_at)
        .execution_options(synchronize_session=False)
    ).all()
    if closed:
        db.session.execute(insert(AuditLog), [
            {"actor_id": user_id, "action": "user.session_expired", "entity_type": "User", "entity_id": user_id,
             "ip": ip, "created_at": now,
             "details": {"login_session_id": session_id, "last_active_at": last_active.isoformat(),
                         "timeout_minutes": timeout_minutes}}
            for session_id, user_id, ip, last_active in closed])
    return len(closed)


# --- the user loader's view of the login session --------------------------------------


def load_user_with_login_session(user_id: int, login_session_id: int | None):
    """``(user, login_session_state)`` in one SELECT.

    ``login_session_state`` is None without a login session id, else a tuple
    ``(found, ended_at, end_reason, last_active_at, timeout_minutes)``.
    """
    if login_session_id is None:
        return db.session.get(User, user_id), None

    timeout = (select(Organization.session_timeout_minutes).order_by(Organization.id).limit(1)
               .scalar_subquery())
    row = db.session.execute(
        select(User, UserSession.id, UserSession.ended_at, UserSession.end_reason,
               UserSession.last_active_at, timeout)
        .outerjoin(UserSession, and_(UserSession.id == login_session_id, UserSession.user_id == User.id))
        .where(User.id == user_id)
    ).first()
    if row is None:
        return None, None
    user, found, ended_at, end_reason, last_active_at, timeout_minutes = row
    return user, (found is not None, ended_at, end_reason, last_active_at,
                  timeout_minutes or DEFAULT_TIMEOUT_MINUTES)


def login_session_is_live(state) -> tuple[bool, str | None]:
    """Whether the loaded login session may go on; with the reason it may not."""
    found, ended_at, end_reason, last_active_at, timeout_minutes = state
    if not found:
        return False, EndReason.REVOKED
    if ended_at is not None:
        return False, end_reason
    if last_active_at < utcnow() - timedelta(minutes=timeout_minutes):
        return False, EndReason.EXPIRED  # the job will close it with the right duration
    g.lms_login_session_timeout = timeout_minutes
    return True, None


# --- lists ----------------------------------------------------------------------------


def login_sessions_of(user: User, limit: int = 20) -> list[UserSession]:
    """The user's recent login sessions, open ones first, newest first."""
    return list(db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id)
        .order_by(UserSession.ended_at.is_not(None), UserSession.started_at.desc(), UserSession.id.desc())
        .limit(limit)
    ))


def describe_device(user_agent: str | None) -> str:
    """A short human description of a User-Agent ("Chrome on Android")."""
    ua = (user_agent or "").lower()
    if not ua:
        return "?"
    browser = next((name for key, name in (
        ("edg/", "Edge"), ("opr/", "Opera"), ("samsungbrowser", "Samsung Internet"), ("line/", "LINE"),
        ("fbav", "Facebook"), ("firefox", "Firefox"), ("chromium", "Chromium"), ("chrome", "Chrome"),
        ("crios", "Chrome"), ("safari", "Safari"), ("curl", "curl"), ("python", "Python"),
    ) if key in ua), None) or _("Browser")
    system = next((name for key, name in (
        ("android", "Android"), ("iphone", "iPhone"), ("ipad", "iPad"), ("windows", "Windows"),
        ("mac os", "macOS"), ("cros", "ChromeOS"), ("linux", "Linux"),
    ) if key in ua), "")
    return f"{browser} · {system}" if system else browser
