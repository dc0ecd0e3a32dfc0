"""``/admin/users/<id>/suspend`` and ``/lift``: an administrator suspends an account or lifts it."""

from __future__ import annotations

from flask import Blueprint, flash, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from lms.auth import accounts, suspension
from lms.auth.models import Role
from lms.common.access import allow
from lms.common.errors import ValidationFailed
from lms.common.formviews import saving
from lms.common.htmx import is_htmx, redirect_to, render, render_form_errors
from lms.extensions import db

bp = Blueprint("suspension", __name__, url_prefix="/admin/users")


class SuspendForm(FlaskForm):
    reason = TextAreaField(_l("Reason (the user sees it when signing in)"),
                           render_kw={"required": True, "maxlength": suspension.MAX_REASON_LENGTH, "rows": 2})
    # Both checked by the service (a day after today, years 1900-2200), with its own messages.
    until = StringField(_l("Suspended until (the account opens again on this day; empty: until lifted)"),
                        render_kw={"type": "date", "max": "2200-12-31"})


def suspension_context(user, form=None) -> dict:
    """What ``admin/users/_suspension.html`` needs (also on the user page)."""
    return {"suspend_form": form or SuspendForm(formdata=None), "suspension_end": suspension.local_end_date(user)}


def _context(user, form=None, done=None) -> dict:
    from lms.auth.views_users import _detail_context  # import cycle: views_users imports this module

    return {**_detail_context(user), **suspension_context(user, form), "suspension_done": done}


@bp.route("/<int:user_id>/suspend", methods=["POST"])
@allow(Role.ADMIN)
def suspend(user_id: int):
    user = accounts.get_user(current_user, user_id)
    form = SuspendForm()
    if form.validate_on_submit():
        with saving(form, catch=ValidationFailed) as saved:
            suspension.suspend(current_user, user, form.reason.data, form.until.data)
        if saved:
            return _done(user, _("%(name)s is suspended and was signed out everywhere.", name=user.full_name))
    return render_form_errors("admin/users/detail.html", "admin/users/_suspension.html",
                              **_context(user, form))


@bp.route("/<int:user_id>/lift-suspension", methods=["POST"])
@allow(Role.ADMIN)
def lift(user_id: int):
    user = accounts.get_user(current_user, user_id)
    suspension.lift(current_user, user)
    db.session.commit()
    return _done(user, _("%(name)s can sign in again.", name=user.full_name))


def _done(user, message: str):
    if is_htmx():
        return render("admin/users/detail.html", "admin/users/_suspension.html", **_context(user, done=message))
    flash(message, "success")
    return redirect_to(url_for("auth.users.detail", user_id=user.id))
