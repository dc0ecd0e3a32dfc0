""""Keep me signed in on this device": a random, server-stored, rotating cookie (``RememberToken``).

* The cookie (``REMEMBER_TOKEN_COOKIE_NAME``, HttpOnly, SameSite=Lax, Secure like the session
  cookie) holds ``<series>.<token>``, both random; the table holds their SHA-256 digests and the
  expiry (``REMEMBER_COOKIE_DURATION`` from sign-in: the password is asked again after it).
* When the Flask session no longer signs the browser in (browser restarted, login session ended by
  inactivity), Flask-Login's request loader calls ``sign_in_from_cookie``: a live series signs the
  user back in with a new login session, and its token is replaced (a new cookie is sent).
* The token before the last rotation still works for ``ROTATION_GRACE`` (requests already on their
  way, tabs restored together) without rotating again.  Any older token means the cookie was copied:
  the series is deleted and the login session it started ends (audited as
  ``user.remember_cookie_reused``).
* Sign-out deletes this browser's series; revoking a user's credentials deletes all of them
  (``lms.auth.credentials``).  Flask-Login's own remember cookie is never set, and one left from
  before is ignored and deleted (``ignore_flask_login_cookie``).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app, g, request, session
from sqlalchemy import delete, select, update

from lms.audit.services import record
from lms.auth import login_sessions
from lms.auth.models import EndReason, RememberToken, User
from lms.auth.tokens import hash_token
from lms.common.types import utcnow
from lms.extensions import db, login_manager

DEFAULT_COOKIE_NAME = "lms_remember"
ROTATION_GRACE = timedelta(seconds=60)
_MAX_COOKIE_LENGTH = 200


def cookie_name() -> str:
    return current_app.config.get("REMEMBER_TOKEN_COOKIE_NAME") or DEFAULT_COOKIE_NAME


def _lifetime() -> timedelta:
    value = current_app.config.get("REMEMBER_COOKIE_DURATION") or timedelta(days=30)
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def _parse(raw: str | None) -> tuple[str, str] | None:
    if not raw or len(raw) > _MAX_COOKIE_LENGTH:
        return None
    series, sep, token = raw.partition(".")
    if not sep or not series or not token:
        return None
    return series, token


def _send(series: str, token: str, expires_at) -> None:
    g.lms_remember_cookie = (f"{series}.{token}", expires_at)


def _forget_cookie() -> None:
    if cookie_name() in request.cookies:
        g.lms_remember_cookie = None


# --- issuing and forgetting ---------------------------------------------------------------------


def remember(user: User, login_session_id: int | None) -> RememberToken:
    """A new series for this browser (sign-in with "keep me signed in"); the cookie goes with the response."""
    now = utcnow()
    series, token = secrets.token_urlsafe(18), secrets.token_urlsafe(32)
    row = RememberToken(user_id=user.id, series_hash=hash_token(series), token_hash=hash_token(token),
                        login_session_id=login_session_id, created_at=now, last_used_at=now,
                        expires_at=now + _lifetime())
    db.session.add(row)
    db.session.flush()
    _send(series, token, row.expires_at)
    return row


def current_series(user: User) -> RememberToken | None:
    """This browser's live series of ``user`` (from the cookie), or None."""
    parsed = _parse(request.cookies.get(cookie_name()))
    if parsed is None:
        return None
    row = db.session.scalar(select(RememberToken).where(RememberToken.series_hash == hash_token(parsed[0])))
    if row is None or row.user_id != user.id or row.expires_at <= utcnow():
        return None
    return row


def forget_this_browser() -> None:
    """Sign-out: delete this browser's series (whoever it belongs to) and its cookie."""
    parsed = _parse(request.cookies.get(cookie_name()))
    if parsed is not None:
        db.session.execute(delete(RememberToken).where(RememberToken.series_hash == hash_token(parsed[0]))
                           .execution_options(synchronize_session=False))
    _forget_cookie()


def forget_user(user: User) -> int:
    """Delete every remembered browser of ``user``; returns how many.  (This browser's cookie is left
    alone: the acting user may be an administrator.)"""
    result = db.session.execute(delete(RememberToken).where(RememberToken.user_id == user.id)
                                .execution_options(synchronize_session=False))
    return result.rowcount


def delete_expired(now=None) -> int:
    result = db.session.execute(delete(RememberToken).where(RememberToken.expires_at <= (now or utcnow()))
                                .execution_options(synchronize_session=False))
    return result.rowcount


