"""Invitations: admins invite staff, students and parents; teachers invite students.

A PENDING invitation carries a random token (only its hash is stored) that expires after the
organization's ``invitation_days``.  Accepting it creates the account with the invited role,
applies the invitation's ``grants`` through ``lms.core.signals.invitation_accepted`` and
signs the new user in.  Resending issues a new token (the old link dies); revoking kills it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from lms.audit.services import record
from lms.auth.labels import ROLE
from lms.auth.models import Invitation, InvitationStatus, Role, User, normalise_email
from lms.auth.services import check_new_password, validate_email_address
from lms.auth.tokens import hash_token, new_token
from lms.common.errors import Forbidden, NotFound, ValidationFailed
from lms.common.types import utcnow
from lms.core import signals
from lms.core.organization import current_organization
from lms.extensions import db
from lms.mail import absolute_url, send_email

MAX_BULK_ROWS = 500
TEACHER_INVITABLE_ROLES = (Role.STUDENT,)
ROLE_LABELS = ROLE


def invitable_roles(actor: User) -> tuple[str, ...]:
    if actor.is_admin:
        return tuple(r.value for r in Role)
    if actor.is_teacher:
        return tuple(r.value for r in TEACHER_INVITABLE_ROLES)
    return ()


def _check_may_invite(actor: User, role: str, grants: dict) -> None:
    if role not in invitable_roles(actor):
        if actor.is_teacher or actor.is_admin:
            raise Forbidden(_("You may not invite someone with the role %(role)s.", role=role))
        raise Forbidden(_("You may not invite people."))
    signals.invitation_grants_checking.send(actor, role=role, grants=grants)


def grants_from_form(actor: User, role: str, *, classroom_id=None, children: str = "") -> dict:
    """The grants an invitation form asks for (checked when the invitation is created)."""
    return signals.first_answer(signals.invitation_grants_from_form, actor, role=role,
                                classroom_id=classroom_id, children=children) or {}


def invitable_classrooms(actor: User) -> list:
    """Classrooms ``actor`` may invite students into."""
    return [classroom for found in signals.answers(signals.invitation_classrooms, actor) for classroom in found]


def grants_label(grants: dict | None) -> str:
    """What an invitation grants, for lists ("P1/1", "Parent of …")."""
    return signals.first_answer(signals.invitation_grants_described, grants or {}, default="")


MIN_EXPIRY_DAYS, MAX_EXPIRY_DAYS = 1, 90


def _expiry_days() -> int:
    return current_organization().invitation_days or 7


def clean_expiry_days(days) -> int:
    """Days until a link expires: the organization's setting when not given, else 1 to 90."""
    if days in (None, ""):
        return _expiry_days()
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not MIN_EXPIRY_DAYS <= days <= MAX_EXPIRY_DAYS:
        raise ValidationFailed(_("The link must be valid for %(min)d to %(max)d days.", min=MIN_EXPIRY_DAYS,
                                 max=MAX_EXPIRY_DAYS), field="expires_in_days")
    return days


def can_activate(user: User | None, role: str) -> bool:
    """An account made by an administrator or an import that never signed in: inviting it sends an
    activation (accepting sets its password; no second account)."""
    return (user is not None and user.last_login_at is None and user.active and user.role == role)


def _account_problem(user: User | None, email: str, role: str) -> str | None:
    if user is None or can_activate(user, role):
        return None
    if user.last_login_at is None and user.role != role:
        return _("%(email)s already has an account with another role; invite them with that role or "
                 "change it first.", email=email)
    return _("%(email)s already has an account.", email=email)


def _email_problem(email: str, role: str | None = None) -> str | None:
    """Why this address cannot be invited now (an account that signed in, or an open invitation)."""
    user = db.session.scalar(select(User).where(User.email == email))
    problem = _account_problem(user, email, role) if user is not None else None
    if problem:
        return problem
    pending = db.session.scalar(select(Invitation).where(Invitation.email == email,
                                                         Invitation.status == InvitationStatus.PENDING))
    if pending is not None and pending.expires_at > utcnow():
        return _("%(email)s already has a pending invitation: resend it from the list.", email=email)
    return None


