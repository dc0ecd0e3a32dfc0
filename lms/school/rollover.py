"""Year-end rollover: every classroom moves up a level into the next academic year.

``preview_rollover`` shows what would happen; ``run_rollover`` does it in the caller's one
transaction, keeping the history (old memberships are ended, never deleted) and recording
a ``PromotionBatch`` so that ``undo_rollover`` can put everything back the same day.

Rules: P1/1 → P2/1 (same number, next level by the school's order; P6 → M1); the last level
graduates; a student marked as repeating stays in the same level and number; the new year's
classrooms are created as needed (this year's set, plus any target); this year's classrooms
are archived; the organization's academic year becomes the new one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from lms.audit.services import record
from lms.auth.models import Role, User
from lms.common.errors import BusinessRuleViolation, Conflict, NotFound, ValidationFailed
from lms.common.ids import as_id
from lms.common.types import utcnow
from lms.core import signals
from lms.core.academic_year import current_academic_year, next_academic_year
from lms.core.localtime import local_today
from lms.core.organization import current_organization
from lms.extensions import db
from lms.school.models import (
    Classroom,
    ClassroomMembership,
    Level,
    MembershipStatus,
    MoveOutcome,
    PromotionBatch,
    PromotionMove,
    StudentProfile,
    StudentStatus,
    TeacherAssignment,
)
from lms.school.services import ensure_organization, list_levels, ordered_classrooms, require_admin


@dataclass
class StudentLine:
    student: User
    profile: StudentProfile | None
    membership_id: int
    # Set when the student already has a classroom in the new year (kept as it is).
    placed_in: str | None = None


@dataclass
class ClassroomPlan:
    source: Classroom
    target_level: Level | None          # None: the students graduate
    target_exists: bool
    repeat_exists: bool
    students: list[StudentLine] = field(default_factory=list)

    @property
    def target_name(self) -> str | None:
        return f"{self.target_level.code}/{self.source.number}" if self.target_level else None

    @property
    def graduates(self) -> bool:
        return self.target_level is None


@dataclass
class RolloverPlan:
    from_year: str
    to_year: str
    classrooms: list[ClassroomPlan]
    empty_classrooms: list[Classroom]
    new_classroom_names: list[str]
    archive_count: int
    unplaced_count: int = 0   # active students in no classroom this year (not affected)
    # This year's work still waiting for grading: read-only after the rollover (the admin must
    # acknowledge it); ``ungraded_url`` is the grading queue.
    ungraded_count: int = 0
    ungraded_url: str | None = None

    @property
    def student_count(self) -> int:
        return sum(len(c.students) for c in self.classrooms)

    @property
    def student_ids(self) -> set[int]:
        return {line.student.id for c in self.classrooms for line in c.students}


def clean_year(year: str | None) -> str:
    year = (year or "").strip()
    if not year or len(year) > 20:
        raise ValidationFailed(_("Give the new academic year, e.g. 2027."), field="to_year")
    return year


def preview_rollover(actor, to_year: str | None = None) -> RolloverPlan:
    """What a rollover from the current academic year to ``to_year`` would do (no writes)."""
    require_admin(actor)
    from_year = current_academic_year()
    to_year = clean_year(to_year or next_academic_year(from_year))
    if to_year == from_year:
        raise ValidationFailed(_("The new academic year must differ from the current one (%(year)s).",
                                 year=from_year), field="to_year")
    levels = list_levels()
    following = {lv.id: (levels[i + 1] if i + 1 < len(levels) else None) for i, lv in enumerate(levels)}

    sources = list(db.session.scalars(ordered_classrooms(
        select(Classroom).where(Classroom.academic_year == from_year))))
    existing_next = {(c.level_id, c.number) for c in db.session.scalars(
        select(Classroom).where(Classroom.academic_year == to_year))}
    rows = db.session.execute(
        select(ClassroomMembership.id, ClassroomMembership.classroom_id, User, StudentProfile)
        .join(User, User.id == ClassroomMembership.student_id)
        .outerjoin(StudentProfile, StudentProfile.user_id == User.id)
        .where(ClassroomMembership.academic_year == from_year,
               ClassroomMembership.status == MembershipStatus.ACTIVE)
        .order_by(User.full_name, User.id)).all()
    placed = dict(db.session.execute(
        select(ClassroomMembership.student_id, ClassroomMembership.classroom_id)
        .where(ClassroomMembership.academic_year == to_year,
               ClassroomMembership.status == MembershipStatus.ACTIVE)).all())
    placed_names = {}
    if placed:
        placed_names = {c.id: c.name for c in db.session.scalars(
            select(Classroom).where(Classroom.id.in_(set(placed.values()))))}

    by_classroom: dict[int, list[StudentLine]] = {}
    for membership_id, classroom_id, student, profile in rows:
        where = placed_names.get(placed.get(student.id))
        by_classroom.setdefault(classroom_id, []).append(StudentLine(student, profile, membership_id, where))

    plans, empty, new_names = [], [], set()
    for source in sources:
        target_level = following.get(source.level_id)
        if source.id not in by_classroom:
            if not source.archived:
                empty.append(source)
                if (source.level_id, source.number) not in existing_next:
                    new_names.add((source.level.position, source.number, source.name))
            continue
        plan = ClassroomPlan(
            source=source, target_level=target_level,
            target_exists=target_level is not None and (target_level.id, source.number) in existing_next,
            repeat_exists=(source.level_id, source.number) in existing_next,
            students=by_classroom[source.id])
        plans.append(plan)
        if not plan.repeat_exists and not source.archived:
            new_names.add((source.level.position, source.number, source.name))
        if target_level is not None and not plan.target_exists:
            new_names.add((target_level.position, source.number, plan.target_name))
    placed_now = select(ClassroomMembership.student_id).where(
        ClassroomMembership.academic_year == from_year, ClassroomMembership.status == MembershipStatus.ACTIVE)
    unplaced = db.session.scalar(
        select(func.count()).select_from(User).outerjoin(StudentProfile, StudentProfile.user_id == User.id)
        .where(User.role == Role.STUDENT, User.id.not_in(placed_now),
               (StudentProfile.status == StudentStatus.ACTIVE) | StudentProfile.user_id.is_(None)))
    ungraded = [answer for answer in signals.answers(signals.ungraded_work, None) if answer and answer["count"]]
    return RolloverPlan(
        from_year=from_year, to_year=to_year, classrooms=plans, empty_classrooms=empty,
        new_classroom_names=[name for _pos, _num, name in sorted(new_names)],
        archive_count=sum(1 for c in sources if not c.archived), unplaced_count=unplaced or 0,
        ungraded_count=sum(answer["count"] for answer in ungraded),
        ungraded_url=ungraded[0]["url"] if ungraded else None)


def run_rollover(actor, to_year: str, repeaters: set[int] | frozenset = frozenset(), *,
                 expected_students: set[int] | None = None, expected_from_year: str | None = None,
                 copy_teachers: bool = True, ungraded_acknowledged: bool = False) -> PromotionBatch:
    """Move every current student up a level into ``to_year`` (repeaters stay in their level).

    ``expected_students`` and ``expected_from_year`` are what the admin reviewed; if the
    rosters or the current year changed since the preview (e.g. the form was sent twice),
    nothing happens and Conflict asks for a fresh review.  Work still waiting for grading can no
    longer be graded afterwards: with any, ``ungraded_acknowledged`` must say the admin read so.
    """
    if expected_from_year is not None and expected_from_year != current_academic_year():
        raise Conflict(_("The school is already in %(year)s: this rollover has been run. Review the new "
                         "preview before running another.", year=current_academic_year()), code="STALE_PREVIEW")
    plan = preview_rollover(actor, to_year)
    if not plan.classrooms:
        raise BusinessRuleViolation(_("No student is in a classroom in %(year)s, so there is nothing to roll "
                                      "over.", year=plan.from_year))
    if expected_students is not None and set(expected_students) != plan.student_ids:
        raise Conflict(_("The classrooms changed since this preview was opened. Review the new preview and "
                         "run the rollover again."), code="STALE_PREVIEW")
    if plan.ungraded_count and not ungraded_acknowledged:
        raise ValidationFailed(ngettext(
            "%(num)d submission is still waiting for grading. Tick the box to confirm that it can no longer "
            "be graded after the rollover, or grade it first.",
            "%(num)d submissions are still waiting for grading. Tick the box to confirm that they can no "
            "longer be graded after the rollover, or grade them first.", plan.ungraded_count),
            field="ungraded_acknowledged")
    org = ensure_organization()
    today = local_today()
    watermark = db.session.scalar(select(func.max(ClassroomMembership.id))) or 0
    batch = PromotionBatch(actor_id=getattr(actor, "id", None), from_year=plan.from_year, to_year=plan.to_year,
                           previous_academic_year=org.academic_year, membership_id_watermark=watermark)
    db.session.add(batch)
    db.session.flush()

    rooms = _NextYearRooms(plan.to_year)
    # This year's set of classrooms exists again next year (e.g. P1 for the new intake).
    for source in [*plan.empty_classrooms, *(c.source for c in plan.classrooms if not c.source.archived)]:
        rooms.room(source.level, source.number)
    moves = _moves(plan, rooms, repeaters)
    db.session.flush()
    created_assignments = _copy_teachers(plan, rooms.created) if copy_teachers and rooms.created else []

    new_ids = _move_memberships(moves, batch, today)
    graduates = _graduate(moves)
    db.session.execute(insert(PromotionMove), [{
        "batch_id": batch.id, "student_id": move.line.student.id, "outcome": move.outcome.value,
        "from_membership_id": move.line.membership_id, "to_membership_id": new_ids.get(move.line.student.id),
        "from_classroom_name": move.from_name,
        "to_classroom_name": move.target.name if move.target is not None else "",
        "previous_student_status": move.line.profile.status if move.line.profile is not None else None,
    } for move in moves])
    archived_ids = _archive_classrooms(plan.from_year)

    org.academic_year = plan.to_year
    batch.created_classroom_ids = [c.id for c in rooms.created]
    batch.archived_classroom_ids = archived_ids
    batch.created_assignment_ids = [a.id for a in created_assignments]
    batch.promoted_count = sum(1 for move in moves if move.outcome == MoveOutcome.PROMOTED)
    batch.repeated_count = sum(1 for move in moves if move.outcome == MoveOutcome.REPEATED)
    batch.graduated_count = len(graduates)
    db.session.flush()
    db.session.expire_all()
    record(actor, "school.rollover", batch, from_year=plan.from_year, to_year=plan.to_year,
           promoted=batch.promoted_count, repeated=batch.repeated_count, graduated=batch.graduated_count,
           classrooms_created=len(rooms.created), classrooms_archived=len(archived_ids))
    return batch


@dataclass
class Move:
    """One student's move at the rollover; ``target`` is None for a graduate or a student who
    already has a classroom in the new year."""

    line: StudentLine
    outcome: MoveOutcome
    from_name: str
    target: Classroom | None


class _NextYearRooms:
    """The new year's classrooms: existing ones are reused, missing ones created."""

    def __init__(self, to_year: str):
        self.to_year = to_year
        self.by_place = {(c.level_id, c.number): c for c in db.session.scalars(
            select(Classroom).where(Classroom.academic_year == to_year))}
        self.created: list[Classroom] = []

    def room(self, level: Level, number: int) -> Classroom:
        key = (level.id, number)
        if key not in self.by_place:
            classroom = Classroom(level=level, number=number, academic_year=self.to_year)
            db.session.add(classroom)
            self.by_place[key] = classroom
            self.created.append(classroom)
        return self.by_place[key]


