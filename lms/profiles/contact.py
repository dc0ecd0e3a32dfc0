"""The contact card (phone, photo, bio) that a person's pages include (``profiles/_contact.html``)."""

from __future__ import annotations

from lms.auth.models import Role, User
from lms.profiles import services
from lms.profiles.forms import ContactForm, PhotoForm


def contact_context(person: User, *, contact_form=None, photo_form=None, done: str | None = None) -> dict:
    """What ``profiles/_contact.html`` needs, under the name ``contact``."""
    profile = services.profile_of(person)
    if contact_form is None:
        contact_form = ContactForm(formdata=None, phone=services.display_phone(profile.phone if profile else None),
                                   bio=profile.bio if profile else "")
    return {"contact": {
        "person": person, "profile": profile, "form": contact_form, "photo_form": photo_form or PhotoForm(formdata=None),
        "staff": person.role in (Role.ADMIN, Role.TEACHER), "done": done,
        "phone": services.display_phone(profile.phone if profile else None),
    }}
