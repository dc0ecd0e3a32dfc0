"""``/sessions/<id>/enrollments``: the students of a teaching session — approve, reject, complete, drop,
remove; grade and completion inline; each student's own content and work (an assessment, an exercise)
and its result; add a student; CSV."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from lms.auth.models import Role, User
from lms.common.access import allow
from lms.common.csvexport import csv_response, local_datetime
from lms.common.formviews import saving
from lms.common.htmx import is_htmx, redirect_to, render
from lms.common.labels import label
from lms.common.pagination import paginate
from lms.curriculum.models import Part, Section, Subject, Unit
from lms.curriculum.services import visible_subjects
from lms.extensions import db
from lms.school import cohorts
from lms.teaching import enrollments as service
from lms.teaching import services, work
from lms.teaching.models import EXERCISE_MAX
from lms.teaching.settings import letter_for
from lms.teaching.views_sessions import ENROLLMENT_LABELS, common_context, load, load_with

bp = Blueprint("enrollments", __name__)

ACTIONS = {  # current status → the statuses a teacher may move it to (buttons: _action_labels)
    "PENDING": ["ENROLLED", "DROPPED"],
    "ENROLLED": ["COMPLETED", "DROPPED", "EXPELLED"],
}


def _action_labels():
    return {"ENROLLED": _("Approve"), "DROPPED": _("Drop"), "COMPLETED": _("Mark completed"),
            "EXPELLED": _("Remove")}


def _content_choices() -> tuple[list, dict]:
    """Subjects the actor can see, and their sections (for the per-student content pickers; 2 queries)."""
    subjects = list(db.session.scalars(visible_subjects(current_user).where(Subject.archived.is_(False))
                                       .order_by(Subject.name, Subject.id)))
    sections: dict[int, list] = {s.id: [] for s in subjects}
    if subjects:
        rows = db.session.execute(
            select(Section.id, Section.title, Unit.subject_id).join(Part, Part.id == Section.part_id)
            .join(Unit, Unit.id == Part.unit_id).where(Unit.subject_id.in_(list(sections)))
            .order_by(Unit.position, Part.position, Section.position))
        for section_id, title, subject_id in rows:
            sections[subject_id].append((section_id, title))
    return subjects, sections


def _row_context(course_session, **extra) -> dict:
    """What one student's row needs (the list page adds its page of rows and filters)."""
    subjects, sections = _content_choices()
    settings = services.settings_of(course_session)
    return common_context(course_session=course_session, actions=ACTIONS, action_labels=_action_labels(),
                          subjects=subjects, sections=sections,
                          section_titles={sid: t for rows in sections.values() for sid, t in rows},
                          subject_names={s.id: s.name for s in subjects}, scale=settings.grading_scale,
                          letter_for=letter_for, expired=services.is_expired(course_session),
                          assessments=work.assessment_choices(current_user), exercise_max=EXERCISE_MAX, **extra)


def _context(course_session, **extra) -> dict:
    status = request.args.get("status", "")
    status = status if status in ENROLLMENT_LABELS else ""
    q = request.args.get("q", "").strip()[:100]
    results = paginate(service.enrollment_list_query(course_session, status=status, q=q), per_page=50,
                       scalars=False)
    work_results = work.results_for(current_user, [e for e, _student in results.items])
    return _row_context(course_session, results=results, status_filter=status, q=q, work_results=work_results,
                        cohort_options=cohorts.cohort_choices(current_user), **extra)


@bp.route("/sessions/<int:session_id>/enrollments")
@allow(Role.ADMIN, Role.TEACHER)
def index(session_id: int):
    course_session = load(session_id)
    response = render("teaching/enrollments.html", "teaching/_enrollments.html", **_context(course_session))
    db.session.commit()
    return response


def _row(course_session, enrollment, *, error: str | None = None, status: int = 200):
    """One student's row, for htmx (the list itself is not queried again)."""
    student = db.session.get(User, enrollment.student_id)
    return render("teaching/enrollments.html", "teaching/_enrollment_row.html", status=status,
                  **_row_context(course_session, e=enrollment, student=student, row_error=error,
                                 work_results=work.results_for(current_user, [enrollment])))


def _act(session_id: int, enrollment_id: int, action):
    course_session, enrollment = load_with(session_id, service.get_enrollment_for, enrollment_id)
    with saving(quiet=is_htmx()) as saved:  # a plain post flashes the refusal, htmx shows it in the row
        action(course_session, enrollment)
    if not is_htmx():
        if saved:
            flash(_("Saved."), "success")
        return redirect_to(url_for("teaching.enrollments.index", session_id=session_id))
    if not saved:
        course_session, enrollment = load_with(session_id, service.get_enrollment_for, enrollment_id)
        status = saved.error.status if saved.error.status != 400 else 422
        return _row(course_session, enrollment, error=saved.message, status=status)
    return _row(course_session, enrollment)