# --- signing back in -----------------------------------------------------------------------------


def sign_in_from_cookie(_request=None) -> User | None:
    """Flask-Login's request loader: the user of a live, untampered series, signed back in."""
    raw = request.cookies.get(cookie_name())
    if raw is None or request.blueprint == "api.v1":  # the JSON API never trusts cookies
        return None
    parsed = _parse(raw)
    row = db.session.scalar(select(RememberToken).where(RememberToken.series_hash == hash_token(parsed[0]))) \
        if parsed else None
    if row is None:
        _forget_cookie()
        return None
    now = utcnow()
    user = db.session.get(User, row.user_id)
    if row.expires_at <= now or user is None or not user.active or user.is_suspended:
        db.session.delete(row)
        db.session.commit()
        _forget_cookie()
        return None
    presented = hash_token(parsed[1])
    if presented == row.token_hash:
        return _rotate(user, row, presented, now)
    if presented == row.previous_token_hash and row.rotated_at and now - row.rotated_at <= ROTATION_GRACE:
        return _join_rotated(user, row)
    _copied_cookie(user, row)
    return None


def _start(user: User, row: RememberToken) -> None:
    from flask_login import login_user

    from lms.auth.services import record_login_attempt  # import cycle: auth.services imports this module

    session.pop(login_sessions.LOGIN_SESSION_KEY, None)
    login_session = login_sessions.start_login_session(user)
    row.login_session_id = login_session.id
    user.last_login_at = login_session.started_at
    record_login_attempt(user.sign_in_name, user, True, "REMEMBERED")
    # Once per restored login session (not per request): the next requests use the Flask session.
    record(user, "user.login", user, method="remembered", login_session_id=login_session.id)
    login_user(user)  # the Flask session from now on; never Flask-Login's remember cookie


def _rotate(user: User, row: RememberToken, presented: str, now) -> User | None:
    token = secrets.token_urlsafe(32)
    # Conditional: of two requests racing with the same cookie, one rotates, the other joins it.
    result = db.session.execute(
        update(RememberToken).where(RememberToken.id == row.id, RememberToken.token_hash == presented)
        .values(token_hash=hash_token(token), previous_token_hash=presented, rotated_at=now, last_used_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        row = db.session.get(RememberToken, row.id)
        return _join_rotated(db.session.get(User, row.user_id), row) if row is not None else None
    _start(user, row)
    db.session.commit()
    _send(request.cookies.get(cookie_name()).partition(".")[0], token, row.expires_at)
    return user


def _join_rotated(user: User, row: RememberToken) -> User | None:
    """The token just replaced, within the grace period: signed in, the new cookie is on its way."""
    from flask_login import login_user

    if row.login_session_id is None:
        return None
    session[login_sessions.LOGIN_SESSION_KEY] = row.login_session_id
    login_user(user)
    return user


def _copied_cookie(user: User, row: RememberToken) -> None:
    ended = login_sessions.end_login_session(row.login_session_id, EndReason.REVOKED) \
        if row.login_session_id else 0
    db.session.delete(row)
    record(None, "user.remember_cookie_reused", user, email=user.email, login_sessions_ended=ended)
    db.session.commit()
    _forget_cookie()


# --- the response -------------------------------------------------------------------------------


def ignore_flask_login_cookie() -> None:
    """Before each request: Flask-Login's own remember cookie (signed user id) no longer signs anyone
    in; Flask-Login deletes it from the browser at the end of the request."""
    legacy = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    if legacy in request.cookies and session.get("_remember") != "clear":
        session["_remember"] = "clear"


def apply_cookie(response):
    """After each request: send the new cookie, or delete it."""
    if "lms_remember_cookie" not in g:
        return response
    cfg = current_app.config
    value = g.lms_remember_cookie
    if value is None:
        response.delete_cookie(cookie_name(), path="/", secure=cfg.get("REMEMBER_COOKIE_SECURE", False),
                               httponly=True, samesite="Lax")
        return response
    raw, expires_at = value
    response.set_cookie(cookie_name(), raw, expires=expires_at, path="/", httponly=True, samesite="Lax",
                        secure=cfg.get("REMEMBER_COOKIE_SECURE", False))
    return response


def init_app(app) -> None:
    login_manager.request_loader(sign_in_from_cookie)
    app.before_request(ignore_flask_login_cookie)
    app.after_request(apply_cookie)
