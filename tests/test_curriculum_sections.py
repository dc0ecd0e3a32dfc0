"""Sections: sanitised markdown, editing, what students see (published chain), done, progress."""

import pytest
from sqlalchemy import select

from lms.common.markdown import render_markdown
from lms.curriculum.models import Part, Section, SectionProgress, Unit
from tests import sample_files as samples

HX = {"HX-Request": "true"}


# --- markdown ---------------------------------------------------------------------------------


def test_markdown_keeps_headings_lists_links_tables_and_code(app):
    with app.app_context():
        html = str(render_markdown("# Title\n\n- *one*\n- **two**\n\n[site](https://example.org)\n\n"
                                   "| a | b |\n|---|---|\n| 1 | 2 |\n\n`code`"))
    assert "<h1>Title</h1>" in html and "<em>one</em>" in html and "<strong>two</strong>" in html
    assert '<a href="https://example.org" rel="noopener nofollow">site</a>' in html
    assert "<table>" in html and "<td>1</td>" in html and "<code>code</code>" in html


@pytest.mark.parametrize("hostile, forbidden", [
    ("<script>alert(1)</script>", ["<script", "alert(1)"]),
    ("[click](javascript:alert(1))", ["javascript:"]),
    ('<a href="javascript:alert(1)">x</a>', ["javascript:"]),
    ('<img src="/resources/1/download" onerror="alert(1)">', ["onerror", "alert"]),
    ('<p onclick="steal()">hi</p>', ["onclick", "steal"]),
    ("<iframe src='https://evil.example'></iframe>", ["<iframe"]),
    ("<style>body{display:none}</style>", ["<style", "display:none"]),
    ('<a href="/x" style="color:red">x</a>', ["style="]),
    ("![x](https://evil.example/track.png)", ["evil.example"]),
    ("![x](data:image/png;base64,AAAA)", ["data:"]),
])
def test_markdown_removes_scripts_handlers_and_foreign_images(app, hostile, forbidden):
    with app.app_context():
        html = str(render_markdown(hostile))
    for bad in forbidden:
        assert bad not in html


def test_markdown_allows_images_from_this_sites_resources_only(app):
    with app.app_context():
        html = str(render_markdown("![dots](/resources/12/download) ![full](http://localhost/resources/3/download)"))
    assert '<img alt="dots" src="/resources/12/download">' in html
    assert 'src="/resources/3/download"' in html


# --- editing ----------------------------------------------------------------------------------


@pytest.fixture
def course(make):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Unit A": {"Part A": ["One", "Two"], "Part B": ["Three"]},
                              "Unit B": {"Part C": ["Four"]}})
    student = make.student("P1/1")
    return teacher, subject, ids, student


def test_teacher_edits_content_and_sees_a_sanitised_preview(client, auth, course, db):
    teacher, _subject, ids, _student = course
    auth.login(teacher)
    url = f"/sections/{ids['One']}/edit"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"title": "One!", "content": "## Hello\n<script>x()</script>"}, headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Section saved." in body and "<h2>Hello</h2>" in body and "<script>x()" not in body
    section = db.get(Section, ids["One"])
    assert section.title == "One!" and section.content.startswith("## Hello")
    preview = client.post(f"/sections/{ids['One']}/preview", data={"content": "**bold** <b onclick=x>"}, headers=HX)
    assert "<strong>bold</strong>" in preview.get_data(as_text=True)
    assert "onclick" not in preview.get_data(as_text=True)
    empty = client.post(url, data={"title": "", "content": "x"}, headers=HX)
    assert empty.status_code == 422 and db.get(Section, ids["One"]).title == "One!"


# --- what students see ------------------------------------------------------------------------


def test_students_see_only_published_sections_under_published_parents(client, auth, course, db):
    teacher, subject, ids, student = course
    with db.ctx() as session:
        session.get(Part, ids["Part B"]).published = False
        session.get(Section, ids["Two"]).published = False
        session.get(Unit, ids["Unit B"]).published = False
        session.commit()
    auth.login(student)
    page = client.get(f"/subjects/{subject.id}").get_data(as_text=True)
    assert "One" in page and "Two" not in page and "Three" not in page and "Four" not in page
    assert client.get(f"/sections/{ids['One']}").status_code == 200
    for hidden in ("Two", "Three", "Four"):  # unpublished, or under an unpublished part / unit
        assert client.get(f"/sections/{ids[hidden]}").status_code == 404
    auth.logout()
    auth.login(teacher)  # teachers see drafts too
    assert client.get(f"/sections/{ids['Four']}").status_code == 200


