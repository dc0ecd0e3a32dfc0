"""Administrators manage accounts: find, deactivate/reactivate, change role, send a reset link.

Every action is audited.  An admin cannot deactivate or demote themselves, and the last
active administrator cannot be removed.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from lms.audit.services import record
from lms.auth.credentials import revoke_credentials
from lms.auth.models import Role, User
from lms.auth.services import send_reset_link as send
from lms.auth.usernames import check_username_free, clean_username
from lms.common.errors import BusinessRuleViolation, Forbidden, NotFound, ValidationFailed
from lms.common.types import utcnow
from lms.core import signals
from lms.extensions import db

SORTS = {
    "name": (func.lower(User.full_name), User.id),
    "email": (func.coalesce(User.email, User.username),),
    "role": (User.role, func.lower(User.full_name), User.id),
    "last_login": (User.last_login_at.desc().nulls_last(), User.id),
    "newest": (User.created_at.desc(), User.id.desc()),
}


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise Forbidden(_("Only administrators can manage accounts."))


def users_query(actor: User, *, q: str = "", role: str = "", status: str = "", sort: str = "name"):
    _require_admin(actor)
    stmt = select(User)
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(or_(User.email.like(like), User.username.like(like), func.lower(User.full_name).like(like)))
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == role)
    if status == "active":
        stmt = stmt.where(User.active.is_(True))
    elif status == "inactive":
        stmt = stmt.where(User.active.is_(False))
    elif status == "suspended":
        stmt = stmt.where(User.suspended_at.is_not(None),
                          or_(User.suspended_until.is_(None), User.suspended_until > utcnow()))
    return stmt.order_by(*SORTS.get(sort, SORTS["name"]))


def get_user(actor: User, user_id: int) -> User:
    _require_admin(actor)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("That account does not exist."))
    return user


def _other_active_admins(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.ADMIN, User.active.is_(True), User.id != user.id)) or 0


def deactivate(actor: User, user_id: int) -> User:
    """The user can no longer sign in; every browser of theirs is signed out at its next request."""
    user = get_user(actor, user_id)
    if user.id == actor.id:
        raise BusinessRuleViolation(_("You cannot deactivate your own account."))
    if not user.active:
        return user
    if user.role == Role.ADMIN and _other_active_admins(user) == 0:
        raise BusinessRuleViolation(_("This is the last active administrator."))
    user.active = False
    # Every login session, remembered browser, API token and personal access token stops working.
    counts = revoke_credentials(user)
    record(actor, "user.deactivated", user, email=user.email, sessions_ended=counts["sessions_ended"],
           api_tokens_revoked=counts["api_tokens_revoked"])
    return user


def reactivate(actor: User, user_id: int) -> User:
    user = get_user(actor, user_id)
    if user.active:
        return user
    refusal = signals.first_answer(signals.reactivation_refused, user)
    if refusal:
        raise BusinessRuleViolation(refusal)
    user.active = True
    record(actor, "user.reactivated", user, email=user.email)
    return user


def change_role(actor: User, user_id: int, role: str) -> User:
    user = get_user(actor, user_id)
    role = (role or "").strip().upper()
    if role not in {r.value for r in Role}:
        raise ValidationFailed(_("Choose a role from the list."), field="role")
    if user.role == role:
        return user
    if user.id == actor.id:
        raise BusinessRuleViolation(_("You cannot change your own role."))
    if user.role == Role.ADMIN and user.active and _other_active_admins(user) == 0:
        raise BusinessRuleViolation(_("This is the last active administrator."))
    old = user.role
    user.role = role
    user.supervises_all = False  # only a supervisor oversees the whole organization
    # Pages and permissions follow the new role: sign the user out everywhere (personal access
    # tokens stay: they act with whatever role the account has).
    revoke_credentials(user, keep_api_tokens=True)
    record(actor, "user.role_changed", user, email=user.email, old_role=old, new_role=role)
    return user


def set_username(actor: User, user_id: int, username: str | None) -> User:
    """Change (or, for an account with an email, remove) the username; audited."""
    user = get_user(actor, user_id)
    new = clean_username(username)
    if new is None and not user.email:
        raise ValidationFailed(_("An account without an email needs a username to sign in with."), field="username")
    check_username_free(new, exclude_user_id=user.id)
    old = user.username
    if new != old:
        user.username = new
        db.session.flush()
        record(actor, "user.username_changed", user, old_username=old, new_username=new)
    return user


def send_reset_link(actor: User, user_id: int) -> User:
    user = get_user(actor, user_id)
    if not user.email:
        raise BusinessRuleViolation(_("%(name)s has no email address, so no link can be sent.",
                                      name=user.full_name))
    send(actor, user)
    return user
