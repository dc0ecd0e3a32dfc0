"""User-written text (Markdown or plain) can never carry htmx attributes into a reader's page.

A teacher's assessment instructions, questions and feedback, section content, school and session
announcements are shown to admins, other teachers and students.  The sanitiser drops every ``hx-*`` and
``data-hx-*`` attribute, media are placed by walking the parsed HTML (never by replacing strings in it),
and every rendering sits inside an ``hx-disable`` container, so htmx ignores whatever might slip through.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import select, update

from lms.assessments.media import render_with_media
from lms.assessments.models import Question, Submission
from lms.common import markdown as markdown_module
from lms.common.markdown import render_markdown, sanitise_html
from lms.communication.text import render_body
from tests.assessment_fixtures import HX, build_course

TARGET = "/admin/users/1/deactivate"
SENTINEL = "ZEBRA"
HOSTILE = [
    f'Read ZEBRA: [click ZEBRA]([[media:pic]] "ZEBRA hx-post={TARGET} hx-trigger=click")',
    f'[ZEBRA]([[media:pic]]" hx-post="{TARGET}) and [ZEBRA](http://e.org/[[media:pic]]?x=" hx-get="{TARGET})',
    f'<a href="/x" hx-post="{TARGET}" data-hx-post="{TARGET}" hx-on:click="alert(1)">ZEBRA raw</a>',
    f'<p hx-get="{TARGET}" hx-trigger="load" data-hx-trigger="load">ZEBRA para</p>',
    f'![ZEBRA [[media:pic]]](/resources/1/download "ZEBRA [[media:pic]] hx-post={TARGET}")',
    f'<img src="/resources/1/download" hx-get="{TARGET}" data-hx-get="{TARGET}" alt="ZEBRA">',
    "ZEBRA typed tokens LMSMEDIATOKEN0X LMSMEDIATOKEN7X lmsmedia00n0x",
    "ZEBRA `[[media:pic]]` [[media:pic]] [[media:gone]] [see [[media:pic]]](http://e.org)",
    f'[ZEBRA [[media:pic]]](http://e.org "[[media:pic]]") <span hx-boost="true">{TARGET}</span>',
    # A web link whose address carries the attribute: pasted into an href it became hx-post=... (the bug).
    "[ZEBRA worksheet]([[media:web]]) and [[media:web]]",
]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class PageCheck(HTMLParser):
    """Every hx-* attribute of a page, and every piece of ``SENTINEL`` text outside an hx-disable
    container (text of form fields excepted: a textarea shows what the author typed, escaped)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.htmx: list[tuple[str, str, str]] = []
        self.outside: list[str] = []
        self.inert_roots = 0
        self.feed(html)
        self.close()

    def _inert(self) -> bool:
        return any(flag for _tag, flag in self.stack)

    def handle_starttag(self, tag, attrs):
        names = {name for name, _value in attrs}
        for name, value in attrs:
            if name.startswith(("hx-", "data-hx-")):
                self.htmx.append((tag, name, value or ""))
            if value and SENTINEL in value and not self._inert() and name != "value":
                self.outside.append(f"<{tag} {name}={value!r}>")
        if "hx-disable" in names and not self._inert():
            self.inert_roots += 1
        if tag not in VOID:
            self.stack.append((tag, "hx-disable" in names or "data-hx-disable" in names))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if SENTINEL in data and not self._inert() and not any(t in ("textarea", "title") for t, _f in self.stack):
            self.outside.append(data.strip())

    def hostile_htmx(self) -> list:
        """hx-* attributes anywhere on the page that point at the admin URL or sit in user content."""
        return [a for a in self.htmx if TARGET in a[2] or "alert" in a[2]]


class _File:
    width, height = 40, 30


class _Resource:
    def __init__(self, ident, kind, title="Dots", url=None):
        self.id, self.kind, self.title, self.description, self.url = ident, kind, title, None, url
        self.file = _File()


MEDIA = {"pic": _Resource(7, "IMAGE"), "web": _Resource(8, "LINK", "Worksheet", f"https://e.org/x/hx-post={TARGET}?")}


