"""The gradebook (a classroom's students × a subject's assessments) and a student's progress.

Both are built from a fixed number of queries whatever the number of students, assessments
and attempts (the roster, the assessments, every attempt at once, the excusals).

Which score counts (``scoring_policy``): HIGHEST — the best graded attempt; LATEST — the last
submitted attempt (shown as *pending* while it waits for grading); AVERAGE — the mean of the
graded attempts.  Scores are shown as points and as a percentage of the attempt's maximum.
Markers: *late* (the counting attempt was late), *missing* (past the due date with nothing
submitted; counts as 0 in averages), *excused* (left out of averages), *pending* (submitted,
waiting for hand grading; left out of averages).  Averages are plain means of percentages.

This year's gradebook and progress leave out last year's work (``history.of_this_year``): after a
rollover a level's subject goes on with a new class, which is not *missing* last year's quizzes, and
a repeating student's attempts from last year stay in last year's history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from lms.assessments import history
from lms.assessments.extensions import due_for, extensions_by_pair
from lms.assessments.models import (
    Assessment,
    AssessmentExcusal,
    AssessmentStatus,
    ScoringPolicy,
    Submission,
    SubmissionStatus,
)
from lms.assessments.questions import plain_number
from lms.assessments.services import attached_in_subjects, home_subject_id_expr, visibility_condition
from lms.assessments.taking import FINISHED, GRADED, results_visible
from lms.common.errors import Forbidden
from lms.common.types import utcnow
from lms.core.academic_year import current_academic_year
from lms.curriculum.services import progress_by_subject, subjects_of_classroom
from lms.extensions import db
from lms.school.history import (
    classroom_memberships,
    current_year_start,
    is_past,
    year_end_roster,
    year_window,
)
from lms.school.services import current_classroom_of, roster


@dataclass
class Cell:
    state: str = "none"            # score, pending, missing, excused, in_progress, none
    percent: float | None = None
    score: float | None = None
    max_score: float | None = None
    late: bool = False
    pending: bool = False           # another attempt waits for grading
    submission_id: int | None = None
    attempts: int = 0
    hidden: bool = False            # submitted, but the results are not shown to this viewer
    extension: object = None        # the student's AssessmentExtension, if any


def _percent(submission: Submission) -> float | None:
    if submission.final_score is None or not submission.max_score:
        return None
    return round(100 * submission.final_score / submission.max_score, 1)


def counting_cell(assessment: Assessment, attempts: list[Submission], *, excused: bool = False,
                  now=None, extension=None) -> Cell:
    """The cell for one student and one assessment from their attempts (any order); *missing*
    counts from the student's own due date when they have an extension."""
    now = now or utcnow()
    attempts = sorted(attempts, key=lambda s: s.attempt_number)
    finished = [s for s in attempts if s.status in FINISHED]
    graded = [s for s in finished if s.status in GRADED]
    cell = Cell(attempts=len(finished), extension=extension)
    due = due_for(assessment, extension)
    if excused:
        cell.state = "excused"
        return cell
    if not finished:
        if any(s.status == SubmissionStatus.IN_PROGRESS for s in attempts):
            cell.state = "in_progress"
        elif due and now > due:
            cell.state, cell.percent = "missing", 0.0
        return cell
    policy = assessment.scoring_policy
    if policy == ScoringPolicy.LATEST:
        chosen = finished[-1]
        if chosen.status not in GRADED:
            cell.state, cell.submission_id = "pending", chosen.id
            return cell
        picked = [chosen]
    else:
        picked = graded
    if not picked:
        cell.state, cell.submission_id = "pending", finished[-1].id
        return cell
    cell.pending = len(graded) < len(finished)
    if policy == ScoringPolicy.AVERAGE:
        percents = [p for p in (_percent(s) for s in picked) if p is not None]
        cell.percent = round(sum(percents) / len(percents), 1) if percents else None
        cell.score = round(sum(s.final_score or 0 for s in picked) / len(picked), 2)
        cell.max_score = round(sum(s.max_score for s in picked) / len(picked), 2)
        cell.late = any(s.late for s in picked)
        cell.submission_id = picked[-1].id
    else:
        best = max(picked, key=lambda s: (_percent(s) or 0, s.attempt_number)) if policy == ScoringPolicy.HIGHEST \
            else picked[-1]
        cell.percent, cell.score, cell.max_score = _percent(best), best.final_score, best.max_score
        cell.late, cell.submission_id = best.late, best.id
    cell.state = "score"
    return cell


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(sum(values) / len(values), 1) if values else None


# --- the gradebook ------------------------------------------------------------------------------------