@bp.route("/sessions/<int:session_id>/enrollments/<int:enrollment_id>/status", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def status(session_id: int, enrollment_id: int):
    wanted = request.form.get("enrollment_status")
    return _act(session_id, enrollment_id,
                lambda s, e: service.change_status(current_user, s, e, wanted))


@bp.route("/sessions/<int:session_id>/enrollments/<int:enrollment_id>/grade", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def grade(session_id: int, enrollment_id: int):
    data = {"completion_percentage": request.form.get("completion_percentage"),
            "final_grade": request.form.get("final_grade") or None}
    return _act(session_id, enrollment_id, lambda s, e: service.set_grade(current_user, s, e, data))


@bp.route("/sessions/<int:session_id>/enrollments/<int:enrollment_id>/content", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def content(session_id: int, enrollment_id: int):
    form = request.form
    return _act(session_id, enrollment_id, lambda s, e: service.assign_content(
        current_user, s, e, subject_id=form.get("subject_id") or None, section_id=form.get("section_id") or None,
        notes=form.get("notes", ""), notes_shared=bool(form.get("notes_shared_with_parents"))))


@bp.route("/sessions/<int:session_id>/enrollments/<int:enrollment_id>/work", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def assign_work(session_id: int, enrollment_id: int):
    """One student's own assessment and exercise (seed 004's per-student work)."""
    form = request.form
    return _act(session_id, enrollment_id, lambda s, e: work.assign_work(
        current_user, s, e, assessment_id=form.get("assessment_id") or None,
        exercise=form.get("exercise_content", "")))


@bp.route("/sessions/<int:session_id>/enrollments/add", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def add(session_id: int):
    course_session = load(session_id)
    with saving(quiet=True) as saved:
        service.add_student(current_user, course_session, request.form.get("student", ""))
    if not saved:
        course_session = load(session_id)
        response = render("teaching/enrollments.html", "teaching/_enrollments.html",
                          **_context(course_session, add_error=saved.message, add_value=request.form.get("student", "")))
        if is_htmx():
            response.status_code = 422
        return response
    flash(_("%(email)s was added to the session.", email=request.form.get("student", "").strip()), "success")
    return redirect_to(url_for("teaching.enrollments.index", session_id=session_id))


def _cohort_summary(result) -> str:
    text = ngettext("%(num)d student of “%(cohort)s” was enrolled.", "%(num)d students of “%(cohort)s” were enrolled.",
                    len(result.enrolled), cohort=result.cohort_name)
    if result.skipped:
        text += " " + _("Skipped: %(list)s.", list="; ".join(f"{s.full_name} ({why})" for s, why in result.skipped))
    return text


@bp.route("/sessions/<int:session_id>/enrollments/add-cohort", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def add_cohort(session_id: int):
    """Enrol a whole cohort in one step; the answer says who was enrolled, and who was skipped and why."""
    course_session = load(session_id)
    cohort_id = request.form.get("cohort_id", "")
    with saving(quiet=True) as saved:
        result = service.enroll_cohort(current_user, course_session, cohort_id)
    if not is_htmx():
        flash(_cohort_summary(result) if saved else saved.message, "success" if saved else "error")
        return redirect_to(url_for("teaching.enrollments.index", session_id=session_id))
    course_session = load(session_id)
    if saved:
        return render("teaching/enrollments.html", "teaching/_enrollments.html",
                      **_context(course_session, cohort_result=result))
    status = saved.error.status if saved.error.status not in (None, 400) else 422
    return render("teaching/enrollments.html", "teaching/_enrollments.html", status=status,
                  **_context(course_session, cohort_error=saved.message, cohort_value=cohort_id))


@bp.route("/sessions/<int:session_id>/enrollments.csv")
@allow(Role.ADMIN, Role.TEACHER)
def export(session_id: int):
    course_session = load(session_id)
    scale = services.settings_of(course_session).grading_scale
    header = [_("Student"), _("Email"), _("Status"), _("Enrolled at"), _("Completion (%)"), _("Grade"), _("Letter grade")]
    rows = [[student.full_name, student.email, label("enrollment_status", e.enrollment_status),
             local_datetime(e.enrolled_at), e.completion_percentage, "" if e.final_grade is None else e.final_grade,
             letter_for(scale, e.final_grade) or ""]
            for e, student in db.session.execute(service.enrollment_list_query(course_session))]
    return csv_response(f"session-{course_session.id}-students.csv", header, rows)

