"""Contact profiles: phone numbers (validated, normalised), photos (checked like resource uploads,
thumbnail made in the background) and a short bio for staff.

Who may see a person's photo (``may_see_person``): the person, administrators, teachers who see
the student (or any staff member's photo), a student's parents, a parent's children, and the
teachers of a parent's children.  Anyone else gets a 404.
"""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lms.audit.services import record
from lms.auth.models import Role, User
from lms.common.errors import Forbidden, NotFound, ValidationFailed
from lms.common.ids import as_id
from lms.common.uploads import virus_scan
from lms.common.uploads.images import check_image, max_image_pixels
from lms.common.uploads.sniffing import sniff
from lms.extensions import db
from lms.jobs import enqueue
from lms.profiles.jobs import make_profile_thumbnail
from lms.profiles.models import BIO_MAX, PHOTO_TYPES, PersonProfile
from lms.resources import storage
from lms.resources.services import _human_size
from lms.school import services as school
from lms.school.models import ParentLink

MB = 1024 * 1024
DEFAULT_PHOTO_MAX_MB = 5
PHONE_INPUT_MAX = 30
_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]")


# --- phone ----------------------------------------------------------------------------------


def normalise_phone(text: str | None) -> str | None:
    """A phone number in E.164 ("+66812345678") or None when blank; ValidationFailed otherwise.

    Thai numbers may be written nationally ("081-234-5678", "02 123 4567") or with the country code
    ("+66 81 234 5678", "+66 (0)81 234 5678", "0066…"); other countries need "+" and their code.
    """
    raw = (text or "").strip()
    if not raw:
        return None
    if len(raw) > PHONE_INPUT_MAX:
        raise ValidationFailed(_("That phone number is too long."), field="phone")
    compact = _PHONE_SEPARATORS.sub("", raw.replace("(0)", ""))
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+"):
        digits = compact[1:]
        if digits.startswith("660"):
            digits = "66" + digits[3:]
    else:
        digits = compact
        if not (digits.startswith("0") and len(digits) in (9, 10)):
            raise ValidationFailed(_("Write the number as 081-234-5678, or with the country code: +66 81 234 5678."),
                                   field="phone")
        digits = "66" + digits[1:]
    if not digits.isdigit() or not 7 <= len(digits) <= 15 or digits.startswith("0"):
        raise ValidationFailed(_("Write the number as 081-234-5678, or with the country code: +66 81 234 5678."),
                               field="phone")
    if digits.startswith("66") and len(digits) not in (10, 11):
        raise ValidationFailed(_("A Thai number has 9 or 10 digits, e.g. 081-234-5678."), field="phone")
    return "+" + digits


def display_phone(phone: str | None) -> str:
    """How a stored number is shown: Thai numbers the Thai way (081-234-5678), others as stored."""
    if not phone:
        return ""
    if phone.startswith("+66"):
        rest = "0" + phone[3:]
        if len(rest) == 10:
            return f"{rest[:3]}-{rest[3:6]}-{rest[6:]}"
        if len(rest) == 9:
            return f"{rest[:2]}-{rest[2:5]}-{rest[5:]}"
    return phone


# --- reading --------------------------------------------------------------------------------


def profile_of(user: User) -> PersonProfile | None:
    return db.session.get(PersonProfile, user.id)


def profiles_for(user_ids) -> dict[int, PersonProfile]:
    """Profiles of these users, by user id (one query; users without one are missing)."""
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return {p.user_id: p for p in db.session.scalars(select(PersonProfile).where(PersonProfile.user_id.in_(ids)))}


def _ensure(user: User) -> PersonProfile:
    profile = profile_of(user)
    if profile is None:
        profile = PersonProfile(user_id=user.id)
        db.session.add(profile)
    return profile


def may_see_person(actor, person: User) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.id == person.id or actor.is_admin:
        return True

    if person.role in (Role.ADMIN, Role.TEACHER):
        return actor.role in (Role.ADMIN, Role.TEACHER)
    if person.role == Role.STUDENT:
        return db.session.scalar(school.visible_students(actor).where(User.id == person.id)
                                 .with_only_columns(User.id)) is not None
    if person.role == Role.PARENT:
        children = select(ParentLink.student_id).where(ParentLink.parent_id == person.id)
        return db.session.scalar(school.visible_students(actor).where(User.id.in_(children))
                                 .with_only_columns(User.id).limit(1)) is not None
    return False


def get_person_for(actor, user_id) -> User:
    ident = as_id(user_id)
    person = db.session.get(User, ident) if ident else None
    if person is None or not may_see_person(actor, person):
        raise NotFound(_("That person does not exist or is not one of yours."))
    return person


def require_edit(actor, person: User) -> None:
    if actor.id != person.id and not actor.is_admin:
        raise Forbidden(_("Only the person themselves or an administrator can change this profile."))


# --- editing --------------------------------------------------------------------------------


