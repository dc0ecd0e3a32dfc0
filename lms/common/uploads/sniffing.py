"""What an uploaded file is, decided by its content — never by the browser's Content-Type.

The first bytes say what a file claims to be; the claim counts only when the structure holds up
(``lms.common.uploads.formats``: MPEG audio frames, MP4 boxes, Ogg pages, RIFF chunks, EBML header,
PDF header and end marker, a zip whose members make it a document).  Images are then opened
with Pillow (``lms.common.uploads.images``).  The file's name must end with an extension of the
type found ("This file is named .mp3 but it is a ZIP archive" otherwise).

Allowed: PNG, JPEG, GIF, WebP; MP3, AAC, M4A, OGG, WAV; MP4, WebM; PDF, Office documents
(DOCX/XLSX/PPTX), OpenDocument (ODT/ODS/ODP) and plain UTF-8 text without HTML.  Refused with
a message saying why: anything with HTML/SVG/script markup in its first KB (whatever comes
before it), executables and scripts, other archives, empty files, unknown binaries.
"""

from __future__ import annotations

import codecs
import contextlib
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from lms.common.errors import ValidationFailed
from lms.common.uploads import formats


@dataclass(frozen=True)
class Sniffed:
    kind: str          # IMAGE, AUDIO, VIDEO, DOCUMENT
    content_type: str
    extension: str     # the usual one; ``extensions`` are all those a name may end with
    extensions: tuple[str, ...] = ()

    @property
    def allowed_extensions(self) -> tuple[str, ...]:
        return (self.extension, *self.extensions)


