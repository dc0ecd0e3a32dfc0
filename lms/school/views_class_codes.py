"""Self-registration with a class code: the teacher's controls on the classroom page, the
anonymous ``/join/<code>`` form, and approving or rejecting pending students (lms.school.class_codes)."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.auth.models import Role
from lms.common.access import PUBLIC, allow
from lms.common.formviews import render_form, saving
from lms.common.htmx import redirect_to, render
from lms.common.labels import classroom_label
from lms.common.ratelimit import client_ip, config_limit
from lms.extensions import db, limiter
from lms.school import class_codes, services
from lms.school.forms import ClassCodeForm, JoinClassForm

bp = Blueprint("class_codes", __name__)


def _back(classroom) -> str:
    return url_for("school.classrooms.detail", classroom_id=classroom.id) + "#class-code"


@bp.route("/classrooms/<int:classroom_id>/class-code", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def turn_on(classroom_id):
    """Turn registration on, or regenerate the code (the old code stops working)."""
    classroom = services.get_classroom_for(current_user, classroom_id)
    form = ClassCodeForm()
    if not form.validate():
        flash(_("Choose between %(low)d and %(high)d days.", low=class_codes.MIN_DAYS, high=class_codes.MAX_DAYS),
              "error")
        return redirect_to(_back(classroom))
    with saving() as saved:
        had_code = class_codes.code_of(classroom) is not None
        class_code = class_codes.turn_on(current_user, classroom, form.days.data)
    if not saved:
        return redirect_to(_back(classroom))
    if had_code:
        flash(_("New class code %(code)s; the old code no longer works.", code=class_code.code), "success")
    else:
        flash(_("Self-registration is on. Class code: %(code)s.", code=class_code.code), "success")
    return redirect_to(_back(classroom))


@bp.route("/classrooms/<int:classroom_id>/class-code/off", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def turn_off(classroom_id):
    classroom = services.get_classroom_for(current_user, classroom_id)
    class_codes.turn_off(current_user, classroom)
    db.session.commit()
    flash(_("Self-registration is off; the class code no longer works."), "success")
    return redirect_to(_back(classroom))


@bp.route("/classrooms/<int:classroom_id>/class-code/print")
@allow(Role.ADMIN, Role.TEACHER)
def print_code(classroom_id):
    """A page to print or show on the board: the code, the link, how to join."""
    classroom = services.get_classroom_for(current_user, classroom_id)
    class_code = class_codes.code_of(classroom)
    if class_code is None or class_codes.is_expired(class_code):
        flash(_("Turn self-registration on first."), "error")
        return redirect_to(_back(classroom))
    return render("school/class_code_print.html", classroom=classroom, class_code=class_code,
                  join_url=url_for("school.class_codes.join", code=class_code.code, _external=True))


@bp.route("/classrooms/<int:classroom_id>/registrations/<int:user_id>/approve", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def approve(classroom_id, user_id):
    classroom = services.get_classroom_for(current_user, classroom_id)
    registration = class_codes.get_pending(classroom, user_id)
    with saving() as saved:
        user = class_codes.approve(current_user, registration)
    if not saved:
        return redirect_to(_back(classroom))
    flash(_("%(name)s is now in %(classroom)s.", name=user.full_name, classroom=classroom_label(classroom)), "success")
    return redirect_to(_back(classroom))


@bp.route("/classrooms/<int:classroom_id>/registrations/approve-all", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def approve_all(classroom_id):
    classroom = services.get_classroom_for(current_user, classroom_id)
    with saving() as saved:
        count = sum(1 for registration in class_codes.pending_of(classroom)
                    if class_codes.approve(current_user, registration))
    if not saved:
        return redirect_to(_back(classroom))
    flash(ngettext("%(count)d student approved and placed in %(classroom)s.",
                   "%(count)d students approved and placed in %(classroom)s.", count, count=count,
                   classroom=classroom_label(classroom)), "success")
    return redirect_to(_back(classroom))


@bp.route("/classrooms/<int:classroom_id>/registrations/<int:user_id>/reject", methods=["POST"])
@allow(Role.ADMIN, Role.TEACHER)
def reject(classroom_id, user_id):
    classroom = services.get_classroom_for(current_user, classroom_id)
    registration = class_codes.get_pending(classroom, user_id)
    name = class_codes.reject(current_user, registration)
    db.session.commit()
    flash(_("The registration of %(name)s was rejected and the account deleted.", name=name), "success")
    return redirect_to(_back(classroom))


def _code_key() -> str:
    return "code:" + class_codes.normalise_code((request.view_args or {}).get("code"))


@bp.route("/join/<code>", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(config_limit("JOIN_LIMIT_PER_IP"), key_func=lambda: "join-ip:" + client_ip())
@limiter.limit(config_limit("JOIN_LIMIT_PER_CODE"), key_func=_code_key, methods=["POST"])
def join(code: str):
    """Anyone with the code asks to join the classroom; the account waits for approval."""
    class_code = class_codes.usable_code(code)  # NotFound: one page for wrong, expired and off
    form = JoinClassForm()
    context = {"form": form, "class_code": class_code, "classroom": class_code.classroom}
    if form.validate_on_submit():
        with saving(form) as saved:
            user = class_codes.register(class_code, form.full_name.data, form.password.data)
        if saved:
            return render("school/join_waiting.html", classroom=class_code.classroom, user=user)
    return render_form("school/join.html", "school/_join_form.html", **context)