def test_section_page_has_previous_next_and_mark_as_done(client, auth, course, db):
    _teacher, subject, ids, student = course
    auth.login(student)
    page = client.get(f"/sections/{ids['Two']}").get_data(as_text=True)
    assert f'href="/sections/{ids["One"]}" rel="prev"' in page
    assert f'href="/sections/{ids["Three"]}" rel="next"' in page
    assert "About Two." in page and "Mark as done" in page
    response = client.post(f"/sections/{ids['Two']}/done", data={"done": "1"}, headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and "Mark as not done" in body
    assert db.count(SectionProgress) == 1
    client.post(f"/sections/{ids['Two']}/done", data={"done": "1"}, headers=HX)  # twice: still one
    assert db.count(SectionProgress) == 1
    subject_page = client.get(f"/subjects/{subject.id}").get_data(as_text=True)
    assert "1 of 4 sections done" in subject_page
    client.post(f"/sections/{ids['Two']}/done", data={"done": "0"}, headers=HX)
    assert db.count(SectionProgress) == 0


def test_progress_of_counts_published_sections_only(app, course, db, make):
    from lms.auth.models import User
    from lms.curriculum.models import Subject
    from lms.curriculum.services import progress_of

    _teacher, subject, ids, student = course
    with db.ctx() as session:
        session.add(SectionProgress(section_id=ids["One"], student_id=student.id))
        session.add(SectionProgress(section_id=ids["Four"], student_id=student.id))
        session.get(Section, ids["Three"]).published = False
        session.commit()
        progress = progress_of(session.get(User, student.id), session.get(Subject, subject.id))
    assert (progress.done, progress.total, progress.percent) == (2, 3, 67)


def test_parents_read_but_do_not_mark_done(client, auth, course, make, db):
    _teacher, subject, ids, student = course
    parent = make.parent_of(student)
    auth.login(parent)
    assert client.get(f"/subjects/{subject.id}").status_code == 200
    page = client.get(f"/sections/{ids['One']}").get_data(as_text=True)
    assert "About One." in page and "Mark as done" not in page
    assert client.post(f"/sections/{ids['One']}/done").status_code == 403
    assert db.count(SectionProgress) == 0


def test_students_of_another_classroom_get_404(client, auth, course, make):
    _teacher, subject, ids, _student = course
    auth.login(make.student("P2/1"))
    assert client.get(f"/subjects/{subject.id}").status_code == 404
    assert client.get(f"/sections/{ids['One']}").status_code == 404
    assert client.post(f"/sections/{ids['One']}/done").status_code == 404


def test_student_subject_list_shows_progress(client, auth, course, db):
    _teacher, subject, ids, student = course
    with db.ctx() as session:
        session.add(SectionProgress(section_id=ids["One"], student_id=student.id))
        session.commit()
    auth.login(student)
    page = client.get("/subjects").get_data(as_text=True)
    assert "Mathematics P1" in page and "1 of 4 sections done" in page


def test_section_progress_rows_are_unique(app, course, db):
    from sqlalchemy.exc import IntegrityError

    _teacher, _subject, ids, student = course
    with db.ctx() as session:
        session.add(SectionProgress(section_id=ids["One"], student_id=student.id))
        session.add(SectionProgress(section_id=ids["One"], student_id=student.id))
        with pytest.raises(IntegrityError):
            session.commit()
    assert db.scalar(select(SectionProgress.id)) is None


def test_audio_and_video_use_native_controls_loading_metadata_only(client, auth, course, make):
    teacher, _subject, ids, student = course
    make.resource(teacher, samples.mp3(), "song.mp3", title="Song", section_id=ids["One"])
    make.resource(teacher, samples.mp4(), "clip.mp4", title="Clip", section_id=ids["One"])
    auth.login(student)
    page = client.get(f"/sections/{ids['One']}").get_data(as_text=True)
    assert '<audio controls preload="metadata"' in page
    assert '<video controls preload="metadata" playsinline' in page
