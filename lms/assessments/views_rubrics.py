"""The rubric library (list, create, edit, copy, delete) and a question's rubric."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.assessments import authoring, rubrics
from lms.assessments.models import RUBRIC_MAX_CRITERIA, RUBRIC_MAX_LEVELS
from lms.assessments.views_bank import editable_assessment
from lms.auth.models import Role
from lms.common.access import allow
from lms.common.formviews import deleted, outcome_answer, saving
from lms.common.htmx import redirect_to, render, render_form_errors
from lms.common.navigation import nav_item
from lms.common.pagination import paginate

bp = Blueprint("rubrics", __name__)

nav_item("assessments.rubrics.index", _l("Rubrics"), Role.ADMIN, Role.TEACHER, order=43, group="assessments")

NEW_CRITERIA, NEW_LEVELS = 3, 4


@bp.route("/rubrics")
@allow(Role.ADMIN, Role.TEACHER)
def index():
    q, mine = request.args.get("q", "").strip()[:100], request.args.get("mine") == "1"
    page = paginate(rubrics.library_query(current_user, q=q, mine=mine), per_page=25)
    return render("assessments/rubrics.html", "assessments/_rubric_list.html", results=page, q=q, mine=mine,
                  usage=rubrics.usage_counts(r.id for r in page.items),
                  can_change=lambda r: rubrics.can_change(current_user, r))


# --- the editor -------------------------------------------------------------------------------------------


def _slot(key: str, prefix: str, size: int) -> tuple[int, ...] | None:
    """``(i,)`` or ``(i, j)`` from ``criterion-<i>-…`` / ``level-<i>-<j>-…`` (small numbers only)."""
    parts = key.removeprefix(prefix).rsplit("-", 1)[0].split("-")
    if len(parts) != size or not all(p.isdigit() and len(p) <= 2 for p in parts):
        return None
    return tuple(int(p) for p in parts)


def posted_values(form) -> dict:
    """The editor's fields as the template shows them: ``criterion-<i>-name`` / ``-description`` and
    ``level-<i>-<j>-points`` / ``-description`` (i, j from 0), in order, blank cells kept."""
    criteria: dict[int, dict] = {}
    for key, value in form.items():
        name = key.rsplit("-", 1)[-1]
        if key.startswith("criterion-") and name in ("name", "description"):
            slot = _slot(key, "criterion-", 1)
            if slot:
                criteria.setdefault(slot[0], {"levels": {}})[name] = value
        elif key.startswith("level-") and name in ("points", "description"):
            slot = _slot(key, "level-", 2)
            if slot:
                criteria.setdefault(slot[0], {"levels": {}})["levels"].setdefault(slot[1], {})[name] = value
    rows = []
    for i in sorted(criteria):
        cells = criteria[i]["levels"]
        levels = [{"points": cells.get(j, {}).get("points", ""), "description": cells.get(j, {}).get("description", "")}
                  for j in range(max(cells, default=-1) + 1)]
        rows.append({"name": criteria[i].get("name", ""), "description": criteria[i].get("description", ""),
                     "levels": levels})
    return {"title": form.get("title", ""), "description": form.get("description", ""),
            "shared": form.get("shared") == "1", "criteria": rows}


def rubric_input(values: dict) -> rubrics.RubricInput:
    """The service's input from the editor's values: blank cells and blank criteria left out."""
    criteria = []
    for row in values["criteria"]:
        levels = [rubrics.LevelInput(cell["points"], cell["description"]) for cell in row["levels"]
                  if str(cell["points"]).strip() or str(cell["description"]).strip()]
        if str(row["name"]).strip() or str(row["description"]).strip() or levels:
            criteria.append(rubrics.CriterionInput(row["name"], row["description"], levels))
    return rubrics.RubricInput(title=values["title"], description=values["description"], shared=values["shared"],
                               criteria=criteria)


def _values_of(rubric) -> dict:
    return {"title": rubric.title, "description": rubric.description, "shared": rubric.shared,
            "criteria": [{"name": c.name, "description": c.description,
                          "levels": [{"points": lv.points, "description": lv.description} for lv in c.levels]}
                         for c in rubric.criteria]}


def _editor(rubric, values: dict, *, grow: str = "", error: str | None = None, status: int = 200):
    """The editor with room for one more criterion (and level) than filled, or what ``grow`` asks."""
    criteria = values["criteria"]
    level_slots = max([len(c["levels"]) for c in criteria] + [NEW_LEVELS if not criteria else 1])
    criterion_slots = max(len(criteria), NEW_CRITERIA if rubric is None else 1)
    if grow == "level":
        level_slots += 1
    elif grow == "criterion":
        criterion_slots += 1
    ctx = {"rubric": rubric, "values": values, "error": error,
           "criterion_slots": min(criterion_slots, RUBRIC_MAX_CRITERIA),
           "level_slots": min(level_slots, RUBRIC_MAX_LEVELS),
           "graded_count": rubrics.graded_answer_count(rubric.id) if rubric is not None else 0}
    if status == 422:
        return render_form_errors("assessments/rubric_edit.html", "assessments/_rubric_form.html", **ctx)
    return render("assessments/rubric_edit.html", "assessments/_rubric_form.html", status=status, **ctx)


def _save(rubric):
    """A posted editor: grow the grid, or save (create when ``rubric`` is None)."""
    values = posted_values(request.form)
    grow = request.form.get("grow", "")
    if grow in ("level", "criterion"):
        return _editor(rubric, values, grow=grow)
    with saving(quiet=True) as saved:
        data = rubric_input(values)
        rubric = rubrics.create_rubric(current_user, data) if rubric is None else \
            rubrics.update_rubric(current_user, rubric, data)
    if not saved:
        again = rubrics.get_rubric_for(current_user, rubric.id) if rubric is not None else None
        return _editor(again, values, error=saved.message, status=422)
    flash(_("Rubric “%(title)s” saved.", title=rubric.title), "success")
    return redirect_to(url_for("assessments.rubrics.detail", rubric_id=rubric.id))


@bp.route("/rubrics/new", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
def create():
    if request.method == "POST":
        return _save(None)
    return _editor(None, {"title": "", "description": "", "shared": False, "criteria": []})


@bp.route("/rubrics/<int:rubric_id>")
@allow(Role.ADMIN, Role.TEACHER)
def detail(rubric_id):
    rubric = rubrics.get_rubric_for(current_user, rubric_id)
    return render("assessments/rubric.html", rubric=rubric, can_change=rubrics.can_change(current_user, rubric),
                  graded_count=rubrics.graded_answer_count(rubric.id),
                  attached_count=rubrics.attached_question_count(rubric.id))


@bp.route("/rubrics/<int:rubric_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
def edit(rubric_id):
    rubric = rubrics.get_rubric_for(current_user, rubric_id)
    rubrics.require_change(current_user, rubric)
    if request.method == "POST":
        return _save(rubric)
    return _editor(rubric, _values_of(rubric))


@bp.route("/rubrics/<int:rubric_id>/copy", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def copy(rubric_id):
    rubric = rubrics.get_rubric_for(current_user, rubric_id)
    with saving() as saved:
        copied = rubrics.copy_rubric(current_user, rubric)
    if not saved:
        return redirect_to(url_for("assessments.rubrics.detail", rubric_id=rubric_id))
    flash(_("Copied: this is your own copy, change it as you like."), "success")
    return redirect_to(url_for("assessments.rubrics.edit", rubric_id=copied.id))


@bp.route("/rubrics/<int:rubric_id>/delete", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def delete(rubric_id):
    rubric = rubrics.get_rubric_for(current_user, rubric_id)
    rubrics.require_change(current_user, rubric)
    with saving() as saved:
        title = rubrics.delete_rubric(current_user, rubric)
    if not saved:
        return redirect_to(url_for("assessments.rubrics.detail", rubric_id=rubric_id))
    return deleted(title, url_for("assessments.rubrics.index"))


# --- a question's rubric ------------------------------------------------------------------------------------


def question_rubric_context(assessment, question) -> dict:
    """What ``_question_rubric.html`` shows: the question's rubric and the ones the teacher may pick."""
    return {"assessment": assessment, "question": question,
            "question_rubric": rubrics.rubric_of_question(question.id),
            "rubric_choices": rubrics.rubric_choices(current_user)}


