"""Questions and media of an assessment: add, edit (versions keep what students saw), reorder,
delete, import GIFT questions; upload or pick media files and give them labels."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.assessments import authoring, gift, matching, services
from lms.assessments import questions as qtypes
from lms.assessments.forms import MediaForm
from lms.assessments.media import allow_library_uploads, media_map, render_with_media
from lms.assessments.models import Assessment, QuestionType
from lms.assessments.views_bank import (
    common_context,
    editable_assessment,
    editor_context,
    question_list_context,
)
from lms.auth.models import Role
from lms.common.access import allow
from lms.common.errors import DomainError, ValidationFailed
from lms.common.formviews import saving
from lms.common.htmx import is_htmx, redirect_to, render
from lms.common.ids import as_id
from lms.extensions import db
from lms.resources import services as resources

bp = Blueprint("questions", __name__)

EDITOR_OPTION_ROWS = 6
EDITOR_PAIR_ROWS = 4  # pair rows shown at least (two more than the pairs); "Add more pairs" adds PAIR_ROWS_STEP
PAIR_ROWS_STEP = 3

allow_library_uploads(bp, "assessments.questions.add_media", Role.ADMIN, Role.TEACHER)  # media files


def _questions_answer(assessment: Assessment, status: int = 200, *, focus_id: int | None = None):
    """The question list again (htmx), or the assessment page."""
    if not is_htmx():
        return redirect_to(url_for("assessments.detail", assessment_id=assessment.id) + "#questions")
    return render("assessments/edit.html", "assessments/_questions_answer.html", status=status, focus_id=focus_id,
                  **question_list_context(assessment))


# --- the editor's fields ---------------------------------------------------------------------------------


def question_input(form, qtype: str) -> qtypes.QuestionInput:
    """A QuestionInput from the editor's fields (blank option rows are dropped)."""
    data = qtypes.QuestionInput(type=qtype, text=form.get("text", ""), points=form.get("points", "1"),
                                feedback=form.get("feedback", ""), tags=form.get("tags", ""))
    if qtype in qtypes.CHOICE_TYPES:
        rows = [(as_id(k.split("-", 1)[1]), v.strip()) for k, v in form.items()
                if k.startswith("option-") and as_id(k.split("-", 1)[1]) is not None]
        rows.sort()
        kept = [(i, text) for i, text in rows if text]
        new_index = {old: new for new, (old, _text) in enumerate(kept)}
        data.options = [text for _i, text in kept]
        chosen = [as_id(v) for v in form.getlist("correct") if as_id(v) in new_index]
        feedback = [form.get(f"option-feedback-{old}", "").strip() for old, _text in kept]
        if qtype == QuestionType.SINGLE_CHOICE:
            data.key = {"correct": new_index[chosen[0]]} if chosen else {}
        else:
            data.key = {"correct": [new_index[c] for c in chosen], "partial": form.get("partial") == "1"}
        if any(feedback):
            data.key["feedback"] = feedback
    elif qtype == QuestionType.TRUE_FALSE:
        value = next((v for v in form.getlist("correct") if v in ("true", "false")), "")
        data.key = {"correct": value == "true"} if value else {}
    elif qtype == QuestionType.SHORT_ANSWER:
        data.key = {"accepted": form.get("accepted", "").splitlines()}
    elif qtype == QuestionType.NUMERIC:
        data.key = {"value": form.get("value", ""), "tolerance": form.get("tolerance", "")}
    elif qtype == QuestionType.MATCHING:
        data.options, data.key = _matching_fields(form)
    return data


def _matching_fields(form, *, without: int | None = None) -> tuple[list, dict]:
    """The pair rows (``pair-left-N`` / ``pair-right-N``; blank rows and row ``without`` dropped)
    and the extra wrong answers (one per line)."""
    rows = sorted({as_id(name.rsplit("-", 1)[1]) for name in form
                   if name.startswith(("pair-left-", "pair-right-"))} - {None})
    pairs = [(form.get(f"pair-left-{i}", ""), form.get(f"pair-right-{i}", "")) for i in rows if i != without]
    pairs = [(left, right) for left, right in pairs if left.strip() or right.strip()]
    return matching.matching_input(pairs, form.get("extras", "").splitlines())