def _retire_expired_invitation(email: str) -> None:
    """A PENDING but expired invitation for this address becomes EXPIRED (frees the address)."""
    db.session.execute(
        update(Invitation)
        .where(Invitation.email == email, Invitation.status == InvitationStatus.PENDING,
               Invitation.expires_at <= utcnow())
        .values(status=InvitationStatus.EXPIRED, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _days_left(invitation: Invitation) -> int:
    return max(1, round((invitation.expires_at - utcnow()).total_seconds() / 86400))


def _send_invitation_email(invitation: Invitation, raw_token: str, inviter: User) -> None:
    # The invitee has no account (so no language) yet: the organization's language.
    send_email(invitation.email, _l("You are invited to %(org)s", org=_org_name()), "invitation", locale=None,
               invitation=invitation, inviter=inviter, role_label=ROLE_LABELS.get(invitation.role, invitation.role),
               link=absolute_url("auth.accept_invitation", token=raw_token), days=_days_left(invitation))


def _org_name() -> str:
    return current_organization().name


def _new_invitation(actor: User, email: str, role: str, full_name: str | None, grants: dict,
                    days: int | None = None) -> tuple[Invitation, str]:
    raw, digest = new_token()
    now = utcnow()
    invitation = Invitation(email=email, full_name=(full_name or "").strip() or None, role=role,
                            grants=dict(grants or {}), token_hash=digest, status=InvitationStatus.PENDING,
                            expires_at=now + timedelta(days=days or _expiry_days()), invited_by_id=actor.id,
                            sent_at=now, send_count=1)
    db.session.add(invitation)
    return invitation, raw


def _clean_role(role: str) -> str:
    role = (role or "").strip().upper()
    if role not in {r.value for r in Role}:
        raise ValidationFailed(_("Choose a role from the list."), field="role")
    return role


def invite(actor: User, email: str, role: str, full_name: str | None = None, grants: dict | None = None,
           *, send: bool = True, expires_in_days=None) -> tuple[Invitation, str]:
    """Invite one person; returns the invitation and the raw token (for the link shown once).

    An address whose account was made by an administrator or an import and never signed in
    can be invited too: accepting then activates that account (see ``accept``)."""
    email = validate_email_address(email)
    role = _clean_role(role)
    days = clean_expiry_days(expires_in_days)
    if full_name and len(full_name.strip()) > 200:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=200), field="full_name")
    grants = dict(grants or {})
    _check_may_invite(actor, role, grants)
    problem = _email_problem(email, role)
    if problem:
        raise ValidationFailed(problem, field="email")
    _retire_expired_invitation(email)
    invitation, raw = _new_invitation(actor, email, role, full_name, grants, days)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ValidationFailed(_("%(email)s was invited a moment ago.", email=email), field="email") from None
    record(actor, "invitation.created", invitation, email=email, role=role, grants=grants, expires_in_days=days)
    if send:
        _send_invitation_email(invitation, raw, actor)
    return invitation, raw


# --- bulk ------------------------------------------------------------------------------


@dataclass
class BulkRow:
    line: int
    email: str
    full_name: str
    role: str
    errors: list[str] = field(default_factory=list)
    extra: str = ""  # a student's classroom ("P1/1") or a parent's children (student numbers)
    grants: dict = field(default_factory=dict)


def parse_bulk(text: str) -> list[BulkRow]:
    """Rows of ``email, name, role[, classroom or children]`` (comma, semicolon or tab separated;
    a header line is skipped)."""
    text = (text or "").lstrip("\ufeff")
    sample = text[:2000]
    delimiter = "\t" if "\t" in sample else (";" if sample.count(";") > sample.count(",") else ",")
    rows: list[BulkRow] = []
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if not rows and cells and cells[0].lower() in {"email", "e-mail", "อีเมล"}:
            continue  # header
        cells += [""] * (4 - len(cells))
        rows.append(BulkRow(line=number, email=normalise_email(cells[0]), full_name=cells[1],
                            role=cells[2].upper(), extra=cells[3],
                            errors=[] if not any(cells[4:]) else
                            [_("Too many columns: expected email, name, role, classroom or children.")]))
    return rows


