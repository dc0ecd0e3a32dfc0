"""Images among uploads: read by Pillow from their header, as the type their first bytes claim,
never larger than ``UPLOAD_MAX_IMAGE_PIXELS`` (decompression bombs are refused)."""

from __future__ import annotations

import warnings

from flask import current_app
from flask_babel import gettext as _

from lms.common.errors import ValidationFailed

DEFAULT_MAX_PIXELS = 40_000_000


def max_image_pixels() -> int:
    return int(current_app.config.get("UPLOAD_MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS))


PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}


def check_image(path, limit_pixels: int, content_type: str | None = None) -> tuple[int, int]:
    """Width and height, read from the header only; refuses decompression bombs and files Pillow
    does not read as the image type their first bytes claim."""
    from PIL import Image  # Pillow loads only when an image is checked

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=list(PILLOW_FORMATS.values())) as image:
                if content_type and image.format != PILLOW_FORMATS.get(content_type):
                    raise ValueError(f"Pillow reads {image.format}, not {content_type}")
                width, height = image.size
                if width * height > limit_pixels:
                    raise _bomb(limit_pixels)
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise _bomb(limit_pixels) from err
    except ValidationFailed:
        raise
    except Exception as err:
        raise ValidationFailed(_("The image could not be read; it may be damaged."), field="file") from err
    return width, height


def _bomb(limit_pixels: int) -> ValidationFailed:
    return ValidationFailed(_("The image is too large (more than %(n)s million pixels). Make it smaller and "
                              "upload it again.", n=limit_pixels // 1_000_000), field="file")
