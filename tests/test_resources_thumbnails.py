"""Thumbnails of videos (a poster frame made by Debian's ffmpeg) and PDFs (the first page, by
PDFium): made by the job after the upload, shown where videos play and in lists, guarded like the
file itself; damaged, hostile or slow files and a missing ffmpeg leave the resource usable."""

import io
import logging
import os
import re
import shutil
import time

import pytest
from sqlalchemy import select

from lms.outbox import JobOutbox
from lms.resources.models import Resource, StoredFile
from tests import sample_files as samples

HX = {"HX-Request": "true"}


@pytest.fixture(scope="session")
def mp4_video(tmp_path_factory):
    """Two seconds, 320×240, H.264 in MP4."""
    return samples.ffmpeg_video(tmp_path_factory.mktemp("videos"), "clip.mp4", 2, "320x240")


@pytest.fixture(scope="session")
def short_webm_video(tmp_path_factory):
    """Less than a second (no frame at the poster time), 160×120, VP9 in WebM."""
    return samples.ffmpeg_video(tmp_path_factory.mktemp("videos"), "short.webm", 0.4, "160x120")


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(samples.pdf_pages((595, 842)))))
    writer.encrypt(user_password="secret", owner_password="owner")  # noqa: S106 - a test file
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(client, data: bytes, filename: str, **fields):
    response = client.post("/resources/new", data={"file": (io.BytesIO(data), filename), **fields},
                           content_type="multipart/form-data", headers=HX)
    assert response.status_code == 204, response.get_data(as_text=True)[:500]
    return response


def stored_of(db, filename: str) -> StoredFile:
    resource = db.scalar(select(Resource).where(Resource.filename == filename))
    return db.get(StoredFile, resource.file_id)


@pytest.fixture
def course(make):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Unit": {"Part": ["Section one"]}})
    return teacher, ids["Section one"]


def thumbnail_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "lms.resources.jobs" and r.getMessage().startswith("no thumbnail for")]


# --- videos -------------------------------------------------------------------------------------------


def test_a_video_gets_a_poster_shown_where_it_plays_and_in_the_library(client, auth, make, db, app, course,
                                                                       mp4_video):
    from PIL import Image

    teacher, section_id = course
    resource = make.resource(teacher, mp4_video, "clip.mp4", section_id=section_id, title="Test pattern")
    stored = db.get(StoredFile, resource.file_id)
    assert stored.thumbnail_type == "image/jpeg"
    assert (stored.thumbnail_width, stored.thumbnail_height) == (320, 240)  # the video's shape, fit in 320
    auth.login(make.student("P1/1"))
    poster = client.get(f"/resources/{resource.id}/thumbnail")
    assert poster.status_code == 200 and poster.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(poster.data)).size == (320, 240)
    page = client.get(f"/sections/{section_id}").get_data(as_text=True)
    video = re.search(r"<video[^>]*>", page).group(0)
    assert f'poster="/resources/{resource.id}/thumbnail"' in video
    assert 'width="320" height="240"' in video  # the player keeps its place while the poster loads
    auth.login(teacher)
    library = client.get("/resources").get_data(as_text=True)
    thumb = re.search(rf'<img class="resource-thumb" src="/resources/{resource.id}/thumbnail"[^>]*>', library,
                      re.S).group(0)
    assert 'width="64" height="64"' in thumb and 'loading="lazy"' in thumb and "Video poster: Test pattern" in thumb
    # The job is idempotent: asked again, it keeps the poster it made.
    from lms.resources.jobs import make_thumbnail

    with app.app_context():
        assert make_thumbnail(stored.id, stored.storage_name) == stored.thumbnail_name


def test_a_video_shorter_than_the_poster_time_shows_its_first_frame(client, as_role, db, short_webm_video):
    as_role("TEACHER")
    upload(client, short_webm_video, "short.webm")
    stored = stored_of(db, "short.webm")
    assert stored.thumbnail_name and (stored.thumbnail_width, stored.thumbnail_height) == (160, 120)


def test_a_video_in_a_question_shows_its_poster(app, make, course, mp4_video):
    from lms.assessments.media import render_with_media
    from lms.extensions import db as _db

    teacher, _section_id = course
    resource = make.resource(teacher, mp4_video, "clip.mp4")
    with app.test_request_context():
        html = str(render_with_media("Watch: [[media:clip]]", {"clip": _db.session.get(Resource, resource.id)}))
    assert f'poster="/resources/{resource.id}/thumbnail" width="320" height="240"' in html