def check_bulk(actor: User, rows: list[BulkRow]) -> list[BulkRow]:
    """Fill each row's ``errors`` (nothing is stored)."""
    if len(rows) > MAX_BULK_ROWS:
        raise ValidationFailed(_("At most %(n)d rows at a time.", n=MAX_BULK_ROWS), field="text")
    allowed = invitable_roles(actor)
    emails = [r.email for r in rows if r.email]
    existing = ({u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
                if emails else {})
    pending = set(db.session.scalars(select(Invitation.email).where(
        Invitation.email.in_(emails), Invitation.status == InvitationStatus.PENDING,
        Invitation.expires_at > utcnow()))) if emails else set()
    seen: set[str] = set()
    for row in rows:
        try:
            validate_email_address(row.email)
        except ValidationFailed as err:
            row.errors.append(err.message)
        if row.email in seen:
            row.errors.append(_("This address appears more than once."))
        seen.add(row.email)
        problem = _account_problem(existing.get(row.email), row.email, row.role)
        if problem:
            row.errors.append(problem)
        elif row.email in pending:
            row.errors.append(_("%(email)s already has a pending invitation: resend it from the list.",
                                email=row.email))
        if row.role not in {r.value for r in Role}:
            row.errors.append(_("Unknown role %(role)s: use ADMIN, TEACHER, STUDENT, PARENT or SUPERVISOR.",
                                role=row.role or "—"))
        elif row.role not in allowed:
            row.errors.append(_("You may not invite someone with the role %(role)s.", role=row.role))
        if len(row.full_name) > 200:
            row.errors.append(_("Use at most %(n)d characters.", n=200))
        _bulk_grants(actor, row)
    return rows


def _bulk_grants(actor: User, row: BulkRow) -> None:
    """The row's 4th column as grants: a student's classroom or a parent's children."""
    if not row.extra:
        return
    try:
        grants = signals.first_answer(signals.invitation_grants_from_text, actor, role=row.role, text=row.extra)
        if grants is None:
            raise ValidationFailed(_("Only students get a classroom and only parents get children."))
        row.grants = grants
        signals.invitation_grants_checking.send(actor, role=row.role, grants=row.grants)
    except ValidationFailed as err:
        row.errors.append(err.message)


def invite_bulk(actor: User, text: str, *, expires_in_days=None) -> list[Invitation]:
    """All rows or none: any row with an error stores nothing."""
    days = clean_expiry_days(expires_in_days)
    rows = check_bulk(actor, parse_bulk(text))
    if not rows:
        raise ValidationFailed(_("Paste at least one line: email, name, role."), field="text")
    if any(row.errors for row in rows):
        raise ValidationFailed(_("Fix the rows with errors; nothing was sent."), field="text")
    created = []
    sends = []
    for row in rows:
        _check_may_invite(actor, row.role, row.grants)
        _retire_expired_invitation(row.email)
        invitation, raw = _new_invitation(actor, row.email, row.role, row.full_name, row.grants, days)
        created.append(invitation)
        sends.append((invitation, raw))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ValidationFailed(_("Someone invited one of these addresses a moment ago; check the list and "
                                 "try again."), field="text") from None
    for invitation in created:
        record(actor, "invitation.created", invitation, email=invitation.email, role=invitation.role, bulk=True,
               expires_in_days=days)
    for invitation, raw in sends:
        _send_invitation_email(invitation, raw, actor)
    return created


# --- listing and actions ----------------------------------------------------------------


def invitations_query(actor: User, *, q: str = "", status: str = "", role: str = ""):
    """Invitations the actor may see (admins: all; teachers: their own), filtered."""
    stmt = select(Invitation)
    if not actor.is_admin:
        stmt = stmt.where(Invitation.invited_by_id == actor.id)
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(or_(Invitation.email.like(like), func.lower(Invitation.full_name).like(like)))
    now = utcnow()
    if status == InvitationStatus.PENDING:
        stmt = stmt.where(Invitation.status == InvitationStatus.PENDING, Invitation.expires_at > now)
    elif status == InvitationStatus.EXPIRED:
        stmt = stmt.where(or_(Invitation.status == InvitationStatus.EXPIRED,
                              (Invitation.status == InvitationStatus.PENDING) & (Invitation.expires_at <= now)))
    elif status in (InvitationStatus.ACCEPTED, InvitationStatus.REVOKED):
        stmt = stmt.where(Invitation.status == status)
    if role in {r.value for r in Role}:
        stmt = stmt.where(Invitation.role == role)
    return stmt.order_by(Invitation.created_at.desc(), Invitation.id.desc())


def get_invitation(actor: User, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or not (actor.is_admin or invitation.invited_by_id == actor.id):
        raise NotFound(_("That invitation does not exist."))
    return invitation


def _rotate_token(actor: User, invitation: Invitation, action: str | None, days=None) -> str:
    if invitation.status not in (InvitationStatus.PENDING, InvitationStatus.EXPIRED):
        raise ValidationFailed(_("Only pending or expired invitations can be sent again."))
    days = clean_expiry_days(days)
    _check_may_invite(actor, invitation.role, invitation.grants or {})
    user = db.session.scalar(select(User).where(User.email == invitation.email))
    problem = _account_problem(user, invitation.email, invitation.role) if user is not None else None
    if problem:
        raise ValidationFailed(problem)
    if invitation.status == InvitationStatus.EXPIRED:
        problem = _email_problem(invitation.email, invitation.role)
        if problem:
            raise ValidationFailed(problem)
    raw, digest = new_token()
    now = utcnow()
    invitation.token_hash = digest
    invitation.status = InvitationStatus.PENDING
    invitation.expires_at = now + timedelta(days=days)
    if action:
        record(actor, action, invitation, email=invitation.email, expires_in_days=days)
    return raw


def resend(actor: User, invitation_id: int, *, expires_in_days=None, audit: bool = True) -> Invitation:
    """A new token and expiry, emailed again; the previous link stops working."""
    invitation = get_invitation(actor, invitation_id)
    raw = _rotate_token(actor, invitation, "invitation.resent" if audit else None, expires_in_days)
    invitation.sent_at = utcnow()
    invitation.send_count = (invitation.send_count or 0) + 1
    db.session.flush()
    _send_invitation_email(invitation, raw, actor)
    return invitation


def new_link(actor: User, invitation_id: int, *, expires_in_days=None) -> tuple[Invitation, str]:
    """A fresh link to copy (e.g. into a chat); the previously sent link stops working."""
    invitation = get_invitation(actor, invitation_id)
    raw = _rotate_token(actor, invitation, "invitation.link_copied", expires_in_days)
    db.session.flush()
    return invitation, raw


def waiting_invitations(actor: User) -> list[Invitation]:
    """Invitations not accepted or revoked yet (pending, including lapsed links, and expired)."""
    stmt = select(Invitation).where(Invitation.status.in_((InvitationStatus.PENDING, InvitationStatus.EXPIRED)))
    if not actor.is_admin:
        stmt = stmt.where(Invitation.invited_by_id == actor.id)
    return list(db.session.scalars(stmt.order_by(Invitation.id)))


def resend_all_pending(actor: User, *, expires_in_days=None) -> tuple[list[Invitation], list[str]]:
    """Send every invitation that is still waiting again, with a new link and a new expiry (expired
    ones too: this extends them).  Those that cannot be sent any more (the address now has an
    account that signed in, or another open invitation) are skipped and reported.  One audit entry."""
    if not actor.is_admin:
        raise Forbidden(_("Only an administrator can do that."))
    days = clean_expiry_days(expires_in_days)
    waiting = waiting_invitations(actor)
    emails = [i.email for i in waiting]
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))} if emails else {}
    open_elsewhere = {i.email for i in waiting if i.status == InvitationStatus.PENDING and i.expires_at > utcnow()}
    sent, skipped, sends = [], [], []
    for invitation in waiting:
        problem = _account_problem(users.get(invitation.email), invitation.email, invitation.role)
        if problem is None and invitation.status == InvitationStatus.EXPIRED and invitation.email in open_elsewhere:
            problem = _("%(email)s already has a pending invitation: resend it from the list.", email=invitation.email)
        if problem:
            skipped.append(problem)
            continue
        raw, digest = new_token()
        invitation.token_hash = digest
        invitation.status = InvitationStatus.PENDING
        invitation.expires_at = utcnow() + timedelta(days=days)
        invitation.sent_at = utcnow()
        invitation.send_count = (invitation.send_count or 0) + 1
        sent.append(invitation)
        sends.append((invitation, raw))
    db.session.flush()
    record(actor, "invitation.resent_all", None, count=len(sent), invitation_ids=[i.id for i in sent],
           skipped=len(skipped), expires_in_days=days)
    for invitation, raw in sends:
        _send_invitation_email(invitation, raw, actor)
    return sent, skipped