def _pair_rows(values: dict, count: int | None = None) -> dict:
    """The matching editor's rows: the pairs, then empty rows up to ``count`` rows (and at least
    EDITOR_PAIR_ROWS, two more than the pairs); and the extra wrong answers."""
    pairs, extras = matching.pairs_of(values["options"], values["key"])
    count = min(max(count or 0, EDITOR_PAIR_ROWS, len(pairs) + 2), matching.MAX_PAIRS)
    return {"pair_rows": pairs + [("", "")] * (count - len(pairs)), "extras": extras,
            "max_pairs": matching.MAX_PAIRS}


def _stored_values(question) -> dict:
    return {"type": question.type, "text": question.text, "points": qtypes.plain_number(question.points),
            "feedback": question.feedback, "tags": ", ".join(question.tags),
            "options": list(question.options or []), "key": dict(question.key or {})}


def _posted_values(data: qtypes.QuestionInput) -> dict:
    return {"type": data.type, "text": data.text, "points": data.points, "feedback": data.feedback,
            "tags": data.tags, "options": list(data.options or []), "key": dict(data.key or {})}


def _editor_context(assessment, question, values: dict, *, error: DomainError | None = None,
                    version: str | None = None, inplace: bool | None = None, pair_count: int | None = None,
                    pair_focus: int | None = None) -> dict:
    """The editor of ``question`` (None: a new one) showing ``values``; in place for htmx (unless
    ``inplace`` says otherwise). ``pair_count`` pair rows at least; ``pair_focus``: the pair row
    that takes the focus (after "Add more pairs" or a row's "×")."""
    media = media_map(assessment.id)
    inplace = is_htmx() if inplace is None else inplace
    rows = max(EDITOR_OPTION_ROWS, len(values["options"]) + 2)
    if question is None:
        number = len(services.questions_of(assessment.id)) + 1
        form_action = edit_url = url_for("assessments.questions.add", assessment_id=assessment.id)
        cancel_url = url_for("assessments.questions.new", assessment_id=assessment.id)
        pairs_url = url_for("assessments.questions.pairs", assessment_id=assessment.id)
    else:
        number = question.position + 1
        form_action = edit_url = url_for("assessments.questions.edit", assessment_id=assessment.id,
                                         question_id=question.id)
        cancel_url = url_for("assessments.questions.row", assessment_id=assessment.id, question_id=question.id)
        pairs_url = url_for("assessments.questions.pairs", assessment_id=assessment.id, question_id=question.id)
    return {"assessment": assessment, "question": question, "values": values,
            "option_rows": min(rows, qtypes.MAX_OPTIONS), "error": error.message if error else None,
            "error_field": getattr(error, "field", None), "conflict": isinstance(error, authoring.QuestionChanged),
            "version": version, "inplace": inplace, "id_prefix": f"q{question.id if question else 'new'}-" if inplace else "",
            "form_action": form_action, "edit_url": edit_url, "cancel_url": cancel_url, "pairs_url": pairs_url,
            **_pair_rows(values, pair_count), "pair_focus": pair_focus,
            "preview": render_with_media(values["text"], media, staff=True),
            "problems": qtypes.problems_of(values["type"], values["options"], values["key"], values["text"]),
            "answer_count": authoring.answer_counts([question.id]).get(question.id, 0) if question else 0,
            "labels": sorted(m for m in media), "number": number, **common_context()}


def _editor_page(ctx: dict, status: int = 200):
    """The editor: in place of its row for htmx (``status`` 422 or 409 after a refused save), else its page."""
    if not is_htmx():
        status = 200
    return render("assessments/question_edit.html", "assessments/_question_editing.html", status=status, **ctx)


def _after_save(assessment, question, message: str):
    """A saved question: its row again (htmx, in place), else the editor's page or the list."""
    flash(message, "success")
    if is_htmx():
        return render("assessments/edit.html", "assessments/_question_saved.html", q=question,
                      **question_list_context(assessment))
    if request.form.get("next") == "list":
        return redirect_to(url_for("assessments.detail", assessment_id=assessment.id) + f"#question-{question.id}")
    return redirect_to(url_for("assessments.questions.edit", assessment_id=assessment.id, question_id=question.id))


@bp.route("/assessments/<int:assessment_id>/questions/new")
@allow(Role.ADMIN, Role.TEACHER)
def new(assessment_id):
    """The editor of a new question of the chosen ``type`` (nothing is stored before it is saved);
    without a type, the empty place where it opens (its Cancel)."""
    assessment = editable_assessment(assessment_id)
    qtype = request.args.get("type", "")
    if qtype not in qtypes.QUESTION_TYPES:
        if not is_htmx():
            return redirect_to(url_for("assessments.detail", assessment_id=assessment.id) + "#questions")
        return render("assessments/edit.html", "assessments/_question_slot.html")
    values = {"type": qtype, "text": "", "points": "1", "feedback": "", "tags": "", "options": [], "key": {}}
    return _editor_page(_editor_context(assessment, None, values))