def test_without_ffmpeg_a_video_has_no_poster_one_log_line_and_no_error(client, as_role, db, app, monkeypatch,
                                                                       tmp_path, caplog, mp4_video):
    path = os.environ["PATH"]
    monkeypatch.setenv("PATH", str(tmp_path))  # the embedded default on a machine without ffmpeg
    as_role("TEACHER")
    with caplog.at_level(logging.INFO, logger="lms.resources.jobs"):
        upload(client, mp4_video, "clip.mp4")
    stored = stored_of(db, "clip.mp4")
    assert stored.thumbnail_name is None
    warnings = thumbnail_warnings(caplog)
    assert len(warnings) == 1 and "ffmpeg is not installed" in warnings[0]
    assert not any(r.exc_info for r in caplog.records)
    resource = db.scalar(select(Resource))
    page = client.get(f"/resources/{resource.id}").get_data(as_text=True)
    assert "<video" in page and "poster=" not in page
    assert client.get(f"/resources/{resource.id}/thumbnail").status_code == 404
    assert client.get(f"/resources/{resource.id}/download").status_code == 200
    # Once ffmpeg is installed, one command makes the missing posters.
    monkeypatch.setenv("PATH", path)
    result = app.test_cli_runner().invoke(args=["lms", "thumbnails"])
    assert result.exit_code == 0 and "Asked for 1 thumbnail(s)" in result.output
    assert stored_of(db, "clip.mp4").thumbnail_name
    assert client.get(f"/resources/{resource.id}/thumbnail").status_code == 200


def test_a_slow_video_is_stopped_at_the_time_limit(client, as_role, db, monkeypatch, tmp_path, caplog, mp4_video):
    from lms.common.uploads import previews

    hanging = tmp_path / "ffmpeg"
    hanging.write_text("#!/bin/sh\nexec /bin/sleep 30\n")
    hanging.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(previews, "VIDEO_TIMEOUT", 1)
    as_role("TEACHER")
    started = time.monotonic()
    with caplog.at_level(logging.INFO, logger="lms.resources.jobs"):
        upload(client, mp4_video, "clip.mp4")
    assert time.monotonic() - started < 10
    assert stored_of(db, "clip.mp4").thumbnail_name is None
    assert any("took longer than 1 s" in w for w in thumbnail_warnings(caplog))


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="needs util-linux's prlimit")
def test_a_video_over_the_memory_limit_fails_cleanly_and_stays_usable(client, as_role, db, app, monkeypatch,
                                                                       caplog, mp4_video):
    monkeypatch.setitem(app.config, "THUMBNAIL_MEMORY_MB", 16)  # ffmpeg cannot even load its libraries in 16 MB
    as_role("TEACHER")
    with caplog.at_level(logging.INFO, logger="lms.resources.jobs"):
        upload(client, mp4_video, "clip.mp4")  # the upload itself succeeds
    stored = stored_of(db, "clip.mp4")
    assert stored.thumbnail_name is None
    assert any("ffmpeg" in w for w in thumbnail_warnings(caplog))
    resource_id = db.scalar(select(Resource.id).where(Resource.file_id == stored.id))
    assert client.get(f"/resources/{resource_id}/download").status_code == 200


