"""Copy a subject: choose where and the name, preview what is copied (and what is not), confirm."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.models import Role
from lms.common.access import allow
from lms.common.errors import DomainError
from lms.common.formviews import attach_error, render_form, saving
from lms.common.htmx import redirect_to, render, render_form_errors
from lms.curriculum import copying, services
from lms.curriculum.forms import CopySubjectForm, choices

bp = Blueprint("copy", __name__)

PAGE, FRAGMENT = "curriculum/copy.html", "curriculum/_copy.html"


def _source(subject_id):
    """The subject to copy: 404 when not visible, 403 when the actor may not change it."""
    subject = services.get_subject_for(current_user, subject_id)
    copying.require_copy(current_user, subject)
    return subject


def _form(formdata=None, meta=None, **data) -> CopySubjectForm:
    form = CopySubjectForm(formdata=formdata, data=data or None, meta=meta or {})
    targets = copying.copy_targets(current_user)
    form.audience.choices = choices([("", _("Choose…"))] + [(a.value, a.label) for a in targets])
    if not copying.TOKEN_RE.match(form.token.data or ""):  # a form from before the token (or tampered with)
        form.token.data = copying.new_token()
    return form


@bp.route("/subjects/<int:subject_id>/copy")
@allow(Role.ADMIN, Role.TEACHER)
def start(subject_id):
    """The form, and the preview of what it would copy (a GET: the preview can be reloaded, and the
    browser's Back button returns to it); ``change`` shows the form again with what was chosen."""
    subject = _source(subject_id)
    args = request.args
    if "name" not in args:
        form = _form(name=copying.default_name(subject), token=copying.new_token())
        return render(PAGE, FRAGMENT, subject=subject, form=form, plan=None)
    form = _form(args, meta={"csrf": False})  # changes nothing; the confirmation is checked
    made = copying.copy_made_with(current_user, form.token.data)
    if made is not None:  # back to the preview after the copy: say so rather than "the name is taken"
        return render(PAGE, FRAGMENT, subject=subject, form=form, plan=None, made=made)
    if "change" in args or not form.validate():
        return render_form(PAGE, FRAGMENT, failed="change" not in args, subject=subject, form=form, plan=None)
    try:
        plan = copying.plan_copy(current_user, subject, audience=form.audience.data, name=form.name.data,
                                 keep_published=form.keep_published.data)
    except DomainError as err:
        attach_error(form, err)
        return render_form_errors(PAGE, FRAGMENT, subject=subject, form=form, plan=None)
    return render(PAGE, FRAGMENT, subject=subject, form=form, plan=plan)


@bp.route("/subjects/<int:subject_id>/copy/confirm", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def confirm(subject_id):
    subject = _source(subject_id)
    form = _form(request.form)  # a form shown again gets a new token if the one sent is not valid
    if form.validate():
        with saving(form) as saved:
            outcome = copying.copy_subject(current_user, subject, audience=form.audience.data, name=form.name.data,
                                           token=request.form.get("token", ""),
                                           keep_published=form.keep_published.data)
        if saved and outcome.made:
            flash(_("“%(name)s” is a copy of “%(original)s”. Its assessments are drafts: check them and publish "
                    "them when they are ready.", name=outcome.subject.name, original=subject.name), "success")
        elif saved:
            flash(_("This copy was already made (the form was sent twice): here it is."), "info")
        if saved:
            return redirect_to(url_for("curriculum.subjects.detail", subject_id=outcome.subject.id))
    return render_form_errors(PAGE, FRAGMENT, subject=subject, form=form, plan=None)
