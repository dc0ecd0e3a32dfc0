"""Bulk actions on the students list: a selection, then one action on all of it or on none.

A selection is either the ticked ids (``ids``; re-checked against what the actor may see) or
"everyone matching the filter" (``filters``; the filter is run again here, never a list of ids
from the browser), at most ``MAX_SELECTION`` students.  Each action checks everything first,
then writes with a fixed number of statements whatever the number of students, and records
one audit entry with the count and the ids.

Actions (``ACTIONS``): move to a classroom, set the status, invite parents (send the pending
parent invitations of these students again), export (CSV) and — not built yet —
``prepare_sign_in`` (``PREPARE_SIGN_IN``: activation emails and login cards; the entry is shown
disabled until that feature registers ``prepare_sign_in_handler``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, insert, select, update

from lms.audit.services import record
from lms.auth import invitations as invitation_service
from lms.auth.models import Invitation, InvitationStatus, Role, User
from lms.common.errors import Forbidden, ValidationFailed
from lms.common.ids import as_id
from lms.common.labels import classroom_label
from lms.common.types import utcnow
from lms.core.academic_year import current_academic_year
from lms.core.localtime import local_today
from lms.extensions import db
from lms.school.models import (
    STUDENT_STATUSES,
    Classroom,
    ClassroomMembership,
    MembershipStatus,
    StudentProfile,
    StudentStatus,
)
from lms.school.services import require_admin, student_list_query

MAX_SELECTION = 2000

MOVE, SET_STATUS, INVITE_PARENTS, EXPORT, PREPARE_SIGN_IN = (
    "move", "set_status", "invite_parents", "export", "prepare_sign_in")
ACTIONS = {
    MOVE: _l("Move to a classroom"),
    SET_STATUS: _l("Set the status"),
    INVITE_PARENTS: _l("Invite parents again"),
    EXPORT: _l("Export (CSV)"),
    PREPARE_SIGN_IN: _l("Prepare sign-in / print cards"),
}
# Actions a teacher may run on their own students (the others are for administrators).
TEACHER_ACTIONS = (EXPORT,)
# "Prepare sign-in" plugs in here: a function (actor, rows) -> summary message.  Until it is set
# the action is listed but disabled.
prepare_sign_in_handler = None


def available_actions(actor) -> dict:
    """Action code -> label, for the actor (``PREPARE_SIGN_IN`` only once it is implemented)."""
    allowed = ACTIONS if actor.is_admin else {k: v for k, v in ACTIONS.items() if k in TEACHER_ACTIONS}
    return {k: v for k, v in allowed.items() if k != PREPARE_SIGN_IN or prepare_sign_in_handler}


@dataclass
class Selection:
    rows: list  # (User, StudentProfile | None, Classroom | None), in the list's order
    all_matching: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [user.id for user, _profile, _room in self.rows]

    @property
    def count(self) -> int:
        return len(self.rows)


def _too_many() -> ValidationFailed:
    return ValidationFailed(_("At most %(n)s students at a time: narrow the filter (a level or a classroom) "
                              "and run the action again.", n=f"{MAX_SELECTION:,}"), field="selection")


def parse_ids(values) -> list[int]:
    """The ticked ids; anything that is not an id is refused (nothing is done)."""
    ids = []
    for value in values:
        ident = as_id(value)
        if ident is None:
            raise ValidationFailed(_("The selection is not valid. Reload the list and try again."), field="selection")
        if ident not in ids:
            ids.append(ident)
    return ids


def select_students(actor, *, ids=None, filters: dict | None = None) -> Selection:
    """The selected students the actor may see (one query).  ``filters`` selects everyone matching."""
    if filters is not None:
        rows = db.session.execute(student_list_query(actor, **filters).limit(MAX_SELECTION + 1)).all()
        if len(rows) > MAX_SELECTION:
            raise _too_many()
        if not rows:
            raise ValidationFailed(_("No students match this filter."), field="selection")
        return Selection(rows=list(rows), all_matching=True)
    ids = parse_ids(ids or [])
    if not ids:
        raise ValidationFailed(_("Tick at least one student first."), field="selection")
    if len(ids) > MAX_SELECTION:
        raise _too_many()
    rows = db.session.execute(student_list_query(actor).where(User.id.in_(ids))).all()
    if len(rows) != len(ids):
        raise ValidationFailed(_("%(n)d of the selected are not students you can see (they may have been "
                                 "removed). Reload the list and try again; nothing was changed.",
                                 n=len(ids) - len(rows)), field="selection")
    return Selection(rows=list(rows))


def check_allowed(actor, action: str) -> None:
    if action not in ACTIONS:
        raise ValidationFailed(_("Choose an action from the list."), field="action")
    if action == PREPARE_SIGN_IN and prepare_sign_in_handler is None:
        raise ValidationFailed(_("Preparing sign-in is not available yet."), field="action")
    if action not in available_actions(actor):
        raise Forbidden(_("Only an administrator can do that."))


def _audit(actor, action: str, selection: Selection, **details) -> None:
    record(actor, f"student.bulk_{action}", None, count=selection.count, student_ids=selection.ids,
           all_matching=selection.all_matching, **details)


def record_export(actor, selection: Selection) -> None:
    """Exports are audited too (who took which students' data)."""
    _audit(actor, EXPORT, selection)


def _ensure_profiles(selection: Selection, now) -> None:
    missing = [user.id for user, profile, _room in selection.rows if profile is None]
    if missing:
        db.session.execute(insert(StudentProfile), [
            {"user_id": uid, "status": StudentStatus.ACTIVE.value, "guardian_notes": "", "created_at": now,
             "updated_at": now} for uid in missing])


# --- move -----------------------------------------------------------------------------------


def check_move(actor, selection: Selection, classroom: Classroom | None) -> list[str]:
    """Why the move cannot be made (empty: it can).  The same rules as moving one student."""
    require_admin(actor)
    if classroom is None:
        return [_("Choose a classroom to move them to.")]
    year = current_academic_year()
    problems = []
    if classroom.academic_year != year:
        problems.append(_("%(name)s belongs to %(year)s; choose a classroom of %(current)s.",
                          name=classroom_label(classroom), year=classroom.academic_year, current=year))
    if classroom.archived:
        problems.append(_("%(name)s (%(year)s) is archived; choose a current classroom.",
                          name=classroom_label(classroom), year=classroom.academic_year))
    for user, _profile, _room in selection.rows:
        if user.role != Role.STUDENT:
            problems.append(_("%(name)s is not a student.", name=user.full_name))
    return problems


def move(actor, selection: Selection, classroom: Classroom) -> int:
    """Put every selected student in ``classroom`` (their other classroom this year ends as MOVED)."""
    problems = check_move(actor, selection, classroom)
    if problems:
        raise ValidationFailed(" ".join(problems), field="classroom")
    now, today = utcnow(), local_today()
    year = classroom.academic_year
    to_move = [user.id for user, _p, room in selection.rows if room is None or room.id != classroom.id]
    _ensure_profiles(selection, now)
    if to_move:
        db.session.execute(
            update(ClassroomMembership)
            .where(ClassroomMembership.student_id.in_(to_move), ClassroomMembership.academic_year == year,
                   ClassroomMembership.status == MembershipStatus.ACTIVE)
            .values(status=MembershipStatus.MOVED.value,
                    ended_on=case((ClassroomMembership.started_on > today, ClassroomMembership.started_on),
                                  else_=today))
            .execution_options(synchronize_session=False))
        db.session.execute(insert(ClassroomMembership), [
            {"student_id": uid, "classroom_id": classroom.id, "academic_year": year,
             "status": MembershipStatus.ACTIVE.value, "started_on": today, "created_at": now} for uid in to_move])
    # As a single move: a student placed in a classroom is active again.
    db.session.execute(
        update(StudentProfile).where(StudentProfile.user_id.in_(selection.ids),
                                     StudentProfile.status != StudentStatus.ACTIVE)
        .values(status=StudentStatus.ACTIVE.value, updated_at=now).execution_options(synchronize_session=False))
    _audit(actor, MOVE, selection, classroom=classroom.name, classroom_id=classroom.id, academic_year=year,
           moved=len(to_move))
    db.session.flush()
    return len(to_move)


# --- status ---------------------------------------------------------------------------------


def set_status(actor, selection: Selection, status: str) -> int:
    """The same as editing each student's status: Left/Graduated also ends their classroom."""
    require_admin(actor)
    if status not in STUDENT_STATUSES:
        raise ValidationFailed(_("Choose a valid status."), field="status")
    now = utcnow()
    _ensure_profiles(selection, now)
    changed = [user.id for user, profile, _room in selection.rows
               if (profile.status if profile else StudentStatus.ACTIVE) != status]
    if changed:
        db.session.execute(update(StudentProfile).where(StudentProfile.user_id.in_(changed))
                           .values(status=status, updated_at=now).execution_options(synchronize_session=False))
        if status in (StudentStatus.LEFT, StudentStatus.GRADUATED):
            ended = MembershipStatus.LEFT if status == StudentStatus.LEFT else MembershipStatus.GRADUATED
            db.session.execute(
                update(ClassroomMembership)
                .where(ClassroomMembership.student_id.in_(changed),
                       ClassroomMembership.status == MembershipStatus.ACTIVE)
                .values(status=ended.value, ended_on=local_today())
                .execution_options(synchronize_session=False))
    _audit(actor, SET_STATUS, selection, status=status, changed=len(changed))
    db.session.flush()
    return len(changed)


# --- parents --------------------------------------------------------------------------------


def pending_parent_invitations(selection: Selection) -> list[Invitation]:
    """Parent invitations not accepted yet (pending or expired) that name any selected student."""
    wanted = set(selection.ids)
    candidates = db.session.scalars(select(Invitation).where(
        Invitation.role == Role.PARENT,
        Invitation.status.in_((InvitationStatus.PENDING, InvitationStatus.EXPIRED))).order_by(Invitation.id))
    found, seen_emails = [], set()
    for invitation in candidates:
        ids = {as_id(v) for v in (invitation.grants or {}).get("student_ids", []) or []}
        if ids & wanted and invitation.email not in seen_emails:
            seen_emails.add(invitation.email)
            found.append(invitation)
    return found


def invite_parents(actor, selection: Selection) -> tuple[int, int]:
    """Send every selected student's parent invitations again (a new link and expiry each).

    Returns (invitations sent, students with no parent invitation to send).  Inviting a new parent
    still starts from the invitations page or the student's page (family codes will come later).
    """
    require_admin(actor)
    found = pending_parent_invitations(selection)
    if not found:
        raise ValidationFailed(_("None of these students has a parent invitation waiting to be accepted. "
                                 "Invite parents from a student's page or the invitations page."),
                               field="action")
    covered = set()
    problems = []
    for invitation in found:
        covered |= {as_id(v) for v in (invitation.grants or {}).get("student_ids", []) or []}
        try:
            invitation_service.resend(actor, invitation.id, audit=False)
        except ValidationFailed as err:
            problems.append(f"{invitation.email}: {err.message}")
    if problems:
        raise ValidationFailed(" ".join(problems), field="action")
    _audit(actor, INVITE_PARENTS, selection, invitation_ids=[i.id for i in found],
           emails=[i.email for i in found])
    db.session.flush()
    return len(found), len(set(selection.ids) - covered)
