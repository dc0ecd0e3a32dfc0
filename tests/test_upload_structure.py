"""A file is what its structure says, not what its first two bytes say: disguised files, polyglots
and names that disagree with the content are refused with a clear message, and nothing is stored
(no row, no file on disk) — in the library, as assessment media, as a student's answer file."""

import io

import pytest
from sqlalchemy import select

from lms.resources.models import Resource, StoredFile
from tests import sample_files as samples
from tests.assessment_fixtures import build_course
from tests.factories import png_bytes
from tests.test_resources_upload import storage_files, upload

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture
def course(make):
    return build_course(make)


def mp4_with_script_box() -> bytes:
    genuine = samples.mp4()
    ftyp_end = int.from_bytes(genuine[:4], "big")
    free = samples.box(b"free", b"<script>alert(1)</script>")
    return genuine[:ftyp_end] + free + genuine[ftyp_end:]


DISGUISED = [
    # Two bytes of "MP3" in front of something else.
    (b"\xff\xfb" + samples.plain_zip(), "song.mp3", "This file is named .mp3 but it is a ZIP archive."),
    (b"ID3" + HTML, "song.mp3", "This file is named .mp3 but it is a web page"),
    (b"\xff\xfb" + HTML, "song.mp3", "This file is named .mp3 but it is a web page"),
    (b"\xff\xfe" + HTML.decode().encode("utf-16-le"), "song.mp3", "but it is a web page"),
    # A real ID3 tag with no audio frames behind it (the page comes after the first KB).
    (samples.id3_tag(padding=2000) + HTML, "song.mp3", "This is not a valid MP3 file"),
    (b"\xff\xfb\x90\x64" + b"\x00" * 100, "frames.mp3", "This is not a valid MP3 file"),
    (samples.mp3_frames(1) + b"\xff\xfb" + b"\x00" * 600, "frames.mp3", "This is not a valid MP3 file"),
    (b"\xff\xf1" + samples.plain_zip(), "radio.aac", "This file is named .aac but it is a ZIP archive."),
    # Other containers with only their magic bytes right.
    (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00" + b"\x00" * 50, "voice.m4a", "This is not a valid MP4 file"),
    (samples.mp4()[:60], "clip.mp4", "This is not a valid MP4 file"),
    (b"OggS\x00\x02" + b"\x00" * 100, "a.ogg", "This is not a valid Ogg file"),
    (samples.ogg_opus()[:-1] + b"\x00", "a.ogg", "This is not a valid Ogg file"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 40, "a.wav", "This is not a valid WAV file"),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\x00" * 40, "clip.webm",
     "This is not a valid WebM file"),
    (b"%PDF-1.7\n" + b"x" * 3000, "sheet.pdf", "This is not a valid PDF file"),
    (samples.plain_zip([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w/>")]), "letter.docx",
     "This file is named .docx but it is a ZIP archive."),
    (samples.plain_zip([("mimetype", b"application/vnd.oasis.opendocument.text")]), "notes.odt",
     "This file is named .odt but it is a ZIP archive."),
    # Polyglots: genuine files carrying a page, or a zip glued behind them.
    (b"%PDF-1.7\n" + HTML + b"\n%%EOF\n", "sheet.pdf", "This file is named .pdf but it is a web page"),
    (samples.png_with_text("<svg onload=alert(1)>"), "picture.png", "but it is a web page"),
    (mp4_with_script_box(), "clip.mp4", "This file is named .mp4 but it is a web page"),
    (png_bytes() + samples.plain_zip(), "picture.png", "This file is named .png but it is a ZIP archive."),
    (samples.mp3() + samples.plain_zip(), "song.mp3", "This file is named .mp3 but it is a ZIP archive."),
    (HTML + samples.office(), "letter.docx", "This file is named .docx but it is a web page"),
    # Genuine files under a name that says something else.
    (samples.office("word"), "report.pdf", "This file is named .pdf but it is a Word document."),
    (samples.mp3(), "song.png", "This file is named .png but it is an MP3 audio file."),
    (samples.m4a(), "clip.webm", "This file is named .webm but it is an M4A audio file."),
    (samples.plain_zip(), "song.mp3", "This file is named .mp3 but it is a ZIP archive."),
    (png_bytes(), "picture", "name has no extension but it is a PNG image."),
]


@pytest.mark.parametrize("data, filename, message", DISGUISED, ids=[f"{i}-{d[1]}" for i, d in enumerate(DISGUISED)])
def test_disguised_files_are_refused_saying_what_they_are_and_nothing_is_stored(client, as_role, db, app, data,
                                                                                filename, message):
    as_role("TEACHER")
    before = storage_files(app)
    response = upload(client, data, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.count(Resource) == 0 and db.count(StoredFile) == 0
    assert storage_files(app) == before


def test_the_extension_may_use_any_case_and_usual_variants(client, as_role, db):
    as_role("TEACHER")
    for data, name in [(png_bytes(), "PHOTO.PNG"), (samples.mp3(), "Song.Mp3"), (samples.m4a(), "voice.mp4"),
                       (samples.ogg_opus(), "note.opus"), (b"a,b\n1,2\n", "marks.csv")]:
        assert upload(client, data, name).status_code == 204, name
    kinds = sorted(db.scalars(select(StoredFile.content_type)))
    assert kinds == ["audio/mp4", "audio/mpeg", "audio/ogg", "image/png", "text/plain; charset=utf-8"]


def test_a_disguised_media_file_is_refused_and_nothing_is_stored(client, auth, course, make, db, app):
    from lms.assessments.models import AssessmentMedia

    quiz = make.assessment(course.teacher)
    auth.login(course.teacher)
    before = storage_files(app)
    response = client.post(f"/assessments/{quiz.id}/media", headers={"HX-Request": "true"},
                           content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"ID3" + HTML), "listen.mp3"), "label": "listen"})
    assert response.status_code == 422
    assert "This file is named .mp3 but it is a web page" in response.get_data(as_text=True)
    assert db.count(AssessmentMedia) == 0 and db.count(Resource) == 0 and storage_files(app) == before


def test_a_disguised_answer_file_is_refused_and_nothing_is_stored(client, auth, course, make, db, app):
    from tests.factories import ONE_OF_EACH
    from tests.test_assessments_taking import open_attempt, start

    quiz = make.assessment(course.teacher, questions=[ONE_OF_EACH[6]], section_id=course.ids["Counting"],
                           publish=True)
    auth.login(course.student)
    start(client, quiz)
    attempt = open_attempt(db, course.student)
    before = storage_files(app)
    response = client.post(f"/submissions/{attempt.id}/answers/{attempt.question_order[0]}",
                           headers={"HX-Request": "true"}, content_type="multipart/form-data",
                           data={"answer-file": (io.BytesIO(b"\xff\xfb" + samples.plain_zip()), "my answer.mp3")})
    assert response.status_code == 422
    assert "This file is named .mp3 but it is a ZIP archive." in response.get_data(as_text=True)
    assert db.count(Resource) == 0 and storage_files(app) == before
