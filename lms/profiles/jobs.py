"""Background work for profiles: the photo's thumbnail (idempotent)."""

from __future__ import annotations

from lms.extensions import db
from lms.jobs import background_job
from lms.profiles.models import PersonProfile
from lms.resources import storage
from lms.resources.jobs import write_thumbnail


@background_job
def make_profile_thumbnail(user_id: int, photo_name: str) -> str | None:
    """Make the thumbnail of this photo once; nothing when the photo has been replaced since."""
    profile = db.session.get(PersonProfile, user_id)
    if profile is None or profile.photo_name != photo_name:
        return None
    if profile.thumb_name and storage.path_of(profile.thumb_name).is_file():
        return profile.thumb_name
    made = write_thumbnail(photo_name, f"the photo of user {user_id}")
    if made is None:
        return None
    profile.thumb_name, profile.thumb_type = made
    db.session.commit()
    return profile.thumb_name
