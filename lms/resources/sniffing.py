"""What an uploaded file is, decided by its content (magic bytes) — never by its name or the
browser's Content-Type.

Allowed: PNG, JPEG, GIF, WebP; MP3, M4A/AAC, OGG, WAV; MP4, WebM; PDF, Office documents
(DOCX/XLSX/PPTX: a zip holding ``[Content_Types].xml``), OpenDocument (ODT/ODS/ODP) and
plain UTF-8 text without HTML.  Everything else is refused with a message saying why:
HTML, SVG and XML, executables and scripts, other archives, empty files, unknown binaries.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from lms.common.errors import ValidationFailed


@dataclass(frozen=True)
class Sniffed:
    kind: str          # IMAGE, AUDIO, VIDEO, DOCUMENT
    content_type: str
    extension: str


PNG = Sniffed("IMAGE", "image/png", "png")
JPEG = Sniffed("IMAGE", "image/jpeg", "jpg")
GIF = Sniffed("IMAGE", "image/gif", "gif")
WEBP = Sniffed("IMAGE", "image/webp", "webp")
MP3 = Sniffed("AUDIO", "audio/mpeg", "mp3")
AAC = Sniffed("AUDIO", "audio/aac", "aac")
M4A = Sniffed("AUDIO", "audio/mp4", "m4a")
OGG = Sniffed("AUDIO", "audio/ogg", "ogg")
WAV = Sniffed("AUDIO", "audio/wav", "wav")
MP4 = Sniffed("VIDEO", "video/mp4", "mp4")
WEBM = Sniffed("VIDEO", "video/webm", "webm")
PDF = Sniffed("DOCUMENT", "application/pdf", "pdf")
TEXT = Sniffed("DOCUMENT", "text/plain; charset=utf-8", "txt")
OFFICE = {
    "word/": Sniffed("DOCUMENT", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xl/": Sniffed("DOCUMENT", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ppt/": Sniffed("DOCUMENT", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                    "pptx"),
}
OPENDOCUMENT = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
MP4_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P "}
MP4_VIDEO_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash",
                    b"MSNV", b"M4V ", b"mmp4"}
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
                    b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!", b"\x00asm", b"dex\n")
ARCHIVE_MAGIC = (b"\x1f\x8b", b"7z\xbc\xaf\x27\x1c", b"Rar!", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd",
                 b"MSCF", b"\xd0\xcf\x11\xe0")
MARKUP = re.compile(rb"<(?:!doctype|\?xml|/?[a-z][a-z0-9-]*(?:\s[^<>]*)?/?>)"
                    rb"|<(?:html|head|body|script|svg|iframe|object|embed|meta|link|style)\b", re.IGNORECASE)
HEAD_BYTES = 4096


def _refuse(message: str):
    raise ValidationFailed(message, field="file")


def sniff(path: Path) -> Sniffed:
    """The type of the file at ``path``, or ValidationFailed with a message a teacher can read."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head:
        _refuse(_("The file is empty."))
    found = _by_signature(head, path)
    if found is not None:
        return found
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(EXECUTABLE_MAGIC) or head.startswith(EXECUTABLE_MAGIC):
        _refuse(_("Programs and scripts cannot be uploaded."))
    if head.startswith(ARCHIVE_MAGIC) or head[257:262] == b"ustar":
        _refuse(_("Archives (zip, rar, 7z, tar…) cannot be uploaded; upload the files themselves."))
    if _is_markup(stripped):
        _refuse(_("Web pages, SVG and XML files cannot be uploaded (they could run code in the browser)."))
    if _is_plain_text(path):
        return TEXT
    _refuse(_("This type of file is not allowed. Upload an image (PNG, JPEG, GIF, WebP), audio (MP3, M4A, "
              "OGG, WAV), video (MP4, WebM) or a document (PDF, Word, Excel, PowerPoint, OpenDocument, "
              "plain text)."))
    return TEXT  # not reached


def _by_signature(head: bytes, path: Path) -> Sniffed | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"ID3"):
        return MP3
    if len(head) >= 2 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:  # ADTS sync word, layer 00
            return AAC
        if head[1] & 0xE0 == 0xE0 and head[1] & 0x06:  # MPEG audio frame sync, layer I-III
            return MP3
    if head.startswith(b"OggS"):
        return OGG
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in MP4_AUDIO_BRANDS:
            return M4A
        if brand in MP4_VIDEO_BRANDS:
            return MP4
        _refuse(_("This video format is not allowed; upload MP4 or WebM."))
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        if b"webm" in head[:64]:
            return WEBM
        _refuse(_("This video format is not allowed; upload MP4 or WebM."))
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _office_document(path)
    return None


def _office_document(path: Path) -> Sniffed:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "[Content_Types].xml" in names:
                for prefix, sniffed in OFFICE.items():
                    if any(n.startswith(prefix) for n in names):
                        return sniffed
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                if mimetype in OPENDOCUMENT:
                    return Sniffed("DOCUMENT", mimetype, OPENDOCUMENT[mimetype])
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError):
        pass
    _refuse(_("Archives (zip, rar, 7z, tar…) cannot be uploaded; upload the files themselves."))
    return PDF  # not reached


def _is_markup(head: bytes) -> bool:
    return bool(MARKUP.search(head[:HEAD_BYTES]))


def _is_plain_text(path: Path) -> bool:
    """Valid UTF-8 all the way, no NUL or other binary control bytes, no HTML/XML tags."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    tail = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(256 * 1024):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
            if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
                return False
            if MARKUP.search(tail + chunk):
                _refuse(_("Web pages, SVG and XML files cannot be uploaded (they could run code in the browser)."))
            tail = chunk[-64:]
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True
