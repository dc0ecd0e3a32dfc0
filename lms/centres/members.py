"""Who belongs to a centre: administrators add teachers, students and supervisors (``MEMBER_ROLES``),
one by one from a search, many at once (ticked, or a whole classroom's students: the ids come from
``lms.school``), and remove them. An archived centre takes no new members but keeps its own.

Adding is all or nothing: an unknown id, a parent or an administrator adds nobody.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select

from lms.audit.services import record
from lms.auth.models import Role, User
from lms.centres.models import Centre, CentreMembership
from lms.centres.operations import require_admin
from lms.common.errors import Conflict, ValidationFailed
from lms.common.ids import as_id, chosen_ids
from lms.common.services import flush_or_raise
from lms.extensions import db

# The roles a centre's members have; a role added later (a supervisor) belongs here when it exists.
MEMBER_ROLE_NAMES = ("TEACHER", "STUDENT", "SUPERVISOR")
MEMBER_ROLES = tuple(role for role in Role if role.value in MEMBER_ROLE_NAMES)
MAX_AT_ONCE = 500


def members_query(centre: Centre, *, role: str = ""):
    """Rows of (User, CentreMembership) of the centre's members, by role then name."""
    stmt = (select(User, CentreMembership).join(CentreMembership, CentreMembership.user_id == User.id)
            .where(CentreMembership.centre_id == centre.id))
    if role in MEMBER_ROLES:
        stmt = stmt.where(User.role == role)
    return stmt.order_by(User.role, func.lower(User.full_name), User.id)


def member_counts(centre: Centre) -> dict[str, int]:
    """How many members the centre has of each role."""
    return dict(db.session.execute(
        select(User.role, func.count()).join(CentreMembership, CentreMembership.user_id == User.id)
        .where(CentreMembership.centre_id == centre.id).group_by(User.role)).all())


def candidates_query(centre: Centre, *, q: str = "", role: str = ""):
    """Active people of the member roles who are not in the centre, matching ``q`` (name, email or
    username), by name."""
    stmt = (select(User).where(User.role.in_(MEMBER_ROLES), User.active.is_(True))
            .where(User.id.not_in(select(CentreMembership.user_id).where(CentreMembership.centre_id == centre.id))))
    if role in MEMBER_ROLES:
        stmt = stmt.where(User.role == role)
    q = " ".join((q or "").split()).lower()[:100]
    if q:
        pattern = f"%{q}%"
        stmt = stmt.where(or_(func.lower(User.full_name).like(pattern), User.email.like(pattern),
                              User.username.like(pattern)))
    return stmt.order_by(func.lower(User.full_name), User.id)


def _ids(raw_ids) -> list[int]:
    return chosen_ids(raw_ids, field="user_ids", most=MAX_AT_ONCE, invalid=_("Choose people from the list."),
                      empty=_("Choose at least one person to add."),
                      too_many=_("Add at most %(n)d people at once.", n=MAX_AT_ONCE))


def add_members(actor, centre: Centre, raw_ids) -> tuple[list[User], list[User]]:
    """Add the chosen people; ``(added, already members)``. All or nothing."""
    require_admin(actor)
    if centre.is_archived:
        raise ValidationFailed(_("This centre is archived: it takes no new members."))
    ids = _ids(raw_ids)
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids), User.role.in_(MEMBER_ROLES)))}
    if len(people) != len(ids):
        raise ValidationFailed(_("Only teachers, students and supervisors belong to centres. Nobody was added."),
                               field="user_ids")
    current = set(db.session.scalars(select(CentreMembership.user_id).where(
        CentreMembership.centre_id == centre.id, CentreMembership.user_id.in_(ids))))
    added = [people[i] for i in ids if i not in current]
    with flush_or_raise(Conflict(_("Someone changed this centre at the same moment. Try again."))):
        db.session.add_all(CentreMembership(centre_id=centre.id, user_id=u.id, added_by_id=actor.id) for u in added)
    if added:
        record(actor, "centre.add_members", centre, name=centre.name, count=len(added), users=[u.id for u in added])
    return added, [people[i] for i in ids if i in current]


def remove_member(actor, centre: Centre, user_id) -> User:
    """Take the person out of the centre (their teaching sessions there stay); the person."""
    require_admin(actor)
    user = db.session.scalar(select(User).join(CentreMembership, CentreMembership.user_id == User.id).where(
        CentreMembership.centre_id == centre.id, User.id == as_id(user_id)))
    if user is None:
        raise ValidationFailed(_("That person is not a member of this centre."))
    db.session.execute(delete(CentreMembership).where(CentreMembership.centre_id == centre.id,
                                                      CentreMembership.user_id == user.id))
    record(actor, "centre.remove_member", centre, name=centre.name, user=user.id)
    return user


def centres_of(user: User) -> list[Centre]:
    """The centres ``user`` belongs to, by name (archived ones too)."""
    return list(db.session.scalars(select(Centre).join(CentreMembership, CentreMembership.centre_id == Centre.id)
                                   .where(CentreMembership.user_id == user.id).order_by(Centre.name_key)))