def _all_attributes(html: str) -> list[str]:
    names: list[str] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            names.extend(name for name, _value in attrs)

    Collect().feed(html)
    return names


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_never_produces_htmx_attributes(app, text):
    with app.test_request_context():
        renderings = [render_markdown(text), render_with_media(text, MEDIA, staff=True), render_with_media(text, MEDIA),
                      render_with_media(text, {}), render_body(text, "MARKDOWN"), render_body(text, "TEXT")]
    for html in map(str, renderings):
        names = _all_attributes(html)
        assert [n for n in names if n.startswith(("hx-", "data-hx-"))] == ["hx-disable"], html
        assert html.startswith('<div class="user-content" hx-disable>') and html.endswith("</div>")
        check = PageCheck(html)
        assert check.outside == [] and check.inert_roots == 1
        assert "LMSMEDIATOKEN" not in html or "LMSMEDIATOKEN" in text
        assert "lmsmedia" not in html.replace("lmsmedia00n0x", "")  # no placeholder of ours leaks


def test_a_media_label_inside_a_link_address_or_title_is_never_markup(app):
    text = HOSTILE[0] + "\n\n" + HOSTILE[1]
    with app.test_request_context():
        html = str(render_with_media(text, MEDIA, staff=True))
    # A label in a link address gives neither a media element nor an address; the title stays the author's text.
    assert html.count("<img") == 0
    assert 'href="/resources/7/download"' not in html
    assert f'title="ZEBRA hx-post={TARGET} hx-trigger=click"' in html
    with app.test_request_context():
        html = str(render_with_media("Look [[media:pic]]", MEDIA))
    assert '<img class="question-media" src="/resources/7/download" alt="Dots" width="40" height="30"' in html


def test_typed_tokens_and_labels_in_code_stay_text(app):
    with app.test_request_context():
        html = str(render_with_media(HOSTILE[6] + "\n\n" + HOSTILE[7], MEDIA, staff=True))
    assert "LMSMEDIATOKEN0X LMSMEDIATOKEN7X lmsmedia00n0x" in html
    assert "<code>[[media:pic]]</code>" in html
    assert '<a href="http://e.org" rel="noopener nofollow">see [[media:pic]]</a>' in html
    assert html.count('class="question-media"') == 1 and "Missing media" in html and "gone" in html


def test_the_sanitiser_itself_drops_htmx_attributes_even_if_the_allow_list_grew(monkeypatch):
    html = f'<a href="/x" hx-post="{TARGET}" data-hx-post="{TARGET}" HX-GET="{TARGET}">x</a>'
    assert "hx" not in sanitise_html(html).replace("href", "")
    widened = {**markdown_module.ALLOWED_ATTRIBUTES, "a": {"href", "hx-post", "data-hx-post", "hx-get"}}
    monkeypatch.setattr(markdown_module, "ALLOWED_ATTRIBUTES", widened)
    assert sanitise_html(html) == '<a href="/x" rel="noopener nofollow">x</a>'


# --- on the pages --------------------------------------------------------------------------------------


@pytest.fixture
def course(make):
    return build_course(make)


@pytest.fixture
def hostile_world(course, make, db, app):
    """A teacher's assessment, section, and announcements all written with ``HOSTILE``."""
    from lms.curriculum.models import Section

    text = "\n\n".join(HOSTILE)
    picture = make.resource(course.teacher)
    questions = [{"type": "SINGLE_CHOICE", "text": text, "options": ["a", "b"], "key": {"correct": 0},
                  "points": 1, "feedback": text}]
    quiz = make.assessment(course.teacher, title="Quiz", questions=questions, section_id=course.ids["Counting"],
                           publish=True, media=[("pic", picture)], instructions=text)
    with app.app_context():
        from lms.extensions import db as _db

        _db.session.execute(update(Section).where(Section.id == course.ids["Counting"]).values(content=text))
        _db.session.commit()
        _db.session.remove()
    return quiz, text


def _assert_inert(response, min_roots=1):
    assert response.status_code == 200, response.status_code
    check = PageCheck(response.get_data(as_text=True))
    assert check.hostile_htmx() == []
    assert check.outside == []
    assert check.inert_roots >= min_roots
    return check