def _moves(plan: RolloverPlan, rooms: _NextYearRooms, repeaters) -> list[Move]:
    moves = []
    for cplan in plan.classrooms:
        source = cplan.source
        for line in cplan.students:
            if line.student.id in repeaters:
                outcome, target = MoveOutcome.REPEATED, rooms.room(source.level, source.number)
            elif cplan.graduates:
                outcome, target = MoveOutcome.GRADUATED, None
            else:
                outcome, target = MoveOutcome.PROMOTED, rooms.room(cplan.target_level, source.number)
            if line.placed_in:
                target = None  # already has a classroom next year: keep it
            moves.append(Move(line, outcome, source.name, target))
    return moves


def _copy_teachers(plan: RolloverPlan, created: list[Classroom]) -> list[TeacherAssignment]:
    """Each created classroom gets the teachers of this year's classroom at the same place."""
    sources = {(c.source.level_id, c.source.number): c.source.id for c in plan.classrooms}
    sources.update({(c.level_id, c.number): c.id for c in plan.empty_classrooms})
    by_source = {classroom_id: [] for classroom_id in sources.values()}
    for assignment in db.session.scalars(select(TeacherAssignment)
                                         .where(TeacherAssignment.classroom_id.in_(list(by_source)))):
        by_source[assignment.classroom_id].append(assignment)
    created_assignments = []
    for classroom in created:
        for assignment in by_source.get(sources.get((classroom.level_id, classroom.number)), []):
            copy = TeacherAssignment(teacher_id=assignment.teacher_id, classroom=classroom,
                                     role=assignment.role, subject_name=assignment.subject_name)
            db.session.add(copy)
            created_assignments.append(copy)
    db.session.flush()
    return created_assignments