@dataclass
class Gradebook:
    classroom: object
    subject: object
    students: list
    assessments: list
    read_only: bool = False                           # an archived classroom (a past year)
    cells: dict = field(default_factory=dict)          # (student id, assessment id) -> Cell
    student_average: dict = field(default_factory=dict)
    assessment_average: dict = field(default_factory=dict)

    def cell(self, student_id: int, assessment_id: int) -> Cell:
        return self.cells.get((student_id, assessment_id), Cell())


def subject_assessments(subject_ids, *conditions) -> list[tuple[Assessment, int]]:
    """Published (and archived) assessments attached anywhere in these subjects (and meeting the
    extra ``conditions``), with the subject id of each, by due date then title (one query)."""
    home = home_subject_id_expr()
    rows = db.session.execute(
        select(Assessment, home.label("home_subject_id"))
        .where(attached_in_subjects(list(subject_ids)),
               Assessment.status.in_((AssessmentStatus.PUBLISHED, AssessmentStatus.ARCHIVED)), *conditions)
        .order_by(Assessment.due_at.is_(None), Assessment.due_at, Assessment.title, Assessment.id))
    return [(assessment, subject_id) for assessment, subject_id in rows]


def attempts_by_pair(student_ids, assessment_ids, since=None) -> dict[tuple[int, int], list[Submission]]:
    """The attempts of these students at these assessments (started at or after ``since``)."""
    students, assessments = list(student_ids), list(assessment_ids)
    result: dict[tuple[int, int], list[Submission]] = {}
    if not students or not assessments:
        return result
    stmt = select(Submission).where(Submission.student_id.in_(students), Submission.assessment_id.in_(assessments))
    if since is not None:
        stmt = stmt.where(Submission.started_at >= since)
    for submission in db.session.scalars(stmt):
        result.setdefault((submission.student_id, submission.assessment_id), []).append(submission)
    return result


def excused_pairs(student_ids, assessment_ids, since=None) -> set[tuple[int, int]]:
    """(student id, assessment id) of the excusals (made at or after ``since``)."""
    students, assessments = list(student_ids), list(assessment_ids)
    if not students or not assessments:
        return set()
    stmt = select(AssessmentExcusal.student_id, AssessmentExcusal.assessment_id).where(
        AssessmentExcusal.student_id.in_(students), AssessmentExcusal.assessment_id.in_(assessments))
    if since is not None:
        stmt = stmt.where(AssessmentExcusal.created_at >= since)
    return set(db.session.execute(stmt).all())


def gradebook_students(classroom) -> list:
    """This year: the classroom's current students; an archived classroom: those who finished the
    year in it."""
    return [user for user, _profile in (year_end_roster(classroom) if is_past(classroom) else roster(classroom))]


def gradebook_assessments(classroom, subject, student_ids, start) -> list[Assessment]:
    """The subject's assessments; for this year's classroom (``start``: ``current_year_start()``)
    this year's only (an archived classroom's are chosen by ``history.of_past_class``)."""
    return [a for a, _subject_id in subject_assessments([subject.id], history.of_this_year(student_ids, start))]


def build_gradebook(classroom, subject) -> Gradebook:
    """The classroom's students × the subject's assessments. An archived classroom (a past year)
    keeps the students who finished the year in it and the assessments of that year, read-only."""
    past = is_past(classroom)
    students = gradebook_students(classroom)
    student_ids = [s.id for s in students]
    start = None if past else current_year_start()
    assessments = gradebook_assessments(classroom, subject, student_ids, start)
    assessment_ids = [a.id for a in assessments]
    attempts = attempts_by_pair(student_ids, assessment_ids, since=start)
    excused = excused_pairs(student_ids, assessment_ids, since=start)
    if past:
        worked_on = {assessment_id for _student_id, assessment_id in [*attempts, *excused]}
        assessments = history.of_past_class(assessments, year_window(classroom_memberships(classroom)), worked_on)
        assessment_ids = [a.id for a in assessments]
    book = Gradebook(classroom=classroom, subject=subject, students=students, assessments=assessments,
                     read_only=past)
    extended = extensions_by_pair(student_ids, assessment_ids)
    now = utcnow()
    for student in students:
        for assessment in assessments:
            pair = (student.id, assessment.id)
            book.cells[pair] = counting_cell(assessment, attempts.get(pair, []), excused=pair in excused, now=now,
                                             extension=extended.get(pair))
    for student in students:
        book.student_average[student.id] = _mean(book.cell(student.id, a.id).percent for a in assessments)
    for assessment in assessments:
        book.assessment_average[assessment.id] = _mean(book.cell(s.id, assessment.id).percent for s in students)
    return book


def require_current(classroom) -> None:
    """Excusing and extensions change this year's gradebooks only (403 for an archived one)."""
    if is_past(classroom):
        raise Forbidden(_("This classroom is archived: its gradebook can be read, not changed."))


