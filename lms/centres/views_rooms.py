"""A centre's rooms (administrators), on the centre's page: add, rename / set the capacity, archive,
delete when unused. Each room is a row that replaces itself (htmx); without JavaScript every action
goes back to the centre's page."""

from __future__ import annotations

from flask import Blueprint, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.models import Role
from lms.centres import operations
from lms.centres.forms import RoomForm
from lms.centres.views_admin import detail_context
from lms.common.access import allow
from lms.common.formviews import render_form, saving
from lms.common.htmx import is_htmx, redirect_to, render

bp = Blueprint("rooms", __name__, url_prefix="/admin/centres/<int:centre_id>/rooms")


def _back(centre_id: int):
    return redirect_to(url_for("centres.admin.detail", centre_id=centre_id))


@bp.route("", methods=["POST"])
@allow(Role.ADMIN)
def create(centre_id: int):
    centre = operations.get_centre(current_user, centre_id)
    form = RoomForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            room = operations.add_room(current_user, centre, form.name.data, form.capacity.data)
        if saved:
            flash(_("The room “%(name)s” was added.", name=room.name), "success")
            if not is_htmx():
                return _back(centre_id)
            return render("centres/centre.html", "centres/_rooms.html",
                          **detail_context(operations.get_centre(current_user, centre_id)))
        centre = operations.get_centre(current_user, centre_id)
    return render_form("centres/centre.html", "centres/_rooms.html", **detail_context(centre, room_form=form))


def _row(centre_id: int, room_id: int, *, error: str | None = None, form=None, status: int = 200):
    """The room's row again (htmx), or the centre's page (the error flashed)."""
    if not is_htmx():
        if error:
            flash(error, "error")
        return _back(centre_id)
    centre = operations.get_centre(current_user, centre_id)
    room = operations.get_room(current_user, centre, room_id)
    return render("centres/centre.html", "centres/_room.html", status=status, centre=centre, room=room,
                  row_error=error, row_form=form)


@bp.route("/<int:room_id>/edit", methods=["POST"])
@allow(Role.ADMIN)
def edit(centre_id: int, room_id: int):
    centre = operations.get_centre(current_user, centre_id)
    room = operations.get_room(current_user, centre, room_id)
    form = RoomForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            operations.update_room(current_user, room, form.name.data, form.capacity.data)
        if saved:
            flash(_("Saved."), "success")
            return _row(centre_id, room_id)
    errors = [message for messages in form.errors.values() for message in messages]
    return _row(centre_id, room_id, error=" ".join(errors), form=form, status=422)


def _set_archived(centre_id: int, room_id: int, archived: bool):
    centre = operations.get_centre(current_user, centre_id)
    room = operations.get_room(current_user, centre, room_id)
    with saving(quiet=True) as saved:
        operations.set_room_archived(current_user, room, archived)
    return _row(centre_id, room_id, error=saved.message, status=200 if saved else 422)


@bp.route("/<int:room_id>/archive", methods=["POST"])
@allow(Role.ADMIN)
def archive(centre_id: int, room_id: int):
    return _set_archived(centre_id, room_id, True)


@bp.route("/<int:room_id>/unarchive", methods=["POST"])
@allow(Role.ADMIN)
def unarchive(centre_id: int, room_id: int):
    return _set_archived(centre_id, room_id, False)


@bp.route("/<int:room_id>/delete", methods=["POST"])
@allow(Role.ADMIN)
def delete(centre_id: int, room_id: int):
    centre = operations.get_centre(current_user, centre_id)
    room = operations.get_room(current_user, centre, room_id)
    with saving(quiet=True) as saved:
        name = operations.delete_room(current_user, room)
    if not saved:
        return _row(centre_id, room_id, error=saved.message, status=422)
    flash(_("“%(title)s” was deleted.", title=name), "success")
    if not is_htmx():
        return _back(centre_id)
    return render("centres/centre.html", "centres/_room_deleted.html")