def _move_memberships(moves: list[Move], batch: PromotionBatch, today: date) -> dict[int, int]:
    """Ends this year's memberships (one UPDATE per outcome) and inserts next year's in bulk;
    returns the new membership id of each moved student, for the undo record."""
    for outcome in MoveOutcome:
        ids = [move.line.membership_id for move in moves if move.outcome == outcome]
        for chunk in _chunks(ids):
            db.session.execute(update(ClassroomMembership).where(ClassroomMembership.id.in_(chunk))
                               .values(status=outcome.value, ended_on=today),
                               execution_options={"synchronize_session": False})
    new_rows = [{"student_id": move.line.student.id, "classroom_id": move.target.id,
                 "academic_year": batch.to_year, "status": MembershipStatus.ACTIVE.value, "started_on": today,
                 "batch_id": batch.id}
                for move in moves if move.target is not None]
    if not new_rows:
        return {}
    result = db.session.execute(
        insert(ClassroomMembership).returning(ClassroomMembership.id, ClassroomMembership.student_id,
                                              sort_by_parameter_order=True), new_rows)
    return {student_id: membership_id for membership_id, student_id in result}


def _graduate(moves: list[Move]) -> list[StudentLine]:
    """Graduates' student status becomes GRADUATED (a profile is created if missing)."""
    graduates = [move.line for move in moves if move.outcome == MoveOutcome.GRADUATED]
    for line in graduates:
        if line.profile is None:
            db.session.add(StudentProfile(user_id=line.student.id, status=StudentStatus.GRADUATED))
    for chunk in _chunks([line.student.id for line in graduates if line.profile is not None]):
        db.session.execute(update(StudentProfile).where(StudentProfile.user_id.in_(chunk))
                           .values(status=StudentStatus.GRADUATED.value),
                           execution_options={"synchronize_session": False})
    return graduates


