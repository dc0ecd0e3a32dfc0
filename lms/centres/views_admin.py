"""``/admin/centres`` (administrators): the centres (open or archived), creating one, a centre's page
with its details, rooms and member counts; editing, archiving and deleting a centre."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.auth.models import Role
from lms.centres import members, operations
from lms.centres.forms import CentreForm, RoomForm
from lms.common.access import allow
from lms.common.formviews import deleted, render_form, saving
from lms.common.htmx import redirect_to, render
from lms.common.navigation import nav_item
from lms.common.pagination import paginate
from lms.core.organization import current_organization

bp = Blueprint("admin", __name__, url_prefix="/admin/centres")

nav_item("centres.admin.index", _l("Centres"), Role.ADMIN, order=38, group="school")


def _list_context(form=None) -> dict:
    archived = request.args.get("archived") == "1"
    results = paginate(operations.centre_list_query(archived=archived), per_page=50, scalars=False)
    return {"results": results, "archived": archived, "form": form or CentreForm(formdata=None),
            "org_timezone": current_organization().timezone}


@bp.route("")
@allow(Role.ADMIN)
def index():
    return render("centres/index.html", "centres/_list.html", **_list_context())


@bp.route("/new", methods=["POST"])
@allow(Role.ADMIN)
def create():
    form = CentreForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            centre = operations.create_centre(current_user, form.name.data, form.address.data, form.timezone.data)
        if saved:
            flash(_("The centre “%(name)s” was created. Add its rooms and members below.", name=centre.name),
                  "success")
            return redirect_to(url_for("centres.admin.detail", centre_id=centre.id))
    return render_form("centres/index.html", "centres/_centre_form.html", **_list_context(form))


def detail_context(centre, form=None, room_form=None) -> dict:
    form = form or CentreForm(formdata=None, name=centre.name, address=centre.address, timezone=centre.timezone or "")
    return {"centre": centre, "form": form, "room_form": room_form or RoomForm(formdata=None),
            "rooms": operations.rooms_of(centre), "counts": members.member_counts(centre),
            "org_timezone": current_organization().timezone}


@bp.route("/<int:centre_id>")
@allow(Role.ADMIN)
def detail(centre_id: int):
    centre = operations.get_centre(current_user, centre_id)
    return render("centres/centre.html", **detail_context(centre))


@bp.route("/<int:centre_id>/edit", methods=["POST"])
@allow(Role.ADMIN)
def edit(centre_id: int):
    centre = operations.get_centre(current_user, centre_id)
    form = CentreForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            operations.update_centre(current_user, centre, form.name.data, form.address.data, form.timezone.data)
        if saved:
            flash(_("Saved."), "success")
            return redirect_to(url_for("centres.admin.detail", centre_id=centre_id))
        centre = operations.get_centre(current_user, centre_id)
    return render_form("centres/centre.html", "centres/_centre_form.html", **detail_context(centre, form))


def _set_archived(centre_id: int, archived: bool):
    centre = operations.get_centre(current_user, centre_id)
    with saving() as saved:
        operations.set_centre_archived(current_user, centre, archived)
    if saved:
        flash(_("“%(name)s” was archived: it keeps its history but takes no new members or sessions.",
                name=centre.name) if archived else _("“%(name)s” is open again.", name=centre.name), "success")
    return redirect_to(url_for("centres.admin.detail", centre_id=centre_id))


@bp.route("/<int:centre_id>/archive", methods=["POST"])
@allow(Role.ADMIN)
def archive(centre_id: int):
    return _set_archived(centre_id, True)


@bp.route("/<int:centre_id>/unarchive", methods=["POST"])
@allow(Role.ADMIN)
def unarchive(centre_id: int):
    return _set_archived(centre_id, False)


@bp.route("/<int:centre_id>/delete", methods=["POST"])
@allow(Role.ADMIN)
def delete(centre_id: int):
    centre = operations.get_centre(current_user, centre_id)
    with saving() as saved:
        name = operations.delete_centre(current_user, centre)
    if saved:
        return deleted(name, url_for("centres.admin.index"))
    return redirect_to(url_for("centres.admin.detail", centre_id=centre_id))
