"""``/people/<id>/...``: a person's phone, bio and photo (edited by themselves or an admin) and the
photo itself, served only to those who may see the person."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.models import Role, User
from lms.common.access import SIGNED_IN, allow
from lms.common.downloads import private_file
from lms.common.errors import ValidationFailed
from lms.common.formviews import saving
from lms.common.htmx import is_htmx, redirect_to, render, render_form_errors
from lms.extensions import db
from lms.profiles import services
from lms.profiles.contact import contact_context
from lms.profiles.forms import ContactForm, PhotoForm
from lms.resources import storage

bp = Blueprint("profiles", __name__)


def _editable_person(user_id) -> User:
    person = services.get_person_for(current_user, user_id)
    services.require_edit(current_user, person)
    return person


def _answer(person: User, message: str, **forms):
    if is_htmx():
        return render("profiles/contact_page.html", "profiles/_contact.html",
                      **contact_context(person, done=message, **forms))
    flash(message, "success")
    return redirect_to(_back(person))


def _back(person: User) -> str:
    if person.id == current_user.id:
        return url_for("auth.profile")
    if person.role == Role.STUDENT:
        return url_for("school.students.detail", student_id=person.id)
    return url_for("profiles.edit", user_id=person.id)


def _errors(person: User, **forms):
    return render_form_errors("profiles/contact_page.html", "profiles/_contact.html",
                              **contact_context(person, **forms))


@bp.route("/people/<int:user_id>/profile")
@allow(SIGNED_IN)
def edit(user_id):
    person = _editable_person(user_id)
    return render("profiles/contact_page.html", "profiles/_contact.html", **contact_context(person))


@bp.route("/people/<int:user_id>/contact", methods=["POST"])
@allow(SIGNED_IN)
def update_contact(user_id):
    person = _editable_person(user_id)
    form = ContactForm()
    if form.validate_on_submit():
        with saving(form, field="phone", catch=ValidationFailed) as saved:
            services.update_contact(current_user, person, phone=form.phone.data, bio=form.bio.data)
        if saved:
            return _answer(person, _("The contact details were saved."))
    person = services.get_person_for(current_user, user_id)
    return _errors(person, contact_form=form)


@bp.route("/people/<int:user_id>/photo", methods=["POST"])
@allow(SIGNED_IN)
def upload_photo(user_id):
    person = _editable_person(user_id)
    form = PhotoForm()
    upload = request.files.get("photo")
    if not form.validate_on_submit():
        return _errors(person, photo_form=form)
    if upload is None or not upload.filename:
        form.photo.errors = [_("Choose a photo to upload.")]
        return _errors(person, photo_form=form)
    with saving(form, field="photo", catch=ValidationFailed) as saved:
        services.set_photo(current_user, person, upload.stream, upload.filename)
    if not saved:
        person = services.get_person_for(current_user, user_id)
        return _errors(person, photo_form=form)
    return _answer(person, _("The photo was saved."))


@bp.route("/people/<int:user_id>/photo/delete", methods=["POST"])
@allow(SIGNED_IN)
def delete_photo(user_id):
    person = _editable_person(user_id)
    services.remove_photo(current_user, person)
    db.session.commit()
    return _answer(person, _("The photo was removed."))


def _photo_response(path, content_type: str):
    response = private_file(path, content_type, max_age=3600)
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.route("/people/<int:user_id>/photo")
@allow(SIGNED_IN)
def photo(user_id):
    """The photo (``?size=small``: its thumbnail once the worker made it, the photo until then)."""
    person = services.get_person_for(current_user, user_id)
    profile = services.profile_of(person)
    if profile is None or not profile.photo_name:
        abort(404)
    name, content_type = profile.photo_name, profile.photo_type
    if request.args.get("size") == "small" and profile.thumb_name:
        name, content_type = profile.thumb_name, profile.thumb_type
    path = storage.path_of(name)
    if not path.is_file():
        abort(404)
    return _photo_response(path, content_type)


@bp.app_template_filter("phone")
def phone_filter(value) -> str:
    return services.display_phone(value)


@bp.app_template_global("initials")
def initials_global(name) -> str:
    return services.initials(name)