def revoke(actor: User, invitation_id: int) -> Invitation:
    invitation = get_invitation(actor, invitation_id)
    if invitation.status != InvitationStatus.PENDING:
        raise ValidationFailed(_("Only pending invitations can be revoked."))
    invitation.status = InvitationStatus.REVOKED
    invitation.revoked_at = utcnow()
    record(actor, "invitation.revoked", invitation, email=invitation.email)
    return invitation


# --- accepting --------------------------------------------------------------------------


def invitation_for_token(raw_token: str) -> Invitation:
    """The PENDING, unexpired invitation of this link, or NotFound saying why not."""
    invitation = None
    if raw_token and len(raw_token) <= 200:
        invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(raw_token)))
    if invitation is None:
        raise NotFound(_("This invitation link is not valid. It may have been replaced by a newer one."))
    status = invitation.effective_status
    if status == InvitationStatus.ACCEPTED:
        raise NotFound(_("This invitation has already been used. Sign in with your email and password."))
    if status == InvitationStatus.REVOKED:
        raise NotFound(_("This invitation was withdrawn. Ask the school if you think this is a mistake."))
    if status == InvitationStatus.EXPIRED:
        raise NotFound(_("This invitation has expired. Ask the school to send you a new one."))
    return invitation


def accept(raw_token: str, full_name: str, password: str) -> User:
    """Create the invited account (the caller signs it in and commits)."""
    invitation = invitation_for_token(raw_token)
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationFailed(_("Enter your name."), field="full_name")
    if len(full_name) > 200:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=200), field="full_name")
    check_new_password(password, invitation.email)
    existing = db.session.scalar(select(User).where(User.email == invitation.email))
    activated = existing is not None
    if existing is not None:
        if not can_activate(existing, invitation.role):
            raise ValidationFailed(_("%(email)s already has an account. Sign in instead.", email=invitation.email))
        # An account an administrator made (or imported): this invitation activates it.
        user = existing
        user.full_name = full_name
        user.set_password(password)
        db.session.flush()
    else:
        user = User(email=invitation.email, full_name=full_name, role=invitation.role)
        user.set_password(password)
        db.session.add(user)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            raise ValidationFailed(_("%(email)s already has an account. Sign in instead.",
                                     email=invitation.email)) from None
    invitation.status = InvitationStatus.ACCEPTED
    invitation.accepted_at = utcnow()
    invitation.accepted_user_id = user.id
    signals.invitation_accepted.send(invitation, user=user)
    record(user, "invitation.accepted", invitation, email=user.email, role=user.role,
           grants=invitation.grants or {}, activated_existing_account=activated)
    return user


def status_counts(actor: User) -> dict[str, int]:
    """Invitations per effective status (for the list's filter labels)."""
    now = utcnow()
    expired = (Invitation.status == InvitationStatus.PENDING) & (Invitation.expires_at <= now)
    effective = case((expired, InvitationStatus.EXPIRED.value), else_=Invitation.status)
    stmt = select(effective, func.count()).group_by(effective)
    if not actor.is_admin:
        stmt = stmt.where(Invitation.invited_by_id == actor.id)
    return {status: count for status, count in db.session.execute(stmt)}
