"""Tiny genuine files of every allowed kind, built here (no fixtures on disk), and a few hostile ones."""

from __future__ import annotations

import io
import struct
import wave
import zipfile

# --- audio --------------------------------------------------------------------------------------------

MP3_FRAME_HEADER = b"\xff\xfb\x90\x64"  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz: 417-byte frames


def mp3_frames(count: int = 5) -> bytes:
    return b"".join(MP3_FRAME_HEADER + bytes([i % 7]) * 413 for i in range(count))


def _syncsafe(n: int) -> bytes:
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])


def id3_tag(title: str = "Song", padding: int = 0) -> bytes:
    text = b"\x03" + title.encode()
    frame = b"TIT2" + _syncsafe(len(text)) + b"\x00\x00" + text
    body = frame + b"\x00" * padding
    return b"ID3\x04\x00\x00" + _syncsafe(len(body)) + body


def mp3(tagged: bool = True) -> bytes:
    return (id3_tag() if tagged else b"") + mp3_frames()


def aac(count: int = 4) -> bytes:
    frames = b""
    for _ in range(count):
        length = 7 + 20
        header = bytes([0xFF, 0xF1, 0x50, 0x80 | ((length >> 11) & 3), (length >> 3) & 0xFF,
                        ((length & 7) << 5) | 0x1F, 0xFC])
        frames += header + b"\x21" * 20
    return frames


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x01" * 800)
    return out.getvalue()


def _ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:  # bit by bit (the app uses a table): polynomial 0x04C11DB7, no reflection
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if crc & 0x80000000 else (crc << 1) & 0xFFFFFFFF
    return crc


def ogg_page(body: bytes, sequence: int, flags: int) -> bytes:
    segments, rest = [], len(body)
    while rest >= 255:
        segments.append(255)
        rest -= 255
    segments.append(rest)
    header = (b"OggS" + bytes([0, flags]) + struct.pack("<qII", 0, 0x1234, sequence) + b"\x00" * 4
              + bytes([len(segments)]) + bytes(segments))
    page = header + body
    return page[:22] + struct.pack("<I", _ogg_crc(page)) + page[26:]


def ogg_opus() -> bytes:
    head = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", 312, 48000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 3) + b"lms" + struct.pack("<I", 0)
    return ogg_page(head, 0, 2) + ogg_page(tags, 1, 0) + ogg_page(b"\xfc\xff\xfe", 2, 4)


# --- MP4 / M4A --------------------------------------------------------------------------------------------


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def mp4(handler: bytes = b"vide", brand: bytes = b"isom") -> bytes:
    hdlr = box(b"hdlr", b"\x00" * 8 + handler + b"\x00" * 12 + b"track\x00")
    moov = box(b"moov", box(b"mvhd", b"\x00" * 100) + box(b"trak", box(b"mdia", box(b"mdhd", b"\x00" * 24) + hdlr)))
    return box(b"ftyp", brand + b"\x00\x00\x02\x00" + brand + b"mp41") + moov + box(b"mdat", b"\x00" * 64)


def m4a() -> bytes:
    return mp4(b"soun", b"M4A ")


# --- WebM ---------------------------------------------------------------------------------------------------


def _ebml(element_id: bytes, body: bytes) -> bytes:
    assert len(body) < 127
    return element_id + bytes([0x80 | len(body)]) + body


def webm() -> bytes:
    header = _ebml(b"\x1a\x45\xdf\xa3", _ebml(b"\x42\x86", b"\x01") + _ebml(b"\x42\xf7", b"\x01")
                   + _ebml(b"\x42\xf2", b"\x04") + _ebml(b"\x42\xf3", b"\x08") + _ebml(b"\x42\x82", b"webm")
                   + _ebml(b"\x42\x87", b"\x02") + _ebml(b"\x42\x85", b"\x02"))
    info = _ebml(b"\x15\x49\xa9\x66", _ebml(b"\x2a\xd7\xb1", b"\x0f\x42\x40"))
    return header + _ebml(b"\x18\x53\x80\x67", info)


# --- video made by ffmpeg ----------------------------------------------------------------------------

VIDEO_CODECS = {".mp4": ["-pix_fmt", "yuv420p", "-c:v", "libx264", "-movflags", "+faststart"],
                ".webm": ["-c:v", "libvpx-vp9"]}


def ffmpeg_video(folder, name: str, seconds: float, size: str = "320x240") -> bytes:
    """A tiny genuine video of ffmpeg's test pattern (MP4/H.264 or WebM/VP9 by ``name``); skips
    without ffmpeg (a failure in CI, where bin/setup --test installs it)."""
    import shutil
    import subprocess
    from pathlib import Path

    import pytest

    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("needs ffmpeg (apt-get install ffmpeg; bin/setup --test installs it as root)")
    path = Path(folder) / name
    subprocess.run([ffmpeg, "-nostdin", "-loglevel", "error", "-f", "lavfi",  # noqa: S603 - a test tool
                    "-i", f"testsrc=duration={seconds}:size={size}:rate=10", *VIDEO_CODECS[path.suffix],
                    str(path)], check=True, timeout=60)
    return path.read_bytes()


# --- documents -------------------------------------------------------------------------------------------


def pdf() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 10), (255, 255, 255)).save(out, "PDF")
    return out.getvalue()


def pdf_pages(*pages: tuple[float, float]) -> bytes:
    """A genuine PDF with one page per (width, height) in points, each with a black bar at the top."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    for width, height in pages:
        pdf.setPageSize((width, height))
        pdf.rect(0, height * 0.8, width, height * 0.2, fill=1)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


OOXML = {
    "word": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xl": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "ppt": ("ppt/presentation.xml",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
}


def office(kind: str = "word") -> bytes:
    part, content_type = OOXML[kind]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml",
                         '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                         f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(part, "<document/>")
    return out.getvalue()


def opendocument(mimetype: str = "application/vnd.oasis.opendocument.text") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def plain_zip(members=(("notes.txt", b"hello"),)) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def png_with_text(text: str) -> bytes:
    """A real PNG carrying ``text`` in a tEXt chunk (near its start)."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", text)
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (9, 9, 9)).save(out, "PNG", pnginfo=info)
    return out.getvalue()