def _archive_classrooms(from_year: str) -> list[int]:
    archived_ids = list(db.session.scalars(select(Classroom.id).where(
        Classroom.academic_year == from_year, Classroom.archived.is_(False))))
    for chunk in _chunks(archived_ids):
        db.session.execute(update(Classroom).where(Classroom.id.in_(chunk)).values(archived=True),
                           execution_options={"synchronize_session": False})
    return archived_ids

def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def get_batch(batch_id) -> PromotionBatch:
    batch = db.session.get(PromotionBatch, ident) if (ident := as_id(batch_id)) else None
    if batch is None:
        raise NotFound(_("That rollover does not exist."))
    return batch


def list_batches(limit: int = 20) -> list[PromotionBatch]:
    return list(db.session.scalars(select(PromotionBatch).order_by(PromotionBatch.id.desc()).limit(limit)))


def batch_moves(batch: PromotionBatch) -> list[PromotionMove]:
    return list(db.session.scalars(
        select(PromotionMove).join(User, User.id == PromotionMove.student_id)
        .where(PromotionMove.batch_id == batch.id)
        .order_by(PromotionMove.from_classroom_name, User.full_name, User.id)))


def _local_date(moment) -> date:
    try:
        zone = ZoneInfo(current_organization().timezone)
    except Exception:
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone).date()


