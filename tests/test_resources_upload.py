"""Uploads: types decided by content, per-kind size limits, hostile files refused with nothing
stored (no row, no file), de-duplication, thumbnails without EXIF, links."""

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.resources.models import Resource, SectionResource, StoredFile
from tests import sample_files as samples
from tests.factories import png_bytes

HX = {"HX-Request": "true"}


def storage_files(app) -> set[str]:
    """Every file under STORAGE_DIR/resources (temporary uploads included)."""
    root = Path(app.config["STORAGE_DIR"]) / "resources"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def upload(client, data: bytes, filename: str, **fields):
    return client.post("/resources/new", data={"file": (io.BytesIO(data), filename), **fields},
                       content_type="multipart/form-data", headers=HX)


@pytest.fixture
def teacher(as_role):
    return as_role("TEACHER")


def jpeg_with_exif() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (640, 480), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x9286] = "private comment"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def pillow_image(fmt: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (12, 10), (0, 200, 0)).save(out, fmt)
    return out.getvalue()


def bomb_png(width=100_000, height=100_000) -> bytes:
    """A valid PNG header claiming 10 billion pixels, with a tiny body."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


ALLOWED = [
    (png_bytes(), "a.png", "IMAGE", "image/png"),
    (jpeg_with_exif(), "photo.jpg", "IMAGE", "image/jpeg"),
    (pillow_image("GIF"), "a.gif", "IMAGE", "image/gif"),
    (pillow_image("WEBP"), "a.webp", "IMAGE", "image/webp"),
    (samples.mp3(), "song.mp3", "AUDIO", "audio/mpeg"),
    (samples.mp3(tagged=False), "frames.mp3", "AUDIO", "audio/mpeg"),
    (samples.aac(), "radio.aac", "AUDIO", "audio/aac"),
    (samples.m4a(), "voice.m4a", "AUDIO", "audio/mp4"),
    (samples.ogg_opus(), "a.ogg", "AUDIO", "audio/ogg"),
    (samples.wav(), "a.wav", "AUDIO", "audio/wav"),
    (samples.mp4(), "clip.mp4", "VIDEO", "video/mp4"),
    (samples.webm(), "clip.webm", "VIDEO", "video/webm"),
    (samples.pdf(), "sheet.pdf", "DOCUMENT", "application/pdf"),
    (samples.office("word"), "letter.docx", "DOCUMENT",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (samples.office("xl"), "marks.xlsx", "DOCUMENT",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (samples.office("ppt"), "talk.pptx", "DOCUMENT",
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    (samples.opendocument(), "notes.odt", "DOCUMENT", "application/vnd.oasis.opendocument.text"),
    ("Plain notes: 3 < 5 and 7 > 2\nสวัสดี\n".encode(), "notes.txt", "DOCUMENT", "text/plain; charset=utf-8"),
]


@pytest.mark.parametrize("data, filename, kind, content_type", ALLOWED, ids=[a[1] for a in ALLOWED])
def test_genuine_files_of_every_allowed_kind_are_accepted(client, teacher, db, data, filename, kind, content_type):
    # The browser's Content-Type says nothing (always application/octet-stream here).
    response = upload(client, data, filename, title="A file")
    assert response.status_code == 204, response.get_data(as_text=True)[:800]
    stored = db.scalar(select(StoredFile))
    assert (stored.kind, stored.content_type, stored.size) == (kind, content_type, len(data))
    resource = db.scalar(select(Resource))
    assert resource.kind == kind and resource.title == "A file" and resource.filename == filename


def test_stored_name_is_random_under_two_hex_folders(client, teacher, db, app):
    upload(client, png_bytes(), "My Picture.png", label="pic-1", description="A red box")
    stored = db.scalar(select(StoredFile))
    folder, _, name = stored.storage_name.partition("/")
    assert len(folder) == 2 and name.startswith(folder) and len(name) == 32 and "Picture" not in name
    assert storage_files(app) >= {stored.storage_name}
    resource = db.scalar(select(Resource))
    assert (resource.title, resource.label, resource.filename) == ("My Picture", "pic-1", "My Picture.png")


HOSTILE = [
    (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "cat.png", "Web pages, SVG and XML"),
    (b"<html><body onload=alert(1)>", "cat.png", "Web pages, SVG and XML"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "cat.png", "Web pages, SVG and XML"),
    (b'<?xml version="1.0"?><svg/>', "drawing.png", "Web pages, SVG and XML"),
    (b"\n  <script>alert(1)</script>", "notes.txt", "Web pages, SVG and XML"),
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "worksheet.pdf", "Programs and scripts"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "worksheet.pdf", "Programs and scripts"),
    (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 64, "worksheet.pdf", "Programs and scripts"),
    (b"#!/bin/sh\nrm -rf /\n", "worksheet.pdf", "Programs and scripts"),
    (b"\x1f\x8b\x08\x00" + b"\x00" * 64, "worksheet.pdf", "Archives"),
    (b"", "empty.png", "The file is empty."),
    (b"\x00\x01\x02\x03binary junk" * 10, "data.pdf", "This type of file is not allowed"),
]


@pytest.mark.parametrize("data, filename, message", HOSTILE)
def test_hostile_uploads_are_refused_and_nothing_is_stored(client, teacher, db, app, data, filename, message):
    before = storage_files(app)
    response = upload(client, data, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.count(Resource) == 0 and db.count(StoredFile) == 0
    assert storage_files(app) == before


def test_a_zip_that_is_not_an_office_document_is_refused(client, teacher, db, app):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.exe", b"MZ")
    before = storage_files(app)
    response = upload(client, out.getvalue(), "homework.docx")
    assert response.status_code == 422 and "Archives" in response.get_data(as_text=True)
    assert db.count(Resource) == 0 and storage_files(app) == before


@pytest.mark.parametrize("filename", ["../../etc/passwd.png", "../evil.png", "sub/dir/a.png", ".."])
def test_filenames_with_path_components_are_refused(client, teacher, db, app, filename):
    before = storage_files(app)
    response = upload(client, png_bytes(), filename)
    assert response.status_code == 422
    assert "must not contain folders" in response.get_data(as_text=True)
    assert db.count(Resource) == 0 and storage_files(app) == before


def test_clean_filename(app):
    from lms.common.errors import ValidationFailed
    from lms.resources.services import clean_filename

    with app.test_request_context():
        for bad in ("..\\evil.png", "C:\\Users\\me\\a.png", "a/b.png", "..", "x\x00.png"):
            with pytest.raises(ValidationFailed):
                clean_filename(bad)
        assert clean_filename("  แบบฝึกหัด 1.pdf ") == "แบบฝึกหัด 1.pdf"
        assert clean_filename("a\u202egnp.exe") == "agnp.exe"  # control / direction characters dropped
        assert clean_filename("") == "file"


def test_a_file_over_its_kinds_limit_is_refused(client, teacher, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_IMAGE_MB", 0.001)  # about 1 KB for images
    before = storage_files(app)
    big = png_bytes(size=(300, 300), color=(1, 2, 3), compress_level=0)
    response = upload(client, big, "big.png")
    assert response.status_code == 422
    assert "Image files can be at most 1 KB" in response.get_data(as_text=True)
    assert db.count(Resource) == 0 and storage_files(app) == before
    # A document of the same size is fine (its limit is larger).
    assert upload(client, b"%PDF-1.4\n" + b"x" * len(big) + b"\n%%EOF\n", "doc.pdf").status_code == 204


def test_a_file_over_every_limit_is_refused_while_it_arrives(client, teacher, db, app, monkeypatch):
    for kind in ("IMAGE", "AUDIO", "VIDEO", "DOCUMENT"):
        monkeypatch.setitem(app.config, f"UPLOAD_MAX_{kind}_MB", 0.01)
    before = storage_files(app)
    response = upload(client, b"%PDF-1.4\n" + b"x" * 20_000 + b"\n%%EOF\n", "huge.pdf")
    assert response.status_code == 422 and "The file is too large" in response.get_data(as_text=True)
    assert db.count(Resource) == 0 and storage_files(app) == before


def test_a_decompression_bomb_image_is_refused(client, teacher, db, app):
    before = storage_files(app)
    response = upload(client, bomb_png(), "innocent.png")
    assert response.status_code == 422
    assert "The image is too large" in response.get_data(as_text=True)
    assert db.count(Resource) == 0 and storage_files(app) == before


def test_a_damaged_image_is_refused(client, teacher, db):
    response = upload(client, png_bytes()[:40], "broken.png")
    assert response.status_code == 422 and "could not be read" in response.get_data(as_text=True)
    assert db.count(Resource) == 0


def test_same_bytes_are_stored_once(client, teacher, db, app, as_role):
    data = png_bytes(color=(5, 6, 7))
    upload(client, data, "first.png")
    files_after_first = storage_files(app)
    as_role("TEACHER")  # another teacher uploads the same picture
    upload(client, data, "second.png")
    assert db.count(Resource) == 2 and db.count(StoredFile) == 1
    assert storage_files(app) == files_after_first


def test_image_thumbnail_is_made_and_strips_exif(client, teacher, db, app):
    from PIL import Image

    upload(client, jpeg_with_exif(), "photo.jpg")
    stored = db.scalar(select(StoredFile))
    assert stored.thumbnail_name and stored.thumbnail_type == "image/jpeg"
    assert (stored.width, stored.height) == (640, 480)
    resource = db.scalar(select(Resource))
    response = client.get(f"/resources/{resource.id}/thumbnail")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    thumb = Image.open(io.BytesIO(response.data))
    assert max(thumb.size) <= 320
    assert not thumb.getexif() and b"SecretCam" not in response.data
    # The job is idempotent: running it again changes nothing.
    from lms.resources.jobs import make_thumbnail

    with app.app_context():
        assert make_thumbnail(stored.id) == stored.thumbnail_name
    library = client.get("/resources").get_data(as_text=True)
    assert f"/resources/{resource.id}/thumbnail" in library


def test_links_need_http_or_https(client, teacher, db):
    for bad in ("javascript:alert(1)", "ftp://files.example.org/x", "data:text/html,hi", "example.org"):
        response = client.post("/resources/new", data={"url": bad}, headers=HX)
        assert response.status_code == 422
        assert "starting with http:// or https://" in response.get_data(as_text=True)
    assert db.count(Resource) == 0
    response = client.post("/resources/new", data={"url": "https://www.example.org/video", "label": "ext-1"},
                           headers=HX)
    assert response.status_code == 204
    link = db.scalar(select(Resource))
    assert (link.kind, link.url, link.title, link.file_id) == ("LINK", "https://www.example.org/video",
                                                               "www.example.org", None)


def test_nothing_chosen_is_a_clear_message(client, teacher, db):
    response = client.post("/resources/new", data={"title": "x"}, headers=HX)
    assert response.status_code == 422 and "Choose a file or give a link." in response.get_data(as_text=True)


def test_upload_into_a_section_attaches_it(client, auth, make, db):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"U": {"P": ["S"]}})
    auth.login(teacher)
    response = upload(client, png_bytes(), "dots.png", section_id=str(ids["S"]))
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/sections/{ids['S']}/edit"
    assert db.scalar(select(SectionResource.section_id)) == ids["S"]


def test_upload_into_someone_elses_section_is_refused(client, auth, make, db, app):
    subject = make.subject("P1")
    ids = make.tree(subject, {"U": {"P": ["S"]}})
    auth.login(make.teacher())
    before = storage_files(app)
    response = upload(client, png_bytes(), "dots.png", section_id=str(ids["S"]))
    assert response.status_code == 404
    assert db.count(Resource) == 0 and storage_files(app) == before


def test_a_failure_after_the_file_is_in_place_removes_it(app, make, db, monkeypatch):
    """The file is moved into place before the row is committed; a rollback takes it away again."""
    from lms.auth.models import User
    from lms.extensions import db as _db
    from lms.resources import services

    teacher = make.teacher()
    before = storage_files(app)
    with app.app_context():
        actor = _db.session.get(User, teacher.id)
        services.upload(actor, io.BytesIO(png_bytes(color=(9, 9, 9))), "late.png")
        assert len(storage_files(app)) == len(before) + 1
        _db.session.rollback()
        _db.session.remove()
    assert storage_files(app) == before and db.count(Resource) == 0


def test_students_and_parents_cannot_upload(client, as_role, db):
    as_role("STUDENT")
    assert upload(client, png_bytes(), "a.png").status_code == 403
    assert db.count(Resource) == 0


def test_uploads_may_be_larger_than_other_requests(client, teacher, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    data = b"%PDF-1.4\n" + b"x" * 5000 + b"\n%%EOF\n"
    assert upload(client, data, "big.pdf").status_code == 204  # the upload route has its own limit
    other = client.post("/me/profile", data={"full_name": "x" * 5000})
    assert other.status_code == 413


def test_upload_limits_come_from_the_instance_settings():
    from lms.config import ConfigError, load_config

    config = load_config(instance=None, environ={"UPLOAD_MAX_VIDEO_MB": "500", "UPLOAD_MAX_IMAGE_PIXELS": "1000"})
    assert config["UPLOAD_MAX_VIDEO_MB"] == 500 and config["UPLOAD_MAX_IMAGE_PIXELS"] == 1000
    assert load_config(instance=None, environ={})["UPLOAD_MAX_IMAGE_MB"] == 10
    with pytest.raises(ConfigError, match="UPLOAD_MAX_AUDIO_MB"):
        load_config(instance=None, environ={"UPLOAD_MAX_AUDIO_MB": "lots"})
