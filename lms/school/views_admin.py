"""Organization settings, the school logo and the levels (administrators)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.auth.models import Role
from lms.auth.picture_password import level_codes
from lms.common.access import PUBLIC, allow
from lms.common.errors import ValidationFailed
from lms.common.formviews import render_form, saving
from lms.common.htmx import redirect_to
from lms.common.navigation import nav_item
from lms.core.academic_year import current_academic_year
from lms.core.organization import current_organization
from lms.extensions import db
from lms.school import invitation_grants, services, settings
from lms.school.forms import LevelForm, OrganizationForm, choices

bp = Blueprint("admin", __name__)
bp.record_once(lambda _state: invitation_grants.connect_signals())

nav_item("school.admin.organization", _l("Organization"), Role.ADMIN, order=90, group="admin")


def _organization_form(org) -> OrganizationForm:
    form = OrganizationForm(obj=org if request.method == "GET" else None)
    zones = settings.timezone_choices()
    if org.timezone and org.timezone not in zones:
        zones.insert(0, org.timezone)
    form.timezone.choices = choices([(tz, tz) for tz in zones])
    form.digest_weekday.choices = choices(settings.weekday_choices())
    form.picture_password_levels.choices = [(level.code, f"{level.code} {level.name}")
                                            for level in services.list_levels()]
    if request.method == "GET":
        form.picture_password_levels.data = level_codes(org.picture_password_levels)
    return form


@bp.route("/admin/organization", methods=["GET", "POST"])
@allow(Role.ADMIN)
def organization():
    org = services.ensure_organization()
    form = _organization_form(org)
    if request.method == "GET" and not form.academic_year.data:
        form.academic_year.data = current_academic_year()
    if form.validate_on_submit():
        replaced = None
        with saving(form, catch=ValidationFailed) as saved:
            settings.update_organization(current_user, {name: form[name].data for name in settings.SETTINGS_FIELDS})
            if "picture_password_levels_shown" in request.form:  # left out of a post: unchanged
                settings.set_picture_password_levels(current_user, form.picture_password_levels.data)
            upload = request.files.get("logo")
            if upload and upload.filename:
                replaced = settings.set_logo(current_user, upload.read(settings.MAX_LOGO_BYTES + 1),
                                              upload.filename)
            elif form.remove_logo.data:
                replaced = settings.remove_logo(current_user)
        if saved:
            settings.delete_logo_file(replaced)
            flash(_("The organization settings were saved."), "success")
            return redirect_to(url_for("school.admin.organization"))
        org = services.ensure_organization()
    return render_form("school/organization.html", "school/_organization_form.html", form=form, org=org)


@bp.route("/organization/logo")
@allow(PUBLIC)
def logo():
    """The school's logo (shown on every page, the sign-in page too); only sniffed image types."""
    org = current_organization()
    path = settings.logo_path(org) if org.id else None
    if path is None or org.logo_content_type not in settings.LOGO_TYPES:
        abort(404)
    response = send_file(path, mimetype=org.logo_content_type, max_age=3600,
                         download_name=f"logo.{settings.LOGO_TYPES[org.logo_content_type]}")
    response.headers["Content-Disposition"] = f'inline; filename="logo.{settings.LOGO_TYPES[org.logo_content_type]}"'
    return response


# --- levels -----------------------------------------------------------------------------------


def _levels_page(form=None, status=200):
    levels = services.list_levels()
    in_use = services.levels_in_use()
    ctx = {"levels": levels, "in_use": in_use, "form": form or LevelForm(formdata=None)}
    return render_form("school/levels.html", "school/_levels.html", failed=status == 422, **ctx)


@bp.route("/admin/levels", methods=["GET", "POST"])
@allow(Role.ADMIN)
def levels():
    if request.method == "GET":
        return _levels_page()
    form = LevelForm()
    if form.validate():
        with saving(form, catch=ValidationFailed) as saved:
            level = services.add_level(current_user, form.code.data, form.name.data, at_start=form.at_start.data)
        if saved:
            flash(_("Level %(code)s added.", code=level.code), "success")
            return _levels_page()
    return _levels_page(form, 422)


@bp.route("/admin/levels/defaults", methods=["POST"])
@allow(Role.ADMIN)
def level_defaults():
    services.ensure_levels()
    db.session.commit()
    return redirect_to(url_for("school.admin.levels"))


@bp.route("/admin/levels/<int:level_id>", methods=["POST"])
@allow(Role.ADMIN)
def rename_level(level_id):
    level = services.get_level(level_id)
    code, name = request.form.get("code", ""), request.form.get("name", "")
    with saving(catch=ValidationFailed) as saved:
        services.rename_level(current_user, level, code, name)
    if not saved:
        return _levels_page(status=422)
    flash(_("Level %(code)s saved.", code=code.strip().upper()), "success")
    return _levels_page()


@bp.route("/admin/levels/<int:level_id>/move", methods=["POST"])
@allow(Role.ADMIN)
def move_level(level_id):
    level = services.get_level(level_id)
    services.move_level(current_user, level, request.form.get("direction", ""))
    db.session.commit()
    return _levels_page()


@bp.route("/admin/levels/<int:level_id>/delete", methods=["POST"])
@allow(Role.ADMIN)
def delete_level(level_id):
    level = services.get_level(level_id)
    code = level.code
    with saving() as saved:
        services.delete_level(current_user, level)
    if not saved:
        return _levels_page(status=422)
    flash(_("Level %(code)s deleted.", code=code), "success")
    return _levels_page()
