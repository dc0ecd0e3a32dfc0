"""The assessment list and bank, creating, the assessment page (teachers: the editor; students:
the start page), settings, attaching, publishing, archiving, duplicating, deleting."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from lms.assessments import authoring, extensions, hooks, services, taking
from lms.assessments import questions as qtypes
from lms.assessments.forms import (
    DISPLAY_LABELS,
    RESULTS_LABELS,
    SCORING_LABELS,
    STATUS_LABELS,
    SUBMISSION_STATUS_LABELS,
    CreateForm,
    MediaForm,
    SettingsForm,
)
from lms.assessments.media import media_map, media_of, render_with_media
from lms.assessments.models import Assessment, AssessmentStatus, Submission, counted
from lms.auth.models import Role
from lms.common.access import allow
from lms.common.formviews import arg_int, deleted, saved_answer, saving
from lms.common.htmx import redirect_to, render, render_form_errors
from lms.common.labels import level_label
from lms.common.navigation import nav_item
from lms.common.pagination import paginate
from lms.curriculum import services as curriculum
from lms.curriculum import tree
from lms.extensions import db
from lms.resources import services as resources
from lms.school.history import current_year_start

bp = Blueprint("assessments", __name__)
bp.record_once(lambda _state: hooks.connect_signals())

nav_item("assessments.index", _l("Assessments"), Role.ADMIN, Role.TEACHER, Role.STUDENT, order=40,
         group="assessments")

STAFF = (Role.ADMIN, Role.TEACHER)


def common_context() -> dict:
    return {"type_labels": qtypes.TYPE_LABELS, "status_labels": STATUS_LABELS,
            "submission_status_labels": SUBMISSION_STATUS_LABELS, "scoring_labels": SCORING_LABELS,
            "results_labels": RESULTS_LABELS, "display_labels": DISPLAY_LABELS}


def _choices(form) -> None:
    choices = services.filter_choices()
    form.core_subject_id.choices = [("", _("Any / not set"))] + [(str(c.id), c.name) for c in choices["cores"]]
    form.level_id.choices = [("", _("Any / not set"))] + [(str(lv.id), level_label(lv)) for lv in choices["levels"]]


# --- lists ----------------------------------------------------------------------------------------------


def _filters(place: str) -> services.ListFilters:
    return services.ListFilters(
        q=request.args.get("q", "").strip()[:100], core_id=arg_int("core"), level_id=arg_int("level"),
        qtype=request.args.get("type", ""), status=request.args.get("status", ""),
        tag=request.args.get("tag", "").strip()[:40], place=place or request.args.get("place", ""),
        mine=request.args.get("mine") == "1")


def _staff_list(place: str):
    filters = _filters(place)
    page = paginate(services.list_query(current_user, filters), scalars=False)
    ids = [row[0].id for row in page.items]
    ctx = {"results": page, "filters": filters, "bank": place == "bank", "counts": services.question_counts(ids),
           "choices": services.filter_choices(), "types": qtypes.QUESTION_TYPES, **common_context()}
    return render("assessments/index.html", "assessments/_list.html", **ctx)


def student_rows(student, assessments) -> list[dict]:
    """Each assessment with the student's attempts of this academic year (one query for all): a
    repeating student's attempts of last year are history, not "done" again this year."""
    ids = [a.id for a in assessments]
    attempts: dict[int, list[Submission]] = {}
    if ids:
        stmt = select(Submission).where(Submission.student_id == student.id, Submission.assessment_id.in_(ids))
        if (start := current_year_start()) is not None:
            stmt = stmt.where(Submission.started_at >= start)
        for s in db.session.scalars(stmt.order_by(Submission.attempt_number)):
            attempts.setdefault(s.assessment_id, []).append(s)
    extended = extensions.extensions_by_pair([student.id], ids)
    return [{"assessment": a, "attempts": attempts.get(a.id, []), "extension": extended.get((student.id, a.id)),
             "open": next((s for s in attempts.get(a.id, []) if s.is_open), None)} for a in assessments]


@bp.route("/assessments")
@allow(Role.ADMIN, Role.TEACHER, Role.STUDENT)
def index():
    if current_user.role == Role.STUDENT:
        stmt = services.visible_assessments(current_user).order_by(
            Assessment.due_at.is_(None), Assessment.due_at, Assessment.title, Assessment.id)
        page = paginate(stmt)
        return render("assessments/student_index.html", "assessments/_student_list.html", results=page,
                      rows=student_rows(current_user, page.items), **common_context())
    return _staff_list("")


@bp.route("/assessments/bank")
@allow(Role.ADMIN, Role.TEACHER)
def bank():
    return _staff_list("bank")


