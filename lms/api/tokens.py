"""API credentials: short-lived JWTs (``POST /api/v1/auth/token``) and personal access tokens.

* JWT: HS256 signed with ``SECRET_KEY``, 15 minutes, claims ``sub`` (user id), ``role``, ``ver``
  (the user's credentials version, ``User.login_version``), ``tenant`` (this instance and its
  organization, ``instance_tenant()``), ``iss`` (``BASE_URL``), ``iat``, ``exp``, ``jti``.  All are
  required and checked: a token stops working when the user's credentials are revoked (password
  change or reset, "sign out everywhere (else)", deactivation, role change — ``lms.auth.credentials``)
  and a token minted by another instance, even one sharing the secret, is refused.
* Personal access tokens (``lms_pat_…``): made on ``/me`` with a name and an expiry, shown once,
  stored as SHA-256; revoked there, and all at once when the user's credentials are revoked
  (``revoke_all_personal_tokens``, registered with ``lms.auth.credentials``).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

import jwt
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from lms.api.models import ApiToken
from lms.audit.services import record
from lms.auth.models import User
from lms.auth.tokens import hash_token
from lms.common.errors import ValidationFailed
from lms.common.ids import as_id
from lms.common.services import get_visible
from lms.common.types import utcnow
from lms.core import signals
from lms.core.organization import current_organization
from lms.extensions import db

JWT_LIFETIME = timedelta(minutes=15)
JWT_ALGORITHM = "HS256"
PAT_PREFIX = "lms_pat_"
PAT_EXPIRY_CHOICES = (7, 30, 90, 365)
MAX_LIVE_TOKENS = 20
TOUCH_EVERY = timedelta(minutes=1)


REQUIRED_CLAIMS = ["exp", "iat", "sub", "jti", "role", "ver", "tenant", "iss"]


def instance_tenant() -> str:
    """Who this instance is: its slug (or queue name) and its organization's slug.  Another instance
    differs here (and in ``iss``, its base URL) even when it shares the secret."""
    instance = current_app.config.get("LMS_INSTANCE") or current_app.config.get("QUEUE_NAME") or "default"
    return f"{instance}/{current_organization().slug}"


def issue_jwt(user: User) -> tuple[str, int]:
    """``(token, seconds until it expires)``."""
    now = utcnow()
    claims = {"sub": str(user.id), "role": str(user.role), "ver": int(user.login_version or 1),
              "tenant": instance_tenant(), "iss": current_app.config["BASE_URL"],
              "iat": now, "exp": now + JWT_LIFETIME, "jti": uuid.uuid4().hex}
    token = jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm=JWT_ALGORITHM)
    return token, int(JWT_LIFETIME.total_seconds())


def _invalid() -> str:
    return _("The access token is invalid or has expired.")


def user_from_bearer(header: str | None) -> tuple[User | None, str | None]:
    """``(user, None)``, ``(None, None)`` without a header, or ``(None, problem)`` for a bad token."""
    if not header:
        return None, None
    scheme, _sep, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 4096:
        return None, _("Send the token as “Authorization: Bearer <token>”.")
    if token.startswith(PAT_PREFIX):
        return _user_from_pat(token)
    try:
        claims = jwt.decode(token, current_app.config["SECRET_KEY"], algorithms=[JWT_ALGORITHM],
                            issuer=current_app.config["BASE_URL"], options={"require": REQUIRED_CLAIMS})
    except jwt.PyJWTError:
        return None, _invalid()
    if claims.get("tenant") != instance_tenant():
        return None, _invalid()
    user = db.session.get(User, int(claims["sub"])) if as_id(claims.get("sub")) else None
    if user is None or not user.active or user.is_suspended or str(user.role) != claims.get("role") \
            or claims.get("ver") != user.login_version:
        return None, _invalid()
    return user, None


def _user_from_pat(raw: str) -> tuple[User | None, str | None]:
    row = db.session.execute(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                             .where(ApiToken.token_hash == hash_token(raw))).first()
    if row is None:
        return None, _invalid()
    token, user = row
    now = utcnow()
    if not token.is_live(now) or not user.active or user.is_suspended:
        return None, _invalid()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        token.last_used_at = now
        db.session.commit()
    return user, None


# --- personal access tokens (the /me page) -----------------------------------------------------------


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def create_personal_token(user: User, name, days) -> tuple[ApiToken, str]:
    """``(token row, raw token)``: the raw value is shown once and never stored."""
    name = " ".join(str(name or "").split())
    if not 1 <= len(name) <= 100:
        raise ValidationFailed(_("Give the token a name (up to 100 characters)."), field="name")
    days = as_id(days) or 0
    if days not in PAT_EXPIRY_CHOICES:
        raise ValidationFailed(_("Choose how long the token lasts."), field="days")
    now = utcnow()
    live = db.session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now))
    if live >= MAX_LIVE_TOKENS:
        raise ValidationFailed(_("You have %(n)d tokens already: revoke one first.", n=live), field="name")
    raw = PAT_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(raw), prefix=raw[:12], created_at=now,
                     expires_at=now + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    record(user, "api_token.create", token, name=name, days=days)
    return token, raw


def revoke_all_personal_tokens(user: User) -> int:
    """Revoke every live personal access token of ``user`` (credentials revoked); returns how many."""
    now = utcnow()
    result = db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
        .values(revoked_at=now).execution_options(synchronize_session=False))
    return result.rowcount


def revoke_personal_token(user: User, token_id) -> ApiToken:
    token = get_visible(select(ApiToken).where(ApiToken.user_id == user.id), ApiToken, token_id,
                        _("That token does not exist."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        record(user, "api_token.revoke", token, name=token.name)
    return token


def connect_signals() -> None:
    signals.credentials_revoked.connect(revoke_all_personal_tokens)
