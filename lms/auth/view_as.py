"""An administrator "views as" a teacher, student or parent: read-only, time-limited, audited.

The admin's Flask session (their own login session, their ``_user_id``) stays theirs; the session
also carries ``VIEW_AS_KEY`` = ``{"admin": <admin id>, "user": <viewed id>, "since": <epoch s>,
"back": <path>}``.  The user loader (:func:`lms.auth.services.load_user`) passes the admin it loaded
through :func:`swap`, which answers the viewed user instead: ``current_user`` is the viewed user (their
pages, their navigation, their permissions), :func:`acting_admin` is the real one.

Read-only: every request that is not GET/HEAD/OPTIONS is refused with 403 (pages, htmx, the API)
except Stop, sign-out and the heartbeat, which keeps the *admin's* login session alive.  Pages that
write on GET (section visits, announcement read marks, ...) ask :func:`viewing` and skip the write.
Nothing creates a login session for the viewed user, so login analytics never shows them online.

It ends at Stop, at sign-out, after ``TIME_LIMIT``, or when the viewed account can no longer be
viewed (deactivated, suspended, made an administrator); start and end are audited with the IP.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import flash, g, has_request_context, session
from flask_babel import gettext as _
from flask_login import current_user

from lms.audit.services import record
from lms.auth import login_sessions
from lms.auth.models import Role, User
from lms.common.errors import BusinessRuleViolation, Forbidden, NotFound
from lms.extensions import db

VIEW_AS_KEY = "lms_view_as"
TIME_LIMIT = timedelta(minutes=30)
VIEWABLE_ROLES = (Role.TEACHER, Role.STUDENT, Role.PARENT)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What a viewing admin may still POST: Stop, sign out, the heartbeat (the admin's own login session).
# The browser's CSP reports only reach the log.
ALLOWED_WHILE_VIEWING = frozenset({"auth.view_as.stop", "auth.logout", "auth.ping", "csp_report.report"})


class EndReason:
    STOPPED = "STOPPED"
    LOGOUT = "LOGOUT"
    TIME_LIMIT = "TIME_LIMIT"
    NOT_VIEWABLE = "NOT_VIEWABLE"


def viewing() -> bool:
    """True while the signed-in admin is viewing as someone (the request's user is not its author)."""
    if not has_request_context() or VIEW_AS_KEY not in session:
        return False
    if not current_user.is_authenticated:  # loads the user, and with it the view-as state
        return False
    return g.get("lms_acting_admin") is not None


def acting_admin() -> User | None:
    """The administrator behind the request while viewing as someone, else None."""
    return g.get("lms_acting_admin") if viewing() else None


def _not_viewable_reason(user: User) -> str | None:
    if str(user.role) not in {str(r) for r in VIEWABLE_ROLES}:
        return _("Administrators cannot be viewed as.")
    if not user.active:
        return _("This account is deactivated: there is nothing to view.")
    if user.is_suspended:
        return _("This account is suspended: there is nothing to view.")
    return None


def start(actor: User, user_id: int, back: str) -> User:
    """``actor`` (an admin, not already viewing) starts viewing as ``user_id``."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("That account does not exist."))
    if user.is_admin:
        raise Forbidden(_("Administrators cannot be viewed as."))
    reason = _not_viewable_reason(user)
    if reason:
        raise BusinessRuleViolation(reason)
    session[VIEW_AS_KEY] = {"admin": actor.id, "user": user.id, "since": int(time.time()), "back": back}
    record(actor, "view_as.started", user, email=user.email, role=str(user.role))
    return user


def end(reason: str) -> str | None:
    """Stop viewing (audited); returns the page to go back to, None when nothing was viewed."""
    data = session.pop(VIEW_AS_KEY, None)
    if not isinstance(data, dict):
        return None
    admin_id, user_id = data.get("admin"), data.get("user")
    viewed = db.session.get(User, user_id) if isinstance(user_id, int) else None
    minutes = max(0, int(time.time()) - int(data.get("since") or 0)) // 60
    record(db.session.get(User, admin_id) if isinstance(admin_id, int) else None, "view_as.ended", viewed,
           reason=reason, minutes=minutes)
    g.pop("lms_acting_admin", None)
    return data.get("back")


def swap(user: User | None) -> User | None:
    """From the user loader: while ``user`` (an admin) views as someone, that someone; else ``user``."""
    data = session.get(VIEW_AS_KEY) if has_request_context() else None
    if data is None or user is None:
        return user
    if not isinstance(data, dict) or data.get("admin") != user.id or not user.is_admin:
        session.pop(VIEW_AS_KEY, None)  # left over from someone else's sign-in: never honoured
        return user
    if time.time() - int(data.get("since") or 0) > TIME_LIMIT.total_seconds():
        _end_now(EndReason.TIME_LIMIT, lambda: _("Viewing as another user ended after %(n)d minutes.",
                                                 n=int(TIME_LIMIT.total_seconds() // 60)))
        return user
    viewed = db.session.get(User, data.get("user")) if isinstance(data.get("user"), int) else None
    if viewed is None or _not_viewable_reason(viewed):
        _end_now(EndReason.NOT_VIEWABLE,
                 lambda: _("Viewing as another user ended: that account can no longer be viewed."))
        return user
    g.lms_acting_admin = user
    return viewed


def _end_now(reason: str, message) -> None:
    """Ended while loading the user (before the view runs): committed on its own.  ``message`` is
    translated only once viewing has ended (the locale is chosen from the signed-in user)."""
    end(reason)
    db.session.commit()
    flash(message(), "info")


def ends_at() -> float | None:
    data = session.get(VIEW_AS_KEY)
    return int(data.get("since") or 0) + TIME_LIMIT.total_seconds() if isinstance(data, dict) else None


def refuses(method: str, endpoint: str | None) -> bool:
    """Whether this request must be refused because an admin is viewing as someone."""
    return (method not in SAFE_METHODS and endpoint not in ALLOWED_WHILE_VIEWING
            and VIEW_AS_KEY in session and viewing())


def refusal_message() -> str:
    return _("You are viewing as %(name)s: nothing can be changed. Stop viewing to act as yourself.",
             name=current_user.full_name)


def keep_admin_alive() -> bool:
    """The heartbeat while viewing: refresh the admin's own login session (one UPDATE)."""
    login_session_id = login_sessions.current_login_session_id()
    admin = g.get("lms_acting_admin")
    return bool(login_session_id and admin and login_sessions.touch_login_session(
        admin.id, login_session_id, g.get("lms_login_session_timeout")))


def make_this_request_read_only() -> None:
    """A safety net under the pages' own checks: this request's database session rolls back where
    it would commit, so a page that writes on GET stores nothing while an admin views as someone.
    (On the embedded default, periodic jobs that fall due in such a request run again at their next
    interval: they are idempotent.)"""
    db_session = db.session()
    db_session.commit = db_session.rollback  # an instance attribute: this session object only
    g.lms_read_only_session = db_session


def restore_commits() -> None:
    db_session = g.pop("lms_read_only_session", None)
    if db_session is not None:
        db_session.__dict__.pop("commit", None)