def undo_blocker(batch: PromotionBatch) -> str | None:
    """Why ``batch`` cannot be undone now (None when it can)."""
    if batch.undone_at is not None:
        return _("This rollover has already been undone.")
    if _local_date(batch.created_at) != local_today():
        return _("A rollover can only be undone on the day it was run.")
    later = db.session.scalar(select(func.count()).select_from(PromotionBatch).where(
        PromotionBatch.id > batch.id, PromotionBatch.undone_at.is_(None)))
    if later:
        return _("A later rollover has been run; undo that one first.")
    if current_academic_year() != batch.to_year:
        return _("The academic year was changed after the rollover; set it back to %(year)s to undo.",
                 year=batch.to_year)
    changed = db.session.scalar(select(func.count()).select_from(ClassroomMembership).where(
        ((ClassroomMembership.id > batch.membership_id_watermark)
         & ((ClassroomMembership.batch_id != batch.id) | ClassroomMembership.batch_id.is_(None)))
        | ((ClassroomMembership.batch_id == batch.id)
           & (ClassroomMembership.status != MembershipStatus.ACTIVE))))
    if changed:
        return _("Students were placed or moved after the rollover, so it can no longer be undone "
                 "automatically.")
    return None


def undo_rollover(actor, batch: PromotionBatch) -> None:
    """Put back exactly what ``batch`` changed: memberships, student statuses, classrooms, year."""
    require_admin(actor)
    blocker = undo_blocker(batch)
    if blocker:
        raise BusinessRuleViolation(blocker, code="UNDO_NOT_POSSIBLE")
    moves = list(db.session.execute(
        select(PromotionMove.student_id, PromotionMove.outcome, PromotionMove.from_membership_id,
               PromotionMove.previous_student_status).where(PromotionMove.batch_id == batch.id)))
    db.session.execute(delete(ClassroomMembership).where(ClassroomMembership.batch_id == batch.id),
                       execution_options={"synchronize_session": False})
    for chunk in _chunks([m.from_membership_id for m in moves if m.from_membership_id]):
        db.session.execute(update(ClassroomMembership).where(ClassroomMembership.id.in_(chunk))
                           .values(status=MembershipStatus.ACTIVE.value, ended_on=None),
                           execution_options={"synchronize_session": False})
    graduated = [m for m in moves if m.outcome == MoveOutcome.GRADUATED]
    for chunk in _chunks([m.student_id for m in graduated if m.previous_student_status is None]):
        db.session.execute(delete(StudentProfile).where(StudentProfile.user_id.in_(chunk)),
                           execution_options={"synchronize_session": False})
    for status in {m.previous_student_status for m in graduated if m.previous_student_status}:
        ids = [m.student_id for m in graduated if m.previous_student_status == status]
        for chunk in _chunks(ids):
            db.session.execute(update(StudentProfile).where(StudentProfile.user_id.in_(chunk))
                               .values(status=status), execution_options={"synchronize_session": False})
    for chunk in _chunks(list(batch.created_assignment_ids or [])):
        db.session.execute(delete(TeacherAssignment).where(TeacherAssignment.id.in_(chunk)),
                           execution_options={"synchronize_session": False})
    try:
        with db.session.begin_nested():
            for chunk in _chunks(list(batch.created_classroom_ids or [])):
                db.session.execute(delete(TeacherAssignment).where(TeacherAssignment.classroom_id.in_(chunk)),
                                   execution_options={"synchronize_session": False})
                db.session.execute(delete(Classroom).where(Classroom.id.in_(chunk)),
                                   execution_options={"synchronize_session": False})
    except IntegrityError as err:
        raise BusinessRuleViolation(_("The new year's classrooms are already in use (subjects, sessions…), so "
                                      "the rollover can no longer be undone automatically."),
                                    code="UNDO_NOT_POSSIBLE") from err
    for chunk in _chunks(list(batch.archived_classroom_ids or [])):
        db.session.execute(update(Classroom).where(Classroom.id.in_(chunk)).values(archived=False),
                           execution_options={"synchronize_session": False})
    org = ensure_organization()
    org.academic_year = batch.previous_academic_year
    batch.undone_at = utcnow()
    batch.undone_by_id = getattr(actor, "id", None)
    db.session.flush()
    db.session.expire_all()
    record(actor, "school.rollover_undo", batch, from_year=batch.from_year, to_year=batch.to_year,
           students=len(moves))