@bp.route("/assessments/<int:assessment_id>/questions/<int:question_id>/rubric", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
def question_rubric(assessment_id, question_id):
    """The question's rubric (a fragment the question editor loads) and choosing another or none."""
    assessment = editable_assessment(assessment_id)
    question = authoring.get_question(assessment, question_id)
    if request.method == "GET":
        return render("assessments/question_rubric.html", "assessments/_question_rubric.html",
                      **question_rubric_context(assessment, question))
    message = None
    with saving(quiet=True) as saved:
        rubric = rubrics.attach_rubric(current_user, assessment, question, request.form.get("rubric", ""))
        message = (_("Graded with “%(title)s” now.", title=rubric.title) if rubric
                   else _("No rubric for this question now."))
    return outcome_answer(saved, message, url_for("assessments.rubrics.question_rubric", assessment_id=assessment_id,
                                                  question_id=question_id),
                          "assessments/question_rubric.html", "assessments/_question_rubric.html",
                          lambda outcome: {"error": outcome.message, **_question_rubric_again(assessment_id, question_id)})


def _question_rubric_again(assessment_id, question_id) -> dict:
    """The question's rubric fragment read again (after the request's rollback, when it failed)."""
    assessment = editable_assessment(assessment_id)
    return question_rubric_context(assessment, authoring.get_question(assessment, question_id))