def test_prlimit_runs_ffmpeg_under_the_memory_and_cpu_limits(monkeypatch):
    from lms.common.uploads import previews

    monkeypatch.setattr(previews.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert previews.limited(["ffmpeg", "-i", "x"], 512 * 1024 * 1024, 30) == [
        "/usr/bin/prlimit", "--as=536870912", "--cpu=30", "--", "ffmpeg", "-i", "x"]
    monkeypatch.setattr(previews.shutil, "which", lambda name: None)
    assert previews.limited(["ffmpeg"], 512, 30) == ["ffmpeg"]  # no prlimit: only the time limit


# --- PDFs ---------------------------------------------------------------------------------------------


def test_a_pdf_shows_its_first_page_on_its_card(client, auth, make, db, course):
    from PIL import Image

    teacher, section_id = course
    data = samples.pdf_pages((595, 842), (842, 595))  # A4 portrait, then landscape: the first page counts
    resource = make.resource(teacher, data, "worksheet.pdf", section_id=section_id, title="Worksheet")
    stored = db.get(StoredFile, resource.file_id)
    assert (stored.thumbnail_width, stored.thumbnail_height) == (227, 320)
    auth.login(make.student("P1/1"))
    page = client.get(f"/sections/{section_id}").get_data(as_text=True)
    card = re.search(r'<a href="[^"]*" class="document-card">.*?</a>', page, re.S).group(0)
    assert f'href="/resources/{resource.id}/download"' in card
    assert f'src="/resources/{resource.id}/thumbnail"' in card and 'width="227" height="320"' in card
    assert 'alt="First page of “Worksheet”"' in card and 'loading="lazy"' in card
    picture = Image.open(io.BytesIO(client.get(f"/resources/{resource.id}/thumbnail").data)).convert("L")
    assert picture.getpixel((113, 10)) < 60 and picture.getpixel((113, 300)) > 200  # the bar is on top


def test_a_huge_page_is_drawn_small_and_quickly(client, as_role, db):
    as_role("TEACHER")
    started = time.monotonic()
    upload(client, samples.pdf_pages((14400, 14400)), "poster.pdf")  # the largest page PDF allows: 200 inches
    assert time.monotonic() - started < 15
    stored = stored_of(db, "poster.pdf")
    assert (stored.thumbnail_width, stored.thumbnail_height) == (320, 320)


# --- damaged and hostile files ------------------------------------------------------------------------


def scrambled_frames(mp4: bytes) -> bytes:
    import random

    start = mp4.index(b"mdat") + 4
    return mp4[:start] + random.Random(17).randbytes(len(mp4) - start)


def damaged_files(mp4: bytes) -> list[tuple[bytes, str]]:
    return [
        (samples.mp4(), "hollow.mp4"),           # the boxes of an MP4 and no frames
        (samples.webm(), "hollow.webm"),
        (scrambled_frames(mp4), "noise.mp4"),     # a real video's boxes around noise
        (encrypted_pdf(), "locked.pdf"),          # needs a password to open
        (b"%PDF-1.7\n" + b"\x00garbage\xff" * 200 + b"\n%%EOF\n", "broken.pdf"),
        (samples.pdf_pages((200000, 1)), "sliver.pdf"),   # a page with no height once drawn small
    ]


def test_damaged_videos_and_pdfs_fail_cleanly_once_and_stay_usable(client, as_role, db, caplog, mp4_video):
    as_role("TEACHER")
    files = damaged_files(mp4_video)
    with caplog.at_level(logging.INFO, logger="lms.resources.jobs"):
        for data, filename in files:
            upload(client, data, filename)
    thumbnailed = {f: stored_of(db, f).thumbnail_name for _d, f in files}
    assert {f for f, name in thumbnailed.items() if name} <= {"noise.mp4", "sliver.pdf"}  # may still show a frame
    warnings = thumbnail_warnings(caplog)
    assert len(warnings) >= len(files) - 2 and all("\n" not in w for w in warnings)
    assert not any(r.exc_info for r in caplog.records if r.name == "lms.resources.jobs")
    for resource in db.scalars(select(Resource)):
        assert client.get(f"/resources/{resource.id}/download").status_code == 200
        assert client.get(f"/resources/{resource.id}").status_code == 200
    # One run each, recorded done and never retried; the same bytes uploaded again ask for none.
    runs = db.scalars(select(JobOutbox).where(JobOutbox.idempotency_key.like("thumbnail:%")))
    assert len(runs) == len(files) and all(run.done_at is not None and not run.retry for run in runs)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="lms.resources.jobs"):
        upload(client, files[3][0], "locked again.pdf")
    assert thumbnail_warnings(caplog) == []


def test_a_replaced_file_is_not_thumbnailed(app, make, db, course):
    from lms.resources.jobs import make_thumbnail

    teacher, _section_id = course
    resource = make.resource(teacher, samples.pdf_pages((100, 100)), "a.pdf")
    stored = db.get(StoredFile, resource.file_id)
    with app.app_context():
        assert make_thumbnail(stored.id, "ab/" + "0" * 32) is None  # the content moved since it was asked
        assert make_thumbnail(999999, stored.storage_name) is None


# --- who may see a thumbnail --------------------------------------------------------------------------


def test_a_thumbnail_is_seen_by_exactly_those_who_may_download_the_file(client, auth, make, db, course):
    teacher, section_id = course
    attached = make.resource(teacher, samples.pdf_pages((300, 400)), "attached.pdf", section_id=section_id)
    loose = make.resource(teacher, samples.pdf_pages((400, 300)), "loose.pdf")
    student = make.student("P1/1")
    cases = [(student, attached, 200), (student, loose, 404), (make.parent_of(student), attached, 200),
             (make.student("P2/1"), attached, 404), (make.teacher(), loose, 404), (teacher, loose, 200)]
    for user, resource, status in cases:
        auth.login(user)
        assert client.get(f"/resources/{resource.id}/thumbnail").status_code == status, (user.role, resource.filename)
        assert client.get(f"/resources/{resource.id}/download").status_code == status
        auth.logout()
    with db.ctx() as session:
        from lms.curriculum.models import Section

        session.get(Section, section_id).published = False
        session.commit()
    auth.login(student)
    assert client.get(f"/resources/{attached.id}/thumbnail").status_code == 404
