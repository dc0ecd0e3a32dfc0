"""Parents and their children: family codes (issued on a student's page, printed on a slip, entered by
a parent on "Link another child") and inviting a parent from a student's page."""

from __future__ import annotations

from flask import Blueprint, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth import invitations
from lms.auth.models import Role
from lms.common.access import allow
from lms.common.formviews import render_form, saving
from lms.common.htmx import is_htmx, redirect_to, render, render_form_errors
from lms.common.ratelimit import client_ip, config_limit
from lms.core.organization import current_organization
from lms.extensions import db, limiter
from lms.mail import absolute_url
from lms.school import family_codes, services
from lms.school.forms import FamilyCodeForm, InviteParentForm
from lms.school.services import current_classroom_of
from lms.school.views_students import _detail_context

bp = Blueprint("family", __name__)


def _student_page(student, **extra):
    context = _detail_context(student)
    context.update(extra)
    return context


@bp.route("/students/<int:student_id>/family-code", methods=["POST"])
@allow(Role.ADMIN)
def issue_code(student_id):
    """A new family code, shown once (or printed on a slip with ``slip=1``); the previous one stops working."""
    from flask import request

    student = services.get_student_for(current_user, student_id)
    row, code = family_codes.issue(current_user, student)
    db.session.commit()
    if request.form.get("slip") == "1":
        return render("school/family_code_slip.html", student=student, code=code, family_code=row,
                      classroom=current_classroom_of(student), organization_name=current_organization().name)
    return render("school/student.html", "school/_family_code.html",
                  **_student_page(student, new_family_code=code, family_code=row))


def _user_key() -> str:
    return f"user:{current_user.get_id().partition(':')[0]}" if current_user.is_authenticated else client_ip()


@bp.route("/my/children/link", methods=["GET", "POST"])
@allow(Role.PARENT)
@limiter.limit(config_limit("FAMILY_CODE_LIMIT_PER_USER"), key_func=_user_key, methods=["POST"])
@limiter.limit(config_limit("FAMILY_CODE_LIMIT_PER_IP"), key_func=client_ip, methods=["POST"])
def link_child():
    form = FamilyCodeForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            student = family_codes.redeem(current_user._get_current_object(), form.code.data)
        if saved:
            flash(_("%(name)s is now linked to your account.", name=student.full_name), "success")
            return redirect_to(url_for("school.students.detail", student_id=student.id))
    return render_form("school/link_child.html", "school/_link_child_form.html", form=form)


@bp.route("/students/<int:student_id>/parents/invite", methods=["POST"])
@allow(Role.ADMIN)
@limiter.limit(config_limit("INVITE_LIMIT_PER_USER"), key_func=_user_key)
def invite_parent(student_id):
    """Invite a new parent who follows this student once they accept."""
    student = services.get_student_for(current_user, student_id)
    form = InviteParentForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            invitation, raw = invitations.invite(current_user, form.email.data, Role.PARENT, form.full_name.data,
                                                 grants={"student_ids": [student.id]})
        if saved:
            message = _("Invitation sent to %(email)s.", email=invitation.email)
            if not is_htmx():
                flash(message, "success")
                return redirect_to(url_for("school.students.detail", student_id=student.id))
            return render("school/student.html", "school/_parents.html",
                          **_student_page(student, invite_done=message,
                                          invite_link=absolute_url("auth.accept_invitation", token=raw)))
    student = services.get_student_for(current_user, student_id)
    return render_form_errors("school/student.html", "school/_parents.html",
                              **_student_page(student, invite_form=form))