PNG = Sniffed("IMAGE", "image/png", "png")
JPEG = Sniffed("IMAGE", "image/jpeg", "jpg", ("jpeg", "jpe", "jfif"))
GIF = Sniffed("IMAGE", "image/gif", "gif")
WEBP = Sniffed("IMAGE", "image/webp", "webp")
MP3 = Sniffed("AUDIO", "audio/mpeg", "mp3")
AAC = Sniffed("AUDIO", "audio/aac", "aac")
M4A = Sniffed("AUDIO", "audio/mp4", "m4a", ("m4b", "mp4"))
OGG = Sniffed("AUDIO", "audio/ogg", "ogg", ("oga", "opus"))
WAV = Sniffed("AUDIO", "audio/wav", "wav", ("wave",))
MP4 = Sniffed("VIDEO", "video/mp4", "mp4", ("m4v",))
WEBM = Sniffed("VIDEO", "video/webm", "webm")
PDF = Sniffed("DOCUMENT", "application/pdf", "pdf")
TEXT = Sniffed("DOCUMENT", "text/plain; charset=utf-8", "txt", ("text", "csv", "tsv", "md"))
DOCUMENTS = {
    "docx": Sniffed("DOCUMENT", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xlsx": Sniffed("DOCUMENT", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pptx": Sniffed("DOCUMENT", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                    "pptx"),
    "odt": Sniffed("DOCUMENT", "application/vnd.oasis.opendocument.text", "odt"),
    "ods": Sniffed("DOCUMENT", "application/vnd.oasis.opendocument.spreadsheet", "ods"),
    "odp": Sniffed("DOCUMENT", "application/vnd.oasis.opendocument.presentation", "odp"),
}
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
                    b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!", b"\x00asm", b"dex\n")
ARCHIVE_MAGIC = (b"\x1f\x8b", b"7z\xbc\xaf\x27\x1c", b"Rar!", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd",
                 b"MSCF", b"\xd0\xcf\x11\xe0")
ZIP_MAGIC = b"PK\x03\x04"
# Any tag (plain text is checked all the way with this one).
MARKUP = re.compile(rb"<(?:!doctype|\?xml|/?[a-z][a-z0-9-]*(?:\s[^<>]*)?/?>)"
                    rb"|<(?:html|head|body|script|svg|iframe|object|embed|meta|link|style)\b", re.IGNORECASE)
# Markup a browser could run, looked for in the first KB of every file whatever comes before it
# (specific enough not to turn up by chance in compressed bytes or in XMP/Office XML).
ACTIVE_MARKUP = re.compile(
    rb"<(?:!doctype\s+html|\?xml-stylesheet|html|head|body|script|svg|iframe|frame|frameset|object|embed"
    rb"|meta|link|style|base|form|img|math|xsl:stylesheet)\b"
    rb"|<[a-z][a-z0-9_.-]*:(?:script|svg|html|iframe)\b"
    rb"|<\?php", re.IGNORECASE)
FIRST_KB = 1024
HEAD_BYTES = 4096


class _Refused(Exception):
    def __init__(self, message: str, what: str | None = None):
        super().__init__(message)
        self.message, self.what = message, what


def _what(key: str) -> str:
    """The reader's words for a kind of file, as in "it is … "."""
    return {
        "png": _("a PNG image"), "jpg": _("a JPEG image"), "gif": _("a GIF image"), "webp": _("a WebP image"),
        "mp3": _("an MP3 audio file"), "aac": _("an AAC audio file"), "m4a": _("an M4A audio file"),
        "ogg": _("an Ogg audio file"), "wav": _("a WAV audio file"), "mp4": _("an MP4 video"),
        "webm": _("a WebM video"), "pdf": _("a PDF document"), "txt": _("plain text"),
        "docx": _("a Word document"), "xlsx": _("an Excel spreadsheet"), "pptx": _("a PowerPoint presentation"),
        "odt": _("an OpenDocument text"), "ods": _("an OpenDocument spreadsheet"),
        "odp": _("an OpenDocument presentation"), "zip": _("a ZIP archive"), "archive": _("an archive"),
        "program": _("a program or script"), "markup": _("a web page (HTML, SVG or XML)"),
    }[key]


def _markup_message() -> str:
    return _("Web pages, SVG and XML files cannot be uploaded (they could run code in the browser).")


def _program_message() -> str:
    return _("Programs and scripts cannot be uploaded.")


def _archive_message() -> str:
    return _("Archives (zip, rar, 7z, tar…) cannot be uploaded; upload the files themselves.")


def _not_allowed_message() -> str:
    return _("This type of file is not allowed. Upload an image (PNG, JPEG, GIF, WebP), audio (MP3, M4A, "
             "OGG, WAV), video (MP4, WebM) or a document (PDF, Word, Excel, PowerPoint, OpenDocument, "
             "plain text).")


def extension_of(filename: str | None) -> str:
    stem, dot, extension = (filename or "").strip().rpartition(".")
    return extension.lower() if dot and stem else ""


@contextlib.contextmanager
def _opened(source):
    if isinstance(source, (str, Path)):
        with open(source, "rb") as fh:
            yield fh
    else:
        source.seek(0)
        yield source


def sniff(source, filename: str | None = None) -> Sniffed:
    """The type of the file at ``source`` (a path or an open binary file), or ValidationFailed with
    a message a teacher can read.  With ``filename`` its extension must agree with the type."""
    named = extension_of(filename) if filename is not None else None
    with _opened(source) as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(0)
        head = fh.read(HEAD_BYTES)
        try:
            if not head:
                raise _Refused(_("The file is empty."))
            first_kb = head[:FIRST_KB]
            if ACTIVE_MARKUP.search(first_kb) or ACTIVE_MARKUP.search(first_kb.replace(b"\x00", b"")):
                raise _Refused(_markup_message(), "markup")
            found = _identify(fh, head, size)
            if found not in DOCUMENTS.values() and _zip_attached(fh, size):
                raise _Refused(_archive_message(), "zip")
        except _Refused as refused:
            raise _refusal(refused, named) from None
    if named is not None and named not in found.allowed_extensions:
        what = _what(found.extension)
        if named:
            message = _("This file is named .%(named)s but it is %(what)s. Rename it to end in .%(right)s, or "
                        "choose the right file.", named=named, what=what, right=found.extension)
        else:
            message = _("This file's name has no extension but it is %(what)s. Rename it to end in "
                        ".%(right)s and upload it again.", what=what, right=found.extension)
        raise ValidationFailed(message, field="file")
    return found


def _refusal(refused: _Refused, named: str | None) -> ValidationFailed:
    message = refused.message
    if named and refused.what:
        message = _("This file is named .%(named)s but it is %(what)s.", named=named,
                    what=_what(refused.what)) + " " + message
    return ValidationFailed(message, field="file")


def _identify(fh, head: bytes, size: int) -> Sniffed:
    """What the bytes are, in order: images, sound and video, PDF and office documents, plain text."""
    found = _identify_image(head) or _identify_media(fh, head, size) or _identify_document(fh, head, size)
    if found is not None:
        return found
    _refuse_dangerous(head)
    if _is_plain_text(fh):
        return TEXT
    raise _Refused(_not_allowed_message())


def _identify_image(head: bytes) -> Sniffed | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def _identify_media(fh, head: bytes, size: int) -> Sniffed | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        _checked(formats.check_wav, fh, head, size, "WAV")
        return WAV
    if head.startswith(b"ID3") or formats.mpeg_frame(head[:4]):
        _checked(formats.check_mp3, fh, head, size, "MP3")
        return MP3
    if formats.adts_frame(head[:7]):
        _checked(formats.check_aac, fh, head, size, "AAC")
        return AAC
    if head.startswith(b"OggS"):
        _checked(formats.check_ogg, fh, head, size, "Ogg")
        return OGG
    if head[4:8] == b"ftyp":
        if head[8:12] == b"qt  ":
            raise _Refused(_("This video format is not allowed; upload MP4 or WebM."))
        has_video = _checked(formats.check_mp4, fh, head, size, "MP4")
        return MP4 if has_video else M4A
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        if b"matroska" in head[:64]:
            raise _Refused(_("This video format is not allowed; upload MP4 or WebM."))
        _checked(formats.check_webm, fh, head, size, "WebM")
        return WEBM
    return None


def _identify_document(fh, head: bytes, size: int) -> Sniffed | None:
    if head.startswith(b"%PDF-"):
        _checked(formats.check_pdf, fh, head, size, "PDF")
        return PDF
    if head.startswith(ZIP_MAGIC):
        try:
            document = formats.office_document(fh)
        except (formats.Invalid, struct.error, IndexError, ValueError, KeyError, OverflowError):
            document = None
        if document is None:
            raise _Refused(_archive_message(), "zip")
        return DOCUMENTS[document]
    return None


def _refuse_dangerous(head: bytes) -> None:
    """Programs, archives and markup (HTML, SVG, XML) are refused whatever their name."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(EXECUTABLE_MAGIC) or head.startswith(EXECUTABLE_MAGIC):
        raise _Refused(_program_message(), "program")
    if head.startswith(ARCHIVE_MAGIC) or head[257:262] == b"ustar":
        raise _Refused(_archive_message(), "archive")
    if MARKUP.search(stripped):
        raise _Refused(_markup_message(), "markup")

def _checked(check, fh, head: bytes, size: int, format_name: str):
    """What ``check`` returns when it finds the structure the file claims; else say what it really is."""
    try:
        return check(fh, size)
    except (formats.Invalid, struct.error, IndexError, ValueError, OverflowError):
        disguised = _disguised(head)
        if disguised is not None:
            raise _Refused(*disguised) from None
        raise _Refused(_("This is not a valid %(format)s file: it is damaged, or it is another kind of file "
                         "made to look like one.", format=format_name)) from None


def _disguised(head: bytes) -> tuple[str, str] | None:
    """(message, what) when a forbidden type's signature sits just behind a fake prefix."""
    window = head[1:64]
    if ZIP_MAGIC in window:
        return _archive_message(), "zip"
    if any(magic in window for magic in ARCHIVE_MAGIC if len(magic) >= 3):
        return _archive_message(), "archive"
    if any(magic in window for magic in EXECUTABLE_MAGIC if len(magic) >= 4) or b"MZ\x90\x00" in window:
        return _program_message(), "program"
    return None


def _zip_attached(fh, size: int) -> bool:
    """A zip's end record closing the file: a zip glued behind an image or a video (a polyglot)."""
    window = min(size, 22 + 65535)
    fh.seek(size - window)
    tail = fh.read(window)
    at = tail.rfind(b"PK\x05\x06")
    while at >= 0:
        if len(tail) >= at + 22 and at + 22 + int.from_bytes(tail[at + 20:at + 22], "little") == len(tail):
            return True
        at = tail.rfind(b"PK\x05\x06", 0, at)
    return False


def _is_plain_text(fh) -> bool:
    """Valid UTF-8 all the way, no NUL or other binary control bytes, no HTML/XML tags."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    tail = b""
    fh.seek(0)
    while chunk := fh.read(256 * 1024):
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError:
            return False
        if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
            return False
        if MARKUP.search(tail + chunk):
            raise _Refused(_markup_message(), "markup")
        tail = chunk[-64:]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True
