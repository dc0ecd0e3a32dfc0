"""Invitations pages: ``/admin/invitations`` (admins: anyone, bulk) and ``/invitations`` (teachers:
students).  Resend, revoke and "copy link" exist under both prefixes, each for its role."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from lms.auth import invitations
from lms.auth.forms import ROLE_CHOICES, BulkInviteForm, InviteForm, ResendAllForm, select_choices
from lms.auth.labels import INVITATION_STATUS
from lms.auth.models import Role, User
from lms.common.access import allow
from lms.common.csvimport import decode_csv
from lms.common.errors import ValidationFailed
from lms.common.formviews import saving
from lms.common.htmx import is_htmx, redirect_to, render, render_form_errors
from lms.common.ids import as_id
from lms.common.labels import classroom_label
from lms.common.navigation import nav_item
from lms.common.pagination import paginate
from lms.common.ratelimit import config_limit
from lms.extensions import db, limiter
from lms.mail import absolute_url

bp = Blueprint("invitations", __name__)
nav_item("auth.invitations.index", _l("Invitations"), Role.ADMIN, order=81, group="admin")
nav_item("auth.invitations.mine", _l("Invitations"), Role.TEACHER, order=81, group="school")

STATUS_CHOICES = [("", _l("Any status")), *INVITATION_STATUS.items()]
STATUS_LABELS = INVITATION_STATUS


def _scope() -> dict:
    """Endpoint names and labels for the admin page or the teacher page."""
    if current_user.is_admin:
        return {"suffix": "", "index": "auth.invitations.index", "create": "auth.invitations.create", "bulk": True}
    return {"suffix": "_mine", "index": "auth.invitations.mine", "create": "auth.invitations.create_mine", "bulk": False}


def _invite_form(**kwargs) -> InviteForm:
    form = InviteForm(**kwargs)
    if form.expires_in_days.data is None:
        form.expires_in_days.data = invitations.clean_expiry_days(None)
    allowed = invitations.invitable_roles(current_user)
    form.role.choices = select_choices((value, label) for value, label in ROLE_CHOICES if value in allowed)
    blank = [] if current_user.is_teacher else [("", _("No classroom yet"))]
    form.classroom_id.choices = blank + [(str(c.id), classroom_label(c)) for c in invitations.invitable_classrooms(current_user)]
    return form


def _grants(form) -> dict:
    return invitations.grants_from_form(current_user, form.role.data, classroom_id=form.classroom_id.data or None,
                                        children=form.children.data or "")


def _list_context(**overrides) -> dict:
    filters = {"q": request.args.get("q", "").strip()[:100], "status": request.args.get("status", ""),
               "role": request.args.get("role", "")}
    page = paginate(invitations.invitations_query(current_user, **filters), per_page=25)
    context = {
        "results": page, "filters": filters, "scope": _scope(), "form": _invite_form(formdata=None, data=_prefill()),
        "status_choices": STATUS_CHOICES, "status_labels": STATUS_LABELS,
        "role_labels": invitations.ROLE_LABELS, "role_choices": ROLE_CHOICES,
        "grants_label": invitations.grants_label, "inviters": _inviters(page.items),
        "resend_all_form": ResendAllForm(formdata=None, data={"expires_in_days": invitations.clean_expiry_days(None)}),
    }
    context.update(overrides)
    return context


def _prefill() -> dict:
    """Invite-form values from the query string (e.g. "Invite a parent" on a student's page)."""
    return {key: request.args.get(key, "")[:500] for key in ("email", "full_name", "role", "classroom_id", "children")
            if request.args.get(key)}


def _inviters(items) -> dict:
    """Names of the people who sent these invitations (one query for the page)."""
    from sqlalchemy import select

    ids = {i.invited_by_id for i in items if i.invited_by_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


@bp.route("/admin/invitations")
@allow(Role.ADMIN)
def index():
    return render("invitations/index.html", "invitations/_list.html", **_list_context())


@bp.route("/invitations")
@allow(Role.TEACHER)
def mine():
    return render("invitations/index.html", "invitations/_list.html", **_list_context())


@limiter.limit(config_limit("INVITE_LIMIT_PER_USER"), key_func=lambda: f"user:{current_user.id}")
def _create():
    form = _invite_form()
    if form.validate_on_submit():
        with saving(form, catch=ValidationFailed) as saved:
            invitation, raw = invitations.invite(current_user, form.email.data, form.role.data,
                                                 form.full_name.data, grants=_grants(form),
                                                 expires_in_days=form.expires_in_days.data)
        if saved:
            from lms.mail import absolute_url

            message = _("Invitation sent to %(email)s.", email=invitation.email)
            link = absolute_url("auth.accept_invitation", token=raw)
            if is_htmx():
                return render("invitations/index.html", "invitations/_invite_form.html",
                              **_list_context(done=message, new_link=link))
            flash(message, "success")
            return redirect_to(url_for(_scope()["index"]))
    return render_form_errors("invitations/index.html", "invitations/_invite_form.html",
                              **_list_context(form=form))


bp.add_url_rule("/admin/invitations", endpoint="create", methods=["POST"],
                view_func=allow(Role.ADMIN)(_create))
bp.add_url_rule("/invitations", endpoint="create_mine", methods=["POST"],
                view_func=allow(Role.TEACHER)(_create))


# --- bulk (admins) --------------------------------------------------------------------------


def _bulk_text(form) -> str | None:
    """The pasted text, or the uploaded CSV's (None, with a field error, when it cannot be read)."""
    upload = request.files.get("file")
    if upload and upload.filename:
        try:
            return decode_csv(upload.read(1024 * 1024))
        except ValidationFailed:
            form.file.errors = [_("Save the file as CSV UTF-8 and try again.")]
            return None
    return form.text.data or ""


@bp.route("/admin/invitations/bulk", methods=["GET", "POST"])
@allow(Role.ADMIN)
def bulk():
    """Paste or upload, see every row checked (nothing stored), then send all of them or none."""
    form = BulkInviteForm()
    if form.expires_in_days.data is None:
        form.expires_in_days.data = invitations.clean_expiry_days(None)
    context = {"form": form, "rows": None, "text": "", "error_count": 0}
    if not form.is_submitted():
        return render("invitations/bulk.html", "invitations/_bulk.html", **context)
    text = _bulk_text(form) if form.validate() else None
    if text is None:
        return render_form_errors("invitations/bulk.html", "invitations/_bulk.html", **context)
    context["text"] = form.text.data = text
    created = None
    with saving(form, catch=ValidationFailed) as saved:
        rows = invitations.check_bulk(current_user, invitations.parse_bulk(text))
        if not rows:
            raise ValidationFailed(_("Paste at least one line: email, name, role."), field="text")
        context.update(rows=rows, error_count=sum(1 for row in rows if row.errors))
        if request.form.get("confirm") == "1" and not context["error_count"]:
            created = invitations.invite_bulk(current_user, text, expires_in_days=form.expires_in_days.data)
    if not saved:
        return render_form_errors("invitations/bulk.html", "invitations/_bulk.html", **context)
    if created is not None:
        flash(ngettext("%(n)d invitation sent.", "%(n)d invitations sent.", len(created), n=len(created)), "success")
        return redirect_to(url_for("auth.invitations.index"))
    status = 422 if context["error_count"] and is_htmx() else 200
    return render("invitations/bulk.html", "invitations/_bulk.html", status=status, **context)


@bp.route("/admin/invitations/resend-all", methods=["POST"])
@allow(Role.ADMIN)
@limiter.limit(config_limit("RESEND_ALL_LIMIT_PER_USER"), key_func=lambda: f"user:{current_user.id}")
def resend_all():
    """Every invitation still waiting gets a new link and expiry by email (one step, audited)."""
    form = ResendAllForm()
    if not form.validate():
        flash(_("The link must be valid for %(min)d to %(max)d days.", min=1, max=90), "error")
        return redirect_to(url_for("auth.invitations.index"))
    with saving(catch=ValidationFailed) as saved:
        sent, skipped = invitations.resend_all_pending(current_user, expires_in_days=form.expires_in_days.data)
    if not saved:
        return redirect_to(url_for("auth.invitations.index"))
    if sent:
        flash(ngettext("%(num)d invitation sent again with a new link.",
                       "%(num)d invitations sent again with new links.", len(sent)), "success")
    else:
        flash(_("No invitations are waiting to be accepted."), "info")
    if skipped:
        flash(_("Not sent: %(reasons)s", reasons=" ".join(skipped[:10])), "warning")
    return redirect_to(url_for("auth.invitations.index"))


# --- actions on one invitation ----------------------------------------------------------


def _row_answer(invitation, message: str, **extra):
    db.session.commit()
    if is_htmx():
        return render("invitations/index.html", "invitations/_row.html", invitation=invitation, done=message,
                      **_list_context(**extra))
    flash(message, "success")
    return redirect_to(url_for(_scope()["index"]))


def _days_from_form():
    value = request.form.get("expires_in_days", "").strip()
    if not value:
        return None
    return as_id(value) or 0  # 0: refused with a message by the service


def _resend(invitation_id: int):
    invitation = invitations.resend(current_user, invitation_id, expires_in_days=_days_from_form())
    return _row_answer(invitation, _("Sent again to %(email)s; the previous link no longer works.",
                                     email=invitation.email))


def _revoke(invitation_id: int):
    invitation = invitations.revoke(current_user, invitation_id)
    return _row_answer(invitation, _("Invitation for %(email)s revoked.", email=invitation.email))


def _link(invitation_id: int):
    invitation, raw = invitations.new_link(current_user, invitation_id, expires_in_days=_days_from_form())
    link = absolute_url("auth.accept_invitation", token=raw)
    db.session.commit()
    if is_htmx():
        return render("invitations/index.html", "invitations/_row.html", invitation=invitation, new_link=link,
                      **_list_context())
    return render("invitations/index.html", **_list_context(new_link=link, done=_(
        "A new link for %(email)s (the previous one no longer works):", email=invitation.email)))


for _name, _view in (("resend", _resend), ("revoke", _revoke), ("link", _link)):
    bp.add_url_rule(f"/admin/invitations/<int:invitation_id>/{_name}", endpoint=_name, methods=["POST"],
                    view_func=allow(Role.ADMIN)(_view))
    bp.add_url_rule(f"/invitations/<int:invitation_id>/{_name}", endpoint=f"{_name}_mine", methods=["POST"],
                    view_func=allow(Role.TEACHER)(_view))