def clean_bio(text: str | None) -> str | None:
    bio = (text or "").replace("\r\n", "\n").strip()
    if len(bio) > BIO_MAX:
        raise ValidationFailed(_("The bio can be at most %(n)d characters.", n=BIO_MAX), field="bio")
    return bio or None


def update_contact(actor, person: User, *, phone: str | None, bio: str | None = None) -> PersonProfile:
    """Save the phone (and, for staff, the bio); everything is checked before anything changes."""
    require_edit(actor, person)
    new_phone = normalise_phone(phone)
    staff = person.role in (Role.ADMIN, Role.TEACHER)
    new_bio = clean_bio(bio) if staff else None
    profile = _ensure(person)
    changed = [name for name, old, new in (("phone", profile.phone, new_phone), ("bio", profile.bio, new_bio))
               if old != new and (name != "bio" or staff)]
    profile.phone = new_phone
    if staff:
        profile.bio = new_bio
    db.session.flush()
    if changed:
        record(actor, "profile.update", person, fields=changed)
    return profile


def photo_max_bytes() -> int:
    return int(float(current_app.config.get("PROFILE_PHOTO_MAX_MB") or DEFAULT_PHOTO_MAX_MB) * MB)


def set_photo(actor, person: User, stream, filename: str | None = None) -> PersonProfile:
    """Store a new photo (image kinds only, size and pixel caps, content sniffed); the old one is removed
    after the commit and the thumbnail is made in the background.  On a refusal nothing is kept."""
    require_edit(actor, person)
    limit = photo_max_bytes()
    try:
        temp = storage.receive(stream, limit)
    except storage.TooLarge as err:
        raise ValidationFailed(_("The photo is too large (%(max)s at most).", max=_human_size(limit)),
                               field="photo") from err
    try:
        if temp.size == 0:
            raise ValidationFailed(_("The file is empty."), field="photo")
        try:
            sniffed = sniff(temp.path, filename)
            if sniffed.content_type not in PHOTO_TYPES:
                raise ValidationFailed(_("A photo must be a PNG, JPEG, GIF or WebP image."), field="photo")
            check_image(temp.path, max_image_pixels(), sniffed.content_type)
            with open(temp.path, "rb") as fh:
                virus_scan.check_upload(fh, actor, filename or "photo")
        except ValidationFailed as err:
            raise ValidationFailed(err.message, field="photo") from err
        name = storage.keep(temp)
    finally:
        temp.discard()
    profile = _ensure(person)
    storage.delete_after_commit(profile.photo_name, profile.thumb_name)
    profile.photo_name, profile.photo_type = name, sniffed.content_type
    profile.thumb_name = profile.thumb_type = None
    db.session.flush()
    record(actor, "profile.photo", person, size=temp.size, content_type=sniffed.content_type)

    enqueue(make_profile_thumbnail, person.id, name)
    return profile


def remove_photo(actor, person: User) -> None:
    require_edit(actor, person)
    profile = profile_of(person)
    if profile is None or not profile.photo_name:
        return
    storage.delete_after_commit(profile.photo_name, profile.thumb_name)
    profile.photo_name = profile.photo_type = profile.thumb_name = profile.thumb_type = None
    db.session.flush()
    record(actor, "profile.photo_removed", person)


def initials(name: str | None) -> str:
    parts = [p for p in (name or "").split() if p]
    if not parts:
        return "?"
    letters = parts[0][:1] + (parts[-1][:1] if len(parts) > 1 else "")
    return letters.upper()


def photo_versions(user_ids) -> dict[int, str]:
    """``{user_id: version}`` for the users among ``user_ids`` who have a photo (one query)."""
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    rows = db.session.execute(select(PersonProfile.user_id, PersonProfile.photo_name, PersonProfile.thumb_name)
                              .where(PersonProfile.user_id.in_(ids), PersonProfile.photo_name.is_not(None)))
    return {row.user_id: (row.thumb_name or row.photo_name)[-8:] for row in rows}


def phones_of(user_ids) -> dict[int, str]:
    """``{user_id: stored phone}`` for these users (one query)."""
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(PersonProfile.user_id, PersonProfile.phone)
                                   .where(PersonProfile.user_id.in_(ids), PersonProfile.phone.is_not(None))).all())


def parents_by_student(student_ids) -> dict[int, list[tuple[str, str | None]]]:
    """``{student_id: [(parent name, stored phone or None), ...]}`` for a roster (one query)."""
    ids = {i for i in student_ids if i}
    if not ids:
        return {}
    rows = db.session.execute(
        select(ParentLink.student_id, User.full_name, PersonProfile.phone)
        .join(User, User.id == ParentLink.parent_id)
        .outerjoin(PersonProfile, PersonProfile.user_id == User.id)
        .where(ParentLink.student_id.in_(ids)).order_by(User.full_name, User.id))
    found: dict[int, list[tuple[str, str | None]]] = {}
    for row in rows:
        found.setdefault(row.student_id, []).append((row.full_name, row.phone))
    return found
