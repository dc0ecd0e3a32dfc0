"""Background work for profiles: the photo's thumbnail (idempotent)."""

from __future__ import annotations

import logging

from lms.extensions import db
from lms.jobs import background_job
from lms.profiles.models import PersonProfile
from lms.resources import storage
from lms.resources.jobs import thumbnail_bytes
from lms.resources.services import max_image_pixels

log = logging.getLogger(__name__)


@background_job
def make_profile_thumbnail(user_id: int, photo_name: str) -> str | None:
    """Make the thumbnail of this photo once; nothing when the photo has been replaced since."""
    profile = db.session.get(PersonProfile, user_id)
    if profile is None or profile.photo_name != photo_name:
        return None
    if profile.thumb_name and storage.path_of(profile.thumb_name).is_file():
        return profile.thumb_name
    try:
        data, content_type, suffix = thumbnail_bytes(storage.path_of(photo_name), max_image_pixels())
    except Exception:
        log.exception("no thumbnail for the photo of user %s", user_id)
        return None
    name = storage.write_new(data, suffix)
    profile.thumb_name, profile.thumb_type = name, content_type
    db.session.commit()
    return name