@bp.route("/assessments/new", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
def create():
    form = CreateForm() if request.method == "POST" else CreateForm(formdata=None)
    _choices(form)
    if request.method == "POST" and form.validate():
        with saving(form) as saved:
            assessment = services.create_assessment(current_user, form.title.data,
                                                    instructions=form.instructions.data,
                                                    core_subject_id=form.core_subject_id.data or None,
                                                    level_id=form.level_id.data or None)
        if saved:
            flash(_("“%(title)s” was created in the bank as a draft. Add its questions.", title=assessment.title),
                  "success")
            return redirect_to(url_for("assessments.detail", assessment_id=assessment.id))
    if request.method == "POST":
        return render_form_errors("assessments/new.html", "assessments/_create_form.html", form=form)
    return render("assessments/new.html", "assessments/_create_form.html", form=form)


# --- the assessment page -----------------------------------------------------------------------------------


def place_label(assessment: Assessment) -> str | None:
    node = services.attached_node(assessment)
    if node is None:
        return None
    subject = curriculum.subject_of(node)
    return subject.name if node is subject else f"{subject.name} › {node.title}"


def question_list_context(assessment: Assessment, media=None) -> dict:
    """What the question list (``_questions.html``), one of its rows and its totals show."""
    questions = services.questions_of(assessment.id)
    media = media_map(assessment.id) if media is None else media
    return {
        "assessment": assessment, "editable": services.can_edit_assessment(current_user, assessment),
        "questions": questions, "total_points": sum(q.points for q in questions),
        "rendered": {q.id: render_with_media(q.text, media, staff=True) for q in questions},
        "question_problems": {q.id: qtypes.problems_of(q.type, q.options, q.key, q.text) for q in questions},
        "answer_counts": authoring.answer_counts([q.id for q in questions]),
        "problems": services.publish_problems(assessment) if assessment.status != AssessmentStatus.PUBLISHED else [],
        "correct_text": qtypes.correct_answer_text, **common_context(),
    }


def editor_context(assessment: Assessment, *, settings_form=None, media_form=None) -> dict:
    media = media_map(assessment.id)
    if settings_form is None:
        settings_form = SettingsForm(formdata=None)
        settings_form.fill(assessment)
    _choices(settings_form)
    media_form = media_form or MediaForm(formdata=None)

    own = list(db.session.scalars(resources.visible_resources(current_user).where(
        resources.Resource.owner_id == current_user.id, resources.Resource.kind != "LINK")
        .order_by(resources.Resource.created_at.desc()).limit(100)))
    media_form.resource_id.choices = [("", _("Choose…"))] + [(str(r.id), r.title) for r in own]
    listing = question_list_context(assessment, media)
    return {
        **listing,
        "media_rows": media_of(assessment.id), "instructions": render_with_media(assessment.instructions, media,
                                                                                  staff=True),
        "place": place_label(assessment), "submission_count": _submission_count(assessment),
        "settings_form": settings_form, "media_form": media_form,
        **(_extension_list(assessment) if listing["editable"] and (assessment.due_at or assessment.attempts_allowed) else {}),
    }


def _extension_list(assessment: Assessment) -> dict:
    """The extensions panel of the assessment's page (``views_extensions``)."""
    return {"extension_rows": extensions.extensions_of(assessment),
            "candidates": extensions.extension_candidates(current_user, assessment)}


def _submission_count(assessment: Assessment) -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(Submission).where(
        Submission.assessment_id == assessment.id, Submission.status != "IN_PROGRESS", counted())) or 0


def student_context(assessment: Assessment) -> dict:
    attempts = taking.attempts_of(current_user, assessment)
    open_attempt = next((s for s in attempts if s.is_open), None)
    problem = None if open_attempt else taking.start_problem(current_user, assessment, attempts)
    start = current_year_start()
    return {"assessment": assessment, "attempts": attempts, "open_attempt": open_attempt, "problem": problem,
            "used": len(taking.this_years(attempts, start)), "year_start": start,
            "instructions": render_with_media(assessment.instructions, media_map(assessment.id)),
            "question_count": assessment.random_count or len(services.questions_of(assessment.id)),
            "place": place_label(assessment),
            "extension": extensions.extension_of(assessment.id, current_user.id), **common_context()}


@bp.route("/assessments/<int:assessment_id>")
@allow(Role.ADMIN, Role.TEACHER, Role.STUDENT)
def detail(assessment_id):
    assessment = services.get_assessment_for(current_user, assessment_id)
    if current_user.role == Role.STUDENT:
        return render("assessments/start.html", **student_context(assessment))
    return render("assessments/edit.html", **editor_context(assessment))


def editable_assessment(assessment_id) -> Assessment:
    """The assessment if the current user may see (else 404) and change it (else 403)."""
    assessment = services.get_assessment_for(current_user, assessment_id)
    services.require_edit_assessment(current_user, assessment)
    return assessment


