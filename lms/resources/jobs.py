"""Background work for resources: thumbnails of images, videos (a poster frame) and PDFs (the
first page), each made once (idempotent)."""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import or_, select

from lms.common.uploads import previews
from lms.common.uploads.images import max_image_pixels
from lms.extensions import db
from lms.jobs import background_job, enqueue
from lms.resources import storage
from lms.resources.models import StoredFile

log = logging.getLogger(__name__)
THUMBNAIL_SIZE = (320, 320)
PREVIEW_PIXELS = THUMBNAIL_SIZE[0] * THUMBNAIL_SIZE[1]
DEFAULT_THUMBNAIL_MEMORY_MB = 1024


@dataclass(frozen=True)
class Thumbnail:
    data: bytes
    content_type: str
    suffix: str
    width: int
    height: int


def _encoded(image) -> Thumbnail:
    """A small copy of a Pillow image without its metadata (EXIF, GPS…): PNG when it has
    transparency, JPEG otherwise."""
    from PIL import ImageOps

    image = ImageOps.exif_transpose(image)
    image.thumbnail(THUMBNAIL_SIZE)
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    out = io.BytesIO()
    if has_alpha:
        image.convert("RGBA").save(out, "PNG", optimize=True)
        return Thumbnail(out.getvalue(), "image/png", ".png", *image.size)
    image.convert("RGB").save(out, "JPEG", quality=82, optimize=True)
    return Thumbnail(out.getvalue(), "image/jpeg", ".jpg", *image.size)


def thumbnail_bytes(source, max_pixels: int) -> Thumbnail:
    """The thumbnail of the image at ``source`` (a path or a binary file), read within ``max_pixels``."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(source) as image:
            if image.width * image.height > max_pixels:
                raise ValueError("image has too many pixels")
            image.seek(0)
            return _encoded(image)


def write_thumbnail(source_name: str, about: str) -> tuple[str, str] | None:
    """Store the thumbnail of the stored image ``source_name``: ``(storage name, content type)``, or
    None (logged "no thumbnail for <about>") when the image cannot be read."""
    try:
        made = thumbnail_bytes(storage.path_of(source_name), max_image_pixels())
    except Exception:
        log.exception("no thumbnail for %s", about)
        return None
    return storage.write_new(made.data, made.suffix), made.content_type


def thumbnail_memory_bytes() -> int:
    """The most address space ffmpeg may use for a poster frame (``THUMBNAIL_MEMORY_MB``)."""
    return int(float(current_app.config.get("THUMBNAIL_MEMORY_MB", DEFAULT_THUMBNAIL_MEMORY_MB)) * 1024 * 1024)


def picture_of(stored: StoredFile) -> Thumbnail | None:
    """The thumbnail of a stored file: the image itself, a video's poster frame, a PDF's first
    page; None for other kinds.  Raises ``previews.PreviewFailed`` (or any error of a damaged image)."""
    path = storage.path_of(stored.storage_name)
    if stored.kind == "IMAGE":
        return thumbnail_bytes(path, max_image_pixels())
    if stored.kind == "VIDEO":
        png = previews.video_poster(path, stored.content_type, THUMBNAIL_SIZE, max_image_pixels(),
                                    thumbnail_memory_bytes())
    elif stored.content_type == "application/pdf":
        png = previews.pdf_first_page(path, THUMBNAIL_SIZE)
    else:
        return None
    return thumbnail_bytes(io.BytesIO(png), PREVIEW_PIXELS * 4)


def thumbnail_job_key(stored: StoredFile) -> str:
    """One thumbnail run per stored content: the same bytes uploaded again ask for no new run."""
    return f"thumbnail:{stored.id}:{stored.storage_name}"


def wants_thumbnail(stored: StoredFile) -> bool:
    return not stored.thumbnail_name and (stored.kind in ("IMAGE", "VIDEO") or stored.content_type == "application/pdf")


def ask_for_missing_thumbnails() -> int:
    """Ask again for the thumbnail of every stored image, video and PDF that has none (e.g. after
    ``apt-get install ffmpeg``; ``flask --app wsgi lms thumbnails``); returns how many were asked."""
    missing = db.session.execute(
        select(StoredFile.id, StoredFile.storage_name).where(
            StoredFile.thumbnail_name.is_(None),
            or_(StoredFile.kind.in_(("IMAGE", "VIDEO")), StoredFile.content_type == "application/pdf"))
        .order_by(StoredFile.id)).all()
    for stored_file_id, storage_name in missing:
        enqueue(make_thumbnail, stored_file_id, storage_name, retry=False)
    db.session.commit()
    return len(missing)


@background_job
def make_thumbnail(stored_file_id: int, storage_name: str | None = None) -> str | None:
    """Make the thumbnail of a stored file once; returns its storage name.  Nothing when the
    file's content was replaced since (``storage_name`` differs) or cannot be pictured: a damaged
    or hostile file is logged in one line and never retried (the resource stays usable)."""
    stored = db.session.get(StoredFile, stored_file_id)
    if stored is None or (storage_name is not None and stored.storage_name != storage_name):
        return None
    if stored.thumbnail_name and storage.path_of(stored.thumbnail_name).is_file():
        return stored.thumbnail_name
    about = f"stored file {stored_file_id} ({stored.content_type})"
    try:
        made = picture_of(stored)
    except previews.PreviewFailed as err:  # ffmpeg missing, a damaged or hostile file: one line
        log.warning("no thumbnail for %s: %s", about, err)
        return None
    except Exception:
        log.exception("no thumbnail for %s", about)
        return None
    if made is None:
        return None
    stored.thumbnail_name = storage.write_new(made.data, made.suffix)
    stored.thumbnail_type = made.content_type
    stored.thumbnail_width, stored.thumbnail_height = made.width, made.height
    db.session.commit()
    return stored.thumbnail_name
