"""Background work for resources: image thumbnails (idempotent)."""

from __future__ import annotations

import io
import logging
import warnings

from lms.common.uploads.images import max_image_pixels
from lms.extensions import db
from lms.jobs import background_job
from lms.resources import storage
from lms.resources.models import StoredFile

log = logging.getLogger(__name__)
THUMBNAIL_SIZE = (320, 320)


def thumbnail_bytes(path, max_pixels: int) -> tuple[bytes, str, str]:
    """A small copy of the image at ``path`` without its metadata (EXIF, GPS…): (bytes, type, ext)."""
    from PIL import Image, ImageOps

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(path) as image:
            if image.width * image.height > max_pixels:
                raise ValueError("image has too many pixels")
            image.seek(0)
            image = ImageOps.exif_transpose(image)
            image.thumbnail(THUMBNAIL_SIZE)
            has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
            out = io.BytesIO()
            if has_alpha:
                image.convert("RGBA").save(out, "PNG", optimize=True)
                return out.getvalue(), "image/png", ".png"
            image.convert("RGB").save(out, "JPEG", quality=82, optimize=True)
            return out.getvalue(), "image/jpeg", ".jpg"


def write_thumbnail(source_name: str, about: str) -> tuple[str, str] | None:
    """Store the thumbnail of the stored image ``source_name``: ``(storage name, content type)``, or
    None (logged "no thumbnail for <about>") when the image cannot be read."""
    try:
        data, content_type, suffix = thumbnail_bytes(storage.path_of(source_name), max_image_pixels())
    except Exception:
        log.exception("no thumbnail for %s", about)
        return None
    return storage.write_new(data, suffix), content_type


@background_job
def make_thumbnail(stored_file_id: int) -> str | None:
    """Make the thumbnail of a stored image once; returns its storage name."""
    stored = db.session.get(StoredFile, stored_file_id)
    if stored is None or stored.kind != "IMAGE":
        return None
    if stored.thumbnail_name and storage.path_of(stored.thumbnail_name).is_file():
        return stored.thumbnail_name
    made = write_thumbnail(stored.storage_name, f"stored file {stored_file_id}")
    if made is None:
        return None
    stored.thumbnail_name, stored.thumbnail_type = made
    db.session.commit()
    return stored.thumbnail_name