@bp.route("/assessments/<int:assessment_id>/settings", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def settings(assessment_id):
    assessment = editable_assessment(assessment_id)
    form = SettingsForm()
    _choices(form)
    if form.validate():
        with saving(form) as saved:
            services.update_settings(current_user, assessment, form.to_input())
        if saved:
            return saved_answer(_("Settings saved."), url_for("assessments.detail", assessment_id=assessment.id),
                                "assessments/edit.html", "assessments/_settings.html",
                                lambda: editor_context(assessment))
    assessment = editable_assessment(assessment_id)
    return render_form_errors("assessments/edit.html", "assessments/_settings.html",
                              **editor_context(assessment, settings_form=form))


def _status_action(assessment_id, action, message):
    assessment = editable_assessment(assessment_id)
    with saving() as saved:
        action(current_user, assessment)
    if not saved:
        return redirect_to(url_for("assessments.detail", assessment_id=assessment_id))
    flash(message(assessment), "success")
    return redirect_to(url_for("assessments.detail", assessment_id=assessment.id))


@bp.route("/assessments/<int:assessment_id>/publish", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def publish(assessment_id):
    return _status_action(assessment_id, services.publish,
                          lambda a: _("“%(title)s” is published.", title=a.title) if a.attached else
                          _("“%(title)s” is published; attach it to a section so that students see it.",
                            title=a.title))


@bp.route("/assessments/<int:assessment_id>/unpublish", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def unpublish(assessment_id):
    return _status_action(assessment_id, services.unpublish, lambda a: _("“%(title)s” is a draft again.",
                                                                          title=a.title))


@bp.route("/assessments/<int:assessment_id>/archive", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def archive(assessment_id):
    return _status_action(assessment_id, services.archive,
                          lambda a: _("“%(title)s” is archived: students no longer see it; results are kept.",
                                      title=a.title))


@bp.route("/assessments/<int:assessment_id>/restore", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def restore(assessment_id):
    return _status_action(assessment_id, services.restore,
                          lambda a: _("“%(title)s” is a draft again; publish it when ready.", title=a.title))


@bp.route("/assessments/<int:assessment_id>/detach", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def detach(assessment_id):
    return _status_action(assessment_id, services.detach,
                          lambda a: _("“%(title)s” is back in the bank.", title=a.title))


@bp.route("/assessments/<int:assessment_id>/duplicate", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def duplicate(assessment_id):
    assessment = services.get_assessment_for(current_user, assessment_id)
    copy = services.duplicate(current_user, assessment)
    db.session.commit()
    flash(_("A copy was made in the bank: “%(title)s”.", title=copy.title), "success")
    return redirect_to(url_for("assessments.detail", assessment_id=copy.id))


@bp.route("/assessments/<int:assessment_id>/delete", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def delete(assessment_id):
    assessment = editable_assessment(assessment_id)
    title = assessment.title
    with saving() as saved:
        services.delete(current_user, assessment)
    if not saved:
        return redirect_to(url_for("assessments.detail", assessment_id=assessment_id))
    return deleted(title, url_for("assessments.bank"))


# --- attaching -------------------------------------------------------------------------------------------


@bp.route("/assessments/<int:assessment_id>/attach", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
def attach(assessment_id):
    assessment = editable_assessment(assessment_id)
    if request.method == "POST":
        kind, _sep, node_id = request.form.get("target", "").partition(":")
        with saving() as saved:
            services.attach(current_user, assessment, kind, node_id)
        if not saved:
            return redirect_to(url_for("assessments.attach", assessment_id=assessment_id,
                                       subject=request.form.get("subject", "")))
        flash(_("“%(title)s” is attached to %(place)s.", title=assessment.title, place=place_label(assessment)),
              "success")
        return redirect_to(url_for("assessments.detail", assessment_id=assessment.id))
    subjects = services.attach_targets(current_user)
    chosen = None
    subject_id = arg_int("subject")
    if subject_id:
        chosen = next((s for s in subjects if s.id == subject_id), None)
        if chosen is None:
            chosen = curriculum.get_subject_for(current_user, subject_id)
            curriculum.require_edit(current_user, chosen)
    ctx = {"assessment": assessment, "subjects": subjects, "chosen": chosen,
           "tree": tree.subject_tree(chosen) if chosen else None, "place": place_label(assessment),
           "current": assessment.attachment}
    return render("assessments/attach.html", "assessments/_picker.html", **ctx)


# --- the curriculum pages: assessments attached there --------------------------------------------------------


@bp.app_template_global("assessments_for")
def assessments_for(node, *, whole_subject: bool = False) -> list[dict]:
    """For a section (or subject) page: the assessments the current user sees attached there,
    with the student's attempts (two queries)."""
    if not getattr(current_user, "is_authenticated", False) or current_user.role == Role.PARENT:
        return []
    kind = "subject" if node.__class__.__name__ == "Subject" else node.kind
    if whole_subject:
        items = services.in_subject(current_user, node.id)
    else:
        items = services.attached_to_node(current_user, kind, node.id)
    if current_user.role == Role.STUDENT:
        rows = student_rows(current_user, items)
        places = services.place_titles(items) if whole_subject else {}
        for row in rows:
            row["state"] = taking.student_status(row["assessment"], row["attempts"])
            row["place"] = places.get(row["assessment"].id)
        return rows
    return [{"assessment": a, "attempts": [], "open": None} for a in items]