@bp.route("/assessments/<int:assessment_id>/questions", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def add(assessment_id):
    """A new question: from the list's "Add" (only its type: a blank question, then its editor's
    page) or from the new question's editor (every field)."""
    assessment = editable_assessment(assessment_id)
    qtype = request.form.get("type", "")
    from_editor = "text" in request.form
    data = question_input(request.form, qtype) if from_editor else qtypes.QuestionInput(type=qtype)
    with saving(quiet=from_editor, catch=ValidationFailed) as saved:
        question = authoring.add_question(current_user, assessment, data)
    if not saved and from_editor:
        return _editor_page(_editor_context(editable_assessment(assessment_id), None, _posted_values(data),
                                            error=saved.error), status=422)
    if not saved:
        return _questions_answer(editable_assessment(assessment_id), 422)
    if from_editor and is_htmx():  # the editor under the list posted: the whole list, with the new row
        flash(_("Question added."), "success")
        response = _questions_answer(assessment, focus_id=question.id)
        response.headers["HX-Retarget"] = "#questions"
        return response
    if from_editor:
        return _after_save(assessment, question, _("Question added."))
    return redirect_to(url_for("assessments.questions.edit", assessment_id=assessment.id, question_id=question.id))


@bp.route("/assessments/<int:assessment_id>/questions/<int:question_id>", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.TEACHER)
def edit(assessment_id, question_id):
    """The editor of a question: its page, or in place of its row (htmx)."""
    assessment = editable_assessment(assessment_id)
    question = authoring.get_question(assessment, question_id)
    if request.method == "GET":
        return _editor_page(_editor_context(assessment, question, _stored_values(question),
                                            version=authoring.edit_version(question)))
    data = question_input(request.form, request.form.get("type", question.type))
    base_version = request.form.get("version") or None
    with saving(quiet=True) as saved:
        rescored = authoring.update_question(current_user, assessment, question, data, base_version=base_version)
    if not saved:
        assessment = editable_assessment(assessment_id)
        question = authoring.get_question(assessment, question_id)
        conflict = isinstance(saved.error, authoring.QuestionChanged)
        # After a conflict the form holds what was typed and the newer version: saving again replaces it.
        version = authoring.edit_version(question) if conflict else base_version
        return _editor_page(_editor_context(assessment, question, _posted_values(data), error=saved.error,
                                            version=version), status=409 if conflict else 422)
    message = _("Question saved.")
    if rescored:
        message += " " + ngettext("%(num)d earlier answer was re-scored with the new key.",
                                  "%(num)d earlier answers are re-scored with the new key.", rescored)
    return _after_save(assessment, question, message)


@bp.route("/assessments/<int:assessment_id>/questions/<int:question_id>/row")
@allow(Role.ADMIN, Role.TEACHER)
def row(assessment_id, question_id):
    """A question's row in the list (an editor's Cancel puts it back)."""
    assessment = editable_assessment(assessment_id)
    question = authoring.get_question(assessment, question_id)
    if not is_htmx():
        return redirect_to(url_for("assessments.detail", assessment_id=assessment.id) + f"#question-{question.id}")
    return render("assessments/edit.html", "assessments/_question_row.html", q=question, focus=True,
                  **question_list_context(assessment))


@bp.route("/assessments/<int:assessment_id>/questions/new/pairs", methods=["POST"])
@bp.route("/assessments/<int:assessment_id>/questions/<int:question_id>/pairs", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def pairs(assessment_id, question_id=None):
    """The matching editor's "Add more pairs" and "×" buttons: the editor again as typed, with more
    empty rows or without one row; nothing is saved. With htmx only that editor's form is
    replaced (in place of a question's row, ``inplace``, or on the editor's page); without
    JavaScript, the editor's page. A new question (no id) keeps its state in the posted fields."""
    assessment = editable_assessment(assessment_id)
    question = authoring.get_question(assessment, question_id) if question_id is not None else None
    form = request.form
    action = form.get("pairs", "")
    data = question_input(form, QuestionType.MATCHING)
    removed = as_id(action.removeprefix("remove-")) if action.startswith("remove-") else None
    if removed is not None:
        data.options, data.key = _matching_fields(form, without=removed)
    values = _posted_values(data)
    pair_count = len(matching.sides(data.options)[0])
    shown = len([name for name in form if name.startswith("pair-left-")])
    if action == "add":
        focus, count = pair_count, shown + PAIR_ROWS_STEP
    else:  # one row fewer (still the empty rows the teacher added before)
        focus, count = (min(removed, pair_count) if removed is not None else None), shown - 1
    ctx = _editor_context(assessment, question, values, version=form.get("version") or None,
                          inplace=is_htmx() and form.get("inplace") == "1", pair_count=count, pair_focus=focus)
    return render("assessments/question_edit.html", "assessments/_question_form.html", **ctx)


@bp.route("/assessments/<int:assessment_id>/questions/<int:question_id>/delete", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def delete(assessment_id, question_id):
    assessment = editable_assessment(assessment_id)
    question = authoring.get_question(assessment, question_id)
    authoring.delete_question(current_user, assessment, question)
    db.session.commit()
    flash(_("The question was deleted (students' earlier answers keep their copy)."), "success")
    return _questions_answer(assessment)


@bp.route("/assessments/<int:assessment_id>/questions/<int:question_id>/move", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def move(assessment_id, question_id):
    assessment = editable_assessment(assessment_id)
    question = authoring.get_question(assessment, question_id)
    authoring.move_question(current_user, assessment, question, request.form.get("direction", ""))
    db.session.commit()
    return _questions_answer(assessment)


@bp.route("/assessments/<int:assessment_id>/questions/order", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def order(assessment_id):
    assessment = editable_assessment(assessment_id)
    authoring.reorder_questions(current_user, assessment, request.form.getlist("question_id"))
    db.session.commit()
    return _questions_answer(assessment)


@bp.route("/assessments/<int:assessment_id>/questions/import", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def import_gift(assessment_id):
    assessment = editable_assessment(assessment_id)
    text = request.form.get("gift", "")
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        text = upload.read(gift.MAX_GIFT_BYTES + 1)
    with saving(quiet=True, catch=ValidationFailed) as saved:
        items = gift.parse_gift(text)
        created = authoring.add_questions(current_user, assessment, items)
    if not saved:
        flash(_("Nothing was imported: %(errors)s", errors=" ".join(saved.messages)), "error")
        return _questions_answer(editable_assessment(assessment_id), 422)
    flash(ngettext("%(num)d question was imported.", "%(num)d questions were imported.", len(created)), "success")
    return _questions_answer(assessment)


# --- media --------------------------------------------------------------------------------------------


def _media_answer(assessment: Assessment, status: int = 200, form=None):
    if not is_htmx():
        return redirect_to(url_for("assessments.detail", assessment_id=assessment.id) + "#media")
    return render("assessments/edit.html", "assessments/_media.html", status=status,
                  **editor_context(assessment, media_form=form))


@bp.route("/assessments/<int:assessment_id>/media", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def add_media(assessment_id):
    assessment = editable_assessment(assessment_id)
    form = MediaForm()
    form.resource_id.choices = []
    upload = request.files.get("file")
    with saving(form) as saved:
        if not form.validate():
            raise ValidationFailed(" ".join(e for errors in form.errors.values() for e in errors))
        if upload is not None and upload.filename:
            row = authoring.upload_media(current_user, assessment, upload.stream, upload.filename,
                                         label=form.label.data or "", title=form.title.data or "")
        elif form.resource_id.data:
            resource = resources.get_resource_for(current_user, form.resource_id.data)
            row = authoring.set_media(current_user, assessment, resource, form.label.data or "")
        else:
            raise ValidationFailed(_("Choose a file to upload or one of your resources."), field="file")
    if not saved:
        if not is_htmx():
            flash(saved.message, "error")
        return _media_answer(editable_assessment(assessment_id), 422, form)
    flash(_("Media “%(label)s” is ready: write [[media:%(label)s]] in a question.", label=row.label), "success")
    return _media_answer(assessment)


@bp.route("/assessments/<int:assessment_id>/media/<int:media_id>/delete", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def remove_media(assessment_id, media_id):
    assessment = editable_assessment(assessment_id)
    label = authoring.remove_media(current_user, assessment, media_id)
    db.session.commit()
    flash(_("Media “%(label)s” was removed from the assessment (the file stays in the library).", label=label),
          "success")
    return _media_answer(assessment)


@bp.route("/assessments/<int:assessment_id>/media/<int:media_id>/move", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def move_media(assessment_id, media_id):
    assessment = editable_assessment(assessment_id)
    authoring.move_media(current_user, assessment, media_id, request.form.get("direction", ""))
    db.session.commit()
    return _media_answer(assessment)