def test_assessment_pages_keep_user_content_inert(client, auth, course, make, hostile_world, db):
    quiz, text = hostile_world
    admin = make.user(role="ADMIN")
    auth.login(admin)
    _assert_inert(client.get(f"/assessments/{quiz.id}"), 2)  # instructions and the question
    auth.logout()
    auth.login(course.teacher)
    _assert_inert(client.get(f"/assessments/{quiz.id}"), 2)
    question_id = db.scalar(select(Question.id))
    _assert_inert(client.get(f"/assessments/{quiz.id}/questions/{question_id}", headers=HX))  # the preview
    auth.logout()
    auth.login(course.student)
    _assert_inert(client.get(f"/assessments/{quiz.id}/take"))  # the start page with the instructions
    assert client.post(f"/assessments/{quiz.id}/start").status_code == 303
    take = _assert_inert(client.get(f"/assessments/{quiz.id}/take"), 2)
    assert take.inert_roots >= 2
    attempt = db.scalar(select(Submission))
    assert client.post(f"/submissions/{attempt.id}/submit").status_code in (200, 303)
    with client.application.app_context():
        from lms.extensions import db as _db

        _db.session.execute(update(Submission).where(Submission.id == attempt.id).values(feedback=text))
        _db.session.commit()
        _db.session.remove()
    result = client.get(f"/submissions/{attempt.id}")
    _assert_inert(result)
    auth.logout()
    auth.login(admin)
    _assert_inert(client.get(f"/submissions/{attempt.id}"))


def test_a_bare_typed_token_shows_as_text_on_the_assessment_and_take_pages(client, auth, course, make):
    questions = [{"type": "SINGLE_CHOICE", "text": "Pick LMSMEDIATOKEN0X or LMSMEDIATOKEN5X", "options": ["a", "b"],
                  "key": {"correct": 0}, "points": 1}]
    quiz = make.assessment(course.teacher, questions=questions, section_id=course.ids["Counting"], publish=True,
                           instructions="Typed: LMSMEDIATOKEN3X")
    auth.login(course.teacher)
    page = client.get(f"/assessments/{quiz.id}")
    assert page.status_code == 200
    assert "Typed: LMSMEDIATOKEN3X" in page.get_data(as_text=True)
    assert "Pick LMSMEDIATOKEN0X or LMSMEDIATOKEN5X" in page.get_data(as_text=True)
    auth.logout()
    auth.login(course.student)
    assert client.get(f"/assessments/{quiz.id}/take").status_code == 200
    assert client.post(f"/assessments/{quiz.id}/start").status_code == 303
    take = client.get(f"/assessments/{quiz.id}/take")
    assert take.status_code == 200
    assert "Pick LMSMEDIATOKEN0X or LMSMEDIATOKEN5X" in take.get_data(as_text=True)


def test_section_pages_and_previews_keep_user_content_inert(client, auth, course, hostile_world):
    _quiz, text = hostile_world
    section_id = course.ids["Counting"]
    auth.login(course.student)
    _assert_inert(client.get(f"/sections/{section_id}"))
    auth.logout()
    auth.login(course.teacher)
    _assert_inert(client.get(f"/sections/{section_id}"))
    _assert_inert(client.get(f"/sections/{section_id}/edit"))
    _assert_inert(client.post(f"/sections/{section_id}/preview", data={"content": text}, headers=HX))


@pytest.mark.parametrize("body_format", ["MARKDOWN", "TEXT"])
def test_school_announcements_keep_user_content_inert(client, auth, make, body_format):
    text = "\n\n".join(HOSTILE)
    teacher = make.user(role="TEACHER")
    announcement = make.announcement(teacher, title="Notice", body=text, body_format=body_format)
    admin = make.user(role="ADMIN")
    auth.login(admin)
    _assert_inert(client.get(f"/announcements/{announcement.id}"))
    _assert_inert(client.get("/announcements"))
    auth.logout()
    auth.login(make.student("P1/1"))
    _assert_inert(client.get(f"/announcements/{announcement.id}"))


def test_session_announcements_keep_user_content_inert(client, auth, make):
    from lms.teaching.models import CourseSessionAnnouncement

    text = "\n\n".join(HOSTILE)
    teacher = make.user(role="TEACHER")
    course_session = make.course_session(teacher)
    student = make.student("P1/1")
    make.enrollment(course_session, student)
    make._save(CourseSessionAnnouncement(tenant_id=course_session.tenant_id, course_session_id=course_session.id,
                                         title="Hello", message=text, created_by=teacher.id))
    auth.login(make.user(role="ADMIN"))
    _assert_inert(client.get(f"/sessions/{course_session.id}/announcements"))
    auth.logout()
    auth.login(teacher)
    _assert_inert(client.get(f"/sessions/{course_session.id}/announcements"))
    auth.logout()
    auth.login(student)
    _assert_inert(client.get(f"/my/sessions/{course_session.id}"))
