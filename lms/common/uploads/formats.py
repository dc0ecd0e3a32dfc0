"""Structure checks for the allowed container formats: a file is what its first bytes claim only
when its structure holds up (a two-byte MP3 prefix on a zip or a web page is not an MP3).

Each ``check_<format>(fh, size)`` reads the open binary file ``fh`` (``size`` bytes long) and
raises ``Invalid`` with a short English reason when the structure is wrong; for MP4 it returns
whether a video track was found.  Only headers are read (a few KB), never the whole media.
"""

from __future__ import annotations

import struct
import zipfile
import zlib


class Invalid(Exception):
    """The file claims a format its structure does not have (the reason is for logs)."""


def _read_at(fh, offset: int, count: int) -> bytes:
    fh.seek(offset)
    return fh.read(count)


# --- MP3 (MPEG audio frames, optionally after an ID3v2 tag) -------------------------------------

MPEG_BITRATES = {  # kbit/s by (MPEG-1?, layer), index 1..14
    (True, 1): (32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
MPEG_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
FRAMES_TO_CHECK = 4


def mpeg_frame(header: bytes) -> tuple[tuple, int] | None:
    """``((version, layer, sample rate), frame length)`` of a valid MPEG audio frame header, else None."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version, layer_bits = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    bitrate_index, rate_index = header[2] >> 4, (header[2] >> 2) & 3
    if version == 1 or layer_bits == 0 or bitrate_index in (0, 15) or rate_index == 3 or header[3] & 3 == 2:
        return None
    layer = 4 - layer_bits
    mpeg1 = version == 3
    bitrate = MPEG_BITRATES[(mpeg1, layer)][bitrate_index - 1] * 1000
    rate = MPEG_SAMPLE_RATES[version][rate_index]
    padding = (header[2] >> 1) & 1
    if layer == 1:
        length = (12 * bitrate // rate + padding) * 4
    elif layer == 3 and not mpeg1:
        length = 72 * bitrate // rate + padding
    else:
        length = 144 * bitrate // rate + padding
    return (version, layer, rate), length


def id3v2_length(header: bytes) -> int | None:
    """Bytes taken by the ID3v2 tag starting ``header`` (10+ bytes), or None when it is not one."""
    if len(header) < 10 or header[:3] != b"ID3" or header[3] not in (2, 3, 4) or header[4] == 0xFF:
        return None
    if any(b & 0x80 for b in header[6:10]):
        return None
    size = (header[6] << 21) | (header[7] << 14) | (header[8] << 7) | header[9]
    footer = 10 if header[3] == 4 and header[5] & 0x10 else 0
    return 10 + size + footer


def check_mp3(fh, size: int) -> None:
    offset = 0
    head = _read_at(fh, 0, 10)
    if head.startswith(b"ID3"):
        tag = id3v2_length(head)
        if tag is None:
            raise Invalid("bad ID3 tag header")
        if tag >= size:
            raise Invalid("ID3 tag runs past the end of the file")
        offset = tag
        padding = _read_at(fh, offset, 4096)
        offset += len(padding) - len(padding.lstrip(b"\x00"))
    _check_frames(fh, size, offset, mpeg_frame, 4, "MPEG audio")


def _ends_cleanly(fh, size: int, offset: int) -> bool:
    """Nothing, or only an ID3v1/APE tag, after the last frame."""
    rest = size - offset
    if rest == 0:
        return True
    tail = _read_at(fh, offset, min(rest, 8))
    return (rest == 128 and tail.startswith(b"TAG")) or tail.startswith(b"APETAGEX")


def _check_frames(fh, size: int, offset: int, parse, header_len: int, what: str) -> None:
    """At least ``FRAMES_TO_CHECK`` consecutive matching frames (or fewer that end the file)."""
    first = None
    for count in range(FRAMES_TO_CHECK):
        if count and _ends_cleanly(fh, size, offset):
            return
        frame = parse(_read_at(fh, offset, header_len))
        if frame is None:
            raise Invalid(f"no valid {what} frame at byte {offset}" if count == 0 else
                          f"{what} frame {count + 1} is missing or damaged")
        kind, length = frame
        if first is None:
            first = kind
        elif kind != first:
            raise Invalid(f"{what} frames disagree")
        if length < header_len or offset + length > size:
            raise Invalid(f"{what} frame runs past the end of the file")
        offset += length


# --- AAC (ADTS frames) ------------------------------------------------------------------------------


def adts_frame(header: bytes) -> tuple[tuple, int] | None:
    if len(header) < 7 or header[0] != 0xFF or header[1] & 0xF6 != 0xF0:
        return None
    rate_index = (header[2] >> 2) & 0x0F
    channels = ((header[2] & 1) << 2) | (header[3] >> 6)
    length = ((header[3] & 3) << 11) | (header[4] << 3) | (header[5] >> 5)
    if rate_index > 12 or length < 7:
        return None
    return (header[2] >> 6, rate_index, channels), length


def check_aac(fh, size: int) -> None:
    _check_frames(fh, size, 0, adts_frame, 7, "AAC")


# --- MP4 / M4A (ISO base media boxes) --------------------------------------------------------------

BOX_TYPE_BYTES = frozenset(range(0x20, 0x7F)) | {0xA9}
MAX_BOXES = 10_000


def _boxes(fh, start: int, end: int):
    """``(type, payload offset, box end)`` for the boxes tiling ``start..end`` exactly."""
    offset, seen = start, 0
    while offset < end:
        seen += 1
        if seen > MAX_BOXES:
            raise Invalid("too many boxes")
        header = _read_at(fh, offset, 16)
        if len(header) < 8:
            raise Invalid(f"truncated box header at byte {offset}")
        box_size, box_type = struct.unpack(">I4s", header[:8])
        payload = offset + 8
        if box_size == 1:
            if len(header) < 16:
                raise Invalid("truncated large box header")
            box_size = struct.unpack(">Q", header[8:16])[0]
            payload = offset + 16
        elif box_size == 0:
            box_size = end - offset
        if any(b not in BOX_TYPE_BYTES for b in box_type):
            raise Invalid(f"box type {box_type!r} at byte {offset} is not a box name")
        if box_size < payload - offset or offset + box_size > end:
            raise Invalid(f"box {box_type!r} at byte {offset} has an impossible size")
        yield box_type, payload, offset + box_size
        offset += box_size


def check_mp4(fh, size: int) -> bool:
    """The box structure of an MP4/M4A; True when it has a video track."""
    boxes = list(_boxes(fh, 0, size))
    ftyp_type, ftyp_payload, ftyp_end = boxes[0]
    if ftyp_type != b"ftyp" or not 16 <= ftyp_end <= 4096 or (ftyp_end - ftyp_payload) % 4:
        raise Invalid("the first box is not a sane ftyp box")
    moov = [b for b in boxes if b[0] == b"moov"]
    if len(moov) != 1:
        raise Invalid("no movie (moov) box")
    handlers = set()
    for trak_type, trak_start, trak_end in _boxes(fh, moov[0][1], moov[0][2]):
        if trak_type != b"trak":
            continue
        for mdia_type, mdia_start, mdia_end in _boxes(fh, trak_start, trak_end):
            if mdia_type != b"mdia":
                continue
            for hdlr_type, hdlr_start, hdlr_end in _boxes(fh, mdia_start, mdia_end):
                if hdlr_type == b"hdlr" and hdlr_end - hdlr_start >= 12:
                    handlers.add(_read_at(fh, hdlr_start + 8, 4))
    if not handlers & {b"soun", b"vide"}:
        raise Invalid("no audio or video track")
    return b"vide" in handlers


# --- OGG (pages with their CRC; Vorbis, Opus or FLAC inside) -----------------------------------------


def _ogg_crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return table


OGG_CRC_TABLE = _ogg_crc_table()
OGG_CODECS = (b"\x01vorbis", b"OpusHead", b"\x7fFLAC")


def ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ OGG_CRC_TABLE[(crc >> 24) ^ byte]
    return crc


def check_ogg(fh, size: int) -> None:
    offset = 0
    for number in range(3):
        if number and offset == size:
            return
        header = _read_at(fh, offset, 27)
        if len(header) < 27 or header[:4] != b"OggS" or header[4] != 0 or header[5] > 7:
            raise Invalid(f"no valid Ogg page at byte {offset}")
        segments = _read_at(fh, offset + 27, header[26])
        length = 27 + header[26] + sum(segments)
        if len(segments) != header[26] or offset + length > size:
            raise Invalid("Ogg page runs past the end of the file")
        page = _read_at(fh, offset, length)
        if ogg_crc(page[:22] + b"\x00\x00\x00\x00" + page[26:]) != struct.unpack("<I", page[22:26])[0]:
            raise Invalid(f"Ogg page {number + 1} has a wrong checksum")
        if number == 0:
            body = page[27 + header[26]:]
            if header[5] != 2 or not body.startswith(OGG_CODECS):
                raise Invalid("the first Ogg page does not start a Vorbis, Opus or FLAC stream")
        offset += length


# --- WAV (RIFF/WAVE with a fmt chunk before the data) -------------------------------------------------

WAV_FORMATS = {1, 2, 3, 6, 7, 0x11, 0x55, 0xFFFE}


def check_wav(fh, size: int) -> None:
    header = _read_at(fh, 0, 12)
    riff_size = struct.unpack("<I", header[4:8])[0]
    if header[:4] != b"RIFF" or header[8:12] != b"WAVE" or riff_size + 8 not in (size, size - 1):
        raise Invalid("the RIFF size does not match the file")
    offset, has_fmt = 12, False
    while offset + 8 <= riff_size + 8:
        chunk_id, chunk_size = struct.unpack("<4sI", _read_at(fh, offset, 8))
        if offset + 8 + chunk_size > riff_size + 8:
            raise Invalid(f"chunk {chunk_id!r} runs past the end of the file")
        if chunk_id == b"fmt ":
            if chunk_size < 16:
                raise Invalid("the fmt chunk is too short")
            fmt, channels, rate, _byte_rate, align, bits = struct.unpack("<HHIIHH", _read_at(fh, offset + 8, 16))
            if fmt not in WAV_FORMATS or not 1 <= channels <= 32 or not 1000 <= rate <= 768_000 or not align \
                    or bits > 64:
                raise Invalid("the fmt chunk describes no real audio")
            has_fmt = True
        elif chunk_id == b"data":
            if not has_fmt:
                raise Invalid("audio data before the fmt chunk")
            return
        offset += 8 + chunk_size + (chunk_size & 1)
    raise Invalid("no fmt and data chunks")


# --- WebM (EBML header with DocType webm, then a Segment) -----------------------------------------------

EBML_ID, SEGMENT_ID, DOCTYPE_ID = 0x1A45DFA3, 0x18538067, 0x4282
SEGMENT_CHILDREN = {0x114D9B74, 0x1549A966, 0x1654AE6B, 0x1F43B675, 0x1C53BB6B, 0x1254C367, 0xEC,
                    0x1941A469, 0x1043A770}


def _vint(data: bytes, offset: int, keep_marker: bool) -> tuple[int, int, bool]:
    """(value, length, all ones) of the EBML variable-size integer at ``offset``."""
    if offset >= len(data) or data[offset] == 0:
        raise Invalid("bad EBML number")
    length = 9 - data[offset].bit_length()
    raw = data[offset:offset + length]
    if len(raw) < length:
        raise Invalid("truncated EBML number")
    value = int.from_bytes(raw, "big")
    if keep_marker:
        return value, length, False
    value &= (1 << (7 * length)) - 1
    return value, length, value == (1 << (7 * length)) - 1


def check_webm(fh, size: int) -> None:
    data = _read_at(fh, 0, 4096)
    element, id_len, _ = _vint(data, 0, True)
    body_size, size_len, unknown = _vint(data, id_len, False)
    start = id_len + size_len
    end = start + body_size
    if element != EBML_ID or unknown or end > len(data):
        raise Invalid("bad EBML header")
    offset, doctype = start, None
    while offset < end:
        child, child_id_len, _ = _vint(data, offset, True)
        child_size, child_size_len, _ = _vint(data, offset + child_id_len, False)
        value_at = offset + child_id_len + child_size_len
        if value_at + child_size > end:
            raise Invalid("an EBML header element runs past the header")
        if child == DOCTYPE_ID:
            doctype = data[value_at:value_at + child_size].rstrip(b"\x00")
        offset = value_at + child_size
    if doctype != b"webm":
        raise Invalid(f"DocType is {doctype!r}, not webm")
    segment, seg_id_len, _ = _vint(data, end, True)
    seg_size, seg_size_len, unknown = _vint(data, end + seg_id_len, False)
    inside = end + seg_id_len + seg_size_len
    if segment != SEGMENT_ID or (not unknown and inside + seg_size > size):
        raise Invalid("no Segment after the EBML header")
    child, _, _ = _vint(data, inside, True)
    if child not in SEGMENT_CHILDREN:
        raise Invalid("the Segment does not start with a Matroska element")


# --- PDF --------------------------------------------------------------------------------------------


def check_pdf(fh, size: int) -> None:
    head = _read_at(fh, 0, 8)
    if not (head[:5] == b"%PDF-" and head[5:6].isdigit() and head[6:7] == b"." and head[7:8].isdigit()):
        raise Invalid("no %PDF-n.n header")
    if b"%%EOF" not in _read_at(fh, max(0, size - 1024), 1024):
        raise Invalid("no %%EOF marker at the end")


# --- Office Open XML and OpenDocument (zip files) ------------------------------------------------------

OOXML_MAIN = {
    "docx": ("word/", b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xlsx": ("xl/", b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/", b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
}
MAX_ZIP_MEMBERS = 20_000
MAX_MANIFEST_BYTES = 1024 * 1024


def open_zip(fh) -> zipfile.ZipFile:
    """A zip that starts at byte 0 (nothing glued in front) — or Invalid."""
    try:
        archive = zipfile.ZipFile(fh)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, struct.error, KeyError,
            IndexError) as err:
        raise Invalid(f"not a readable zip: {err}") from err
    if not members or len(members) > MAX_ZIP_MEMBERS or min(m.header_offset for m in members) != 0:
        raise Invalid("the zip's directory does not describe the file")
    return archive


def _small_member(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > MAX_MANIFEST_BYTES:
        raise Invalid(f"{name} is too large")
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError, zlib.error,
            struct.error) as err:
        raise Invalid(f"{name} cannot be read: {err}") from err


def office_document(fh) -> str | None:
    """``docx``/``xlsx``/``pptx``/``odt``/``ods``/``odp`` when the zip says it is one; None for a
    zip that is no document (Invalid when it is not even a sound zip)."""
    with open_zip(fh) as archive:
        names = set(archive.namelist())
        if "[Content_Types].xml" in names:
            types = _small_member(archive, "[Content_Types].xml")
            if b"<Types" not in types:
                raise Invalid("[Content_Types].xml is not a content-type list")
            for extension, (prefix, main_type) in OOXML_MAIN.items():
                if main_type in types and any(n.startswith(prefix) for n in names):
                    return extension
            return None
        first = archive.infolist()[0]
        if first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED:
            mimetype = _small_member(archive, "mimetype").decode("ascii", "replace").strip()
            extension = OPENDOCUMENT_TYPES.get(mimetype)
            if extension and {"content.xml", "META-INF/manifest.xml"} <= names:
                return extension
    return None


OPENDOCUMENT_TYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
