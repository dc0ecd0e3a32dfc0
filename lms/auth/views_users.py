"""``/admin/users``: find accounts, deactivate/reactivate, change role, send a reset link."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from lms.auth import accounts
from lms.auth.forms import ROLE_CHOICES, RoleForm, UsernameForm
from lms.auth.invitations import ROLE_LABELS
from lms.auth.login_sessions import describe_device
from lms.auth.models import LoginAttempt, Role, UserSession
from lms.auth.views_suspension import suspension_context
from lms.common.access import allow
from lms.common.csvexport import csv_response, local_datetime
from lms.common.errors import ValidationFailed
from lms.common.formviews import saving
from lms.common.htmx import is_htmx, redirect_to, render
from lms.common.labels import label
from lms.common.navigation import nav_item
from lms.common.pagination import paginate
from lms.extensions import db

bp = Blueprint("users", __name__, url_prefix="/admin/users")
nav_item("auth.users.index", _l("Users"), Role.ADMIN, order=80, group="admin")

STATUS_CHOICES = [("", _l("Any status")), ("active", _l("Active")), ("inactive", _l("Deactivated")),
                  ("suspended", _l("Suspended"))]


def _filters() -> dict:
    return {
        "q": request.args.get("q", "").strip()[:100],
        "role": request.args.get("role", ""),
        "status": request.args.get("status", ""),
        "sort": request.args.get("sort", "name"),
    }


@bp.route("")
@allow(Role.ADMIN)
def index():
    filters = _filters()
    page = paginate(accounts.users_query(current_user, **filters), per_page=25)
    return render("admin/users/index.html", "admin/users/_list.html", results=page, filters=filters,
                  role_choices=ROLE_CHOICES, status_choices=STATUS_CHOICES, role_labels=ROLE_LABELS)


@bp.route("/export.csv")
@allow(Role.ADMIN)
def export():
    stmt = accounts.users_query(current_user, **_filters())
    header = [_("Email"), _("Username"), _("Full name"), _("Role"), _("Active"), _("Last sign-in"), _("Created")]
    rows = ([user.email or "", user.username or "", user.full_name, label("role", user.role), _("Yes") if user.active else _("No"),
             local_datetime(user.last_login_at, "%Y-%m-%d %H:%M"), local_datetime(user.created_at, "%Y-%m-%d")]
            for user in db.session.scalars(stmt))
    return csv_response("users.csv", header, rows)


def _detail_context(user, username_form=None) -> dict:
    sessions = list(db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id)
        .order_by(UserSession.started_at.desc(), UserSession.id.desc()).limit(20)))
    attempts = list(db.session.scalars(
        select(LoginAttempt).where(LoginAttempt.user_id == user.id)
        .order_by(LoginAttempt.created_at.desc(), LoginAttempt.id.desc()).limit(20)))
    return {"role_labels": ROLE_LABELS, "user": user, "role_form": RoleForm(formdata=None, role=user.role), "login_sessions": sessions,
            "attempts": attempts, "describe_device": describe_device, **suspension_context(user),
            "username_form": username_form or UsernameForm(formdata=None, username=user.username or "")}


@bp.route("/<int:user_id>")
@allow(Role.ADMIN)
def detail(user_id: int):
    user = accounts.get_user(current_user, user_id)
    return render("admin/users/detail.html", "admin/users/_panel.html", **_detail_context(user))


def _after_action(user, message: str):
    db.session.commit()
    if is_htmx():
        return render("admin/users/detail.html", "admin/users/_panel.html", done=message,
                      **_detail_context(user))
    flash(message, "success")
    return redirect_to(url_for("auth.users.detail", user_id=user.id))


@bp.route("/<int:user_id>/deactivate", methods=["POST"])
@allow(Role.ADMIN)
def deactivate(user_id: int):
    user = accounts.deactivate(current_user, user_id)
    return _after_action(user, _("%(name)s can no longer sign in.", name=user.full_name))


@bp.route("/<int:user_id>/reactivate", methods=["POST"])
@allow(Role.ADMIN)
def reactivate(user_id: int):
    user = accounts.reactivate(current_user, user_id)
    return _after_action(user, _("%(name)s can sign in again.", name=user.full_name))


@bp.route("/<int:user_id>/role", methods=["POST"])
@allow(Role.ADMIN)
def change_role(user_id: int):
    form = RoleForm()
    user = accounts.change_role(current_user, user_id, form.role.data or "")
    return _after_action(user, _("%(name)s is now %(role)s.", name=user.full_name, role=user.role))


@bp.route("/<int:user_id>/username", methods=["POST"])
@allow(Role.ADMIN)
def change_username(user_id: int):
    form = UsernameForm()
    with saving(form, catch=ValidationFailed) as saved:
        user = accounts.set_username(current_user, user_id, form.username.data or "")
    if not saved:
        user = accounts.get_user(current_user, user_id)
        return render("admin/users/detail.html", "admin/users/_panel.html",
                      **_detail_context(user, username_form=form)), 422
    return _after_action(user, _("The username of %(name)s was saved.", name=user.full_name))


@bp.route("/<int:user_id>/reset-link", methods=["POST"])
@allow(Role.ADMIN)
def send_reset_link(user_id: int):
    user = accounts.send_reset_link(current_user, user_id)
    return _after_action(user, _("A password-reset link was sent to %(email)s.", email=user.email))