def cell_text(cell: Cell) -> str:
    if cell.state == "score":
        text = f"{plain_number(cell.score or 0)}/{plain_number(cell.max_score or 0)}"
        if cell.percent is not None:
            text += f" ({plain_number(cell.percent)}%)"
        if cell.late:
            text += " " + _("late")
        return text
    return {"pending": _("pending"), "missing": _("missing"), "excused": _("excused"),
            "in_progress": _("in progress")}.get(cell.state, "")


def cell_status(cell: Cell) -> str:
    """What the numbers of a cell do not say: late, or why there is no score."""
    if cell.state == "score":
        return _("late") if cell.late else ""
    return cell_text(cell)


def _number(value) -> str:
    return "" if value is None else plain_number(value)


def gradebook_table(book: Gradebook) -> tuple[list, list]:
    """The gradebook as a header row and rows for a CSV export (``lms.common.csvexport``): per
    assessment four columns, the score, the maximum and the percent as numbers a spreadsheet can
    sum, and a status (late, missing, excused, pending, in progress)."""
    header = [_("Student"), _("Email")]
    for a in book.assessments:
        header += [_("%(title)s – score", title=a.title), _("%(title)s – out of", title=a.title),
                   _("%(title)s – percent", title=a.title), _("%(title)s – status", title=a.title)]
    header.append(_("Average %"))
    rows = []
    for student in book.students:
        row = [student.full_name, student.email]
        for a in book.assessments:
            cell = book.cell(student.id, a.id)
            scored = cell.state == "score"
            row += [_number(cell.score) if scored else "", _number(cell.max_score) if scored else "",
                    _number(cell.percent), cell_status(cell)]
        rows.append(row + [_number(book.student_average.get(student.id))])
    averages = [_("Average %"), ""]
    for a in book.assessments:
        averages += ["", "", _number(book.assessment_average.get(a.id)), ""]
    rows.append(averages + [""])
    return header, rows


# --- a student's progress ----------------------------------------------------------------------------


@dataclass
class SubjectProgress:
    subject: object
    sections: object                 # lms.curriculum.services.Progress
    rows: list = field(default_factory=list)   # (Assessment, Cell)
    average: float | None = None


def student_progress(viewer, student, year: str | None = None) -> list[SubjectProgress]:
    """Per subject of the student's classroom in ``year`` (default: this academic year): sections
    done, assessment results, average. A past year lists its classrooms' subjects and that year's
    assessments (``lms.assessments.history``).

    Results the viewer may not see yet (results visibility) are shown as submitted, without a
    score, and left out of the average."""
    start = None
    if year is None or year == current_academic_year():
        start = current_year_start()
        subjects, rows = _current_year_rows(student, start)
    else:
        subjects, rows = history.past_year_rows(student, year)
    if not subjects:
        return []
    return _progress(viewer, student, subjects, rows, since=start)


def _current_year_rows(student, start):
    classroom = current_classroom_of(student)
    if classroom is None:
        return [], []
    subjects = [subject for subject, _visible in subjects_of_classroom(student, classroom)]
    if not subjects:
        return [], []
    home = home_subject_id_expr()
    submitted = select(Submission.assessment_id).where(Submission.student_id == student.id)
    rows = db.session.execute(
        select(Assessment, home.label("home_subject_id"))
        .where(attached_in_subjects([s.id for s in subjects]), history.of_this_year([student.id], start),
               or_(visibility_condition(student),
                   and_(Assessment.status == AssessmentStatus.ARCHIVED, Assessment.id.in_(submitted))))
        .order_by(Assessment.due_at.is_(None), Assessment.due_at, Assessment.title, Assessment.id)).all()
    return subjects, rows


def _progress(viewer, student, subjects, rows, since=None) -> list[SubjectProgress]:
    sections = progress_by_subject(student, [s.id for s in subjects])
    assessment_ids = [a.id for a, _s in rows]
    attempts = attempts_by_pair([student.id], assessment_ids, since=since)
    excused = excused_pairs([student.id], assessment_ids, since=since)
    extended = extensions_by_pair([student.id], assessment_ids)
    now = utcnow()
    result = {s.id: SubjectProgress(subject=s, sections=sections[s.id]) for s in subjects}
    for assessment, subject_id in rows:
        if subject_id not in result:
            continue
        mine = attempts.get((student.id, assessment.id), [])
        cell = counting_cell(assessment, mine, excused=(student.id, assessment.id) in excused, now=now,
                             extension=extended.get((student.id, assessment.id)))
        if cell.state == "score" and mine:
            shown = next((s for s in mine if s.id == cell.submission_id), mine[-1])
            if not results_visible(assessment, shown, viewer, now):
                cell = Cell(state="score", hidden=True, attempts=cell.attempts, submission_id=cell.submission_id,
                            extension=cell.extension)
        result[subject_id].rows.append((assessment, cell))
    for progress in result.values():
        progress.average = _mean(cell.percent for _a, cell in progress.rows if not cell.hidden)
    return list(result.values())
