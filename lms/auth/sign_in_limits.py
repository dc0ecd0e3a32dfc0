"""Failed sign-ins on the page (``/auth/login``), with pictures, and on the API
(``/api/v1/auth/token``) share one counter per account and one per address (``sign_in_limits``).
"""

from __future__ import annotations

from flask import g, request

from lms.auth.services import find_user_by_login, normalise_login, record_login_attempt
from lms.common.ratelimit import client_ip, config_limit
from lms.extensions import db, limiter


def sign_in_login() -> str:
    """What a sign-in names (email, username or student number), from the page's form (``login``)
    or the API's JSON body (``login``, or ``email`` as before), normalised."""
    login = request.form.get("login")
    if login is None and request.is_json:
        data = request.get_json(silent=True)
        if isinstance(data, dict):
            login = data.get("login")
            if login is None:
                login = data.get("email")
    return normalise_login(str(login or ""))


def sign_in_account_key() -> str:
    """The per-account counter's key: the account the login names (so its email, username and
    student number share one counter), or the normalised login text when it names no account."""
    if "lms_sign_in_account_key" not in g:
        login = sign_in_login()
        user = find_user_by_login(login) if login else None
        g.lms_sign_in_account_key = f"account:user:{user.id}" if user else "account:" + login
    return g.lms_sign_in_account_key


def _sign_in_failed(response) -> bool:
    """Only failed sign-ins count (deducted after the response); views set ``g.lms_login_failed``."""
    return bool(g.get("lms_login_failed"))


def _record_rate_limited(request_limit) -> None:
    login = sign_in_login()
    if login:
        record_login_attempt(login, find_user_by_login(login), False, "RATE_LIMITED")
        db.session.commit()


def sign_in_limits(view):
    """The failed-sign-in limits, shared by every way to sign in with a password (POST only)."""
    view = limiter.shared_limit(config_limit("LOGIN_LIMIT_PER_ACCOUNT"), scope="sign-in-account",
                                key_func=sign_in_account_key, methods=["POST"],
                                deduct_when=_sign_in_failed, on_breach=_record_rate_limited)(view)
    return limiter.shared_limit(config_limit("LOGIN_LIMIT_PER_IP"), scope="sign-in-ip",
                                key_func=lambda: "ip:" + client_ip(), methods=["POST"],
                                deduct_when=_sign_in_failed, on_breach=_record_rate_limited)(view)
