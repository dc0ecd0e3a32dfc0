"""Feedback teachers write reaches the student as they wrote it: per-question feedback is Markdown
(sanitised, inert like all user content), a second grading tells the student once, and what the
sanitiser refuses leaves no broken image or dead link behind."""

import pytest
from sqlalchemy import select

from lms.common.markdown import render_markdown
from lms.communication.models import Notification
from tests.assessment_fixtures import build_course
from tests.factories import ONE_OF_EACH, RIGHT_ANSWERS
from tests.test_assessments_grading import grade_form


@pytest.fixture
def course(make):
    return build_course(make)


@pytest.fixture
def quiz(course, make):
    return make.assessment(course.teacher, title="Tens quiz", questions=ONE_OF_EACH,
                           section_id=course.ids["Counting"], publish=True, attempts_allowed=None)


def _kinds(db, user_id):
    return [n.kind for n in db.scalars(select(Notification).where(Notification.user_id == user_id)
                                       .order_by(Notification.id))]


def test_per_question_feedback_is_rendered_markdown_inside_the_inert_container(client, auth, course, quiz, make, db):
    attempt = make.attempt(course.student, quiz, RIGHT_ANSWERS)
    auth.login(course.teacher)
    note = "**Great** counting\n\n- tens\n- ones\n\n<script>alert(1)</script>"
    client.post(f"/submissions/{attempt.id}/grade",
                data=grade_form(db, attempt, action="return", **{f"feedback-{attempt.question_order[5]}": note}))
    auth.logout()
    auth.login(course.student)
    page = client.get(f"/submissions/{attempt.id}").get_data(as_text=True)
    assert "**Great**" not in page
    start = page.index('class="teacher-note"')
    note_html = page[start:page.index("</div>", page.index("<li>ones</li>", start))]
    assert '<div class="user-content" hx-disable><p><strong>Great</strong> counting</p>' in note_html
    assert "<li>tens</li>" in note_html and "<script" not in page.split("</main>")[0].split("<main")[1]


def test_a_regrade_notifies_the_student_once(client, auth, course, quiz, make, db):
    attempt = make.attempt(course.student, quiz, RIGHT_ANSWERS)
    auth.login(course.teacher)
    client.post(f"/submissions/{attempt.id}/grade", data=grade_form(db, attempt, action="return"))
    assert _kinds(db, course.student.id) == ["work_graded", "work_returned"]

    client.post(f"/submissions/{attempt.id}/grade", data=grade_form(db, attempt, long_points="3", action="return"))
    assert _kinds(db, course.student.id) == ["work_graded", "work_returned", "work_regraded"]
    regraded = db.scalars(select(Notification).where(Notification.kind == "work_regraded"))[0]
    assert regraded.link == f"/submissions/{attempt.id}" and regraded.params == {"title": "Tens quiz"}

    # Saving again without a change is not a regrade; a new feedback alone is one.
    client.post(f"/submissions/{attempt.id}/grade", data=grade_form(db, attempt, long_points="3", action="return"))
    assert _kinds(db, course.student.id).count("work_regraded") == 1
    client.post(f"/submissions/{attempt.id}/grade",
                data=grade_form(db, attempt, long_points="3", action="save", feedback="Even better now."))
    assert _kinds(db, course.student.id).count("work_regraded") == 2

    auth.logout()
    auth.login(course.student)
    page = client.get("/notifications").get_data(as_text=True)
    assert "was graded again" in page


def test_an_image_the_sanitiser_refuses_is_dropped_not_left_broken(app):
    with app.test_request_context():
        html = str(render_markdown("See ![cat](https://evil.example/cat.png) and ![ok](/resources/3/download) "
                                   "<img src=x onerror=alert(1)> <img alt=nothing>"))
    assert html.count("<img") == 1 and '<img alt="ok" src="/resources/3/download">' in html
    assert "cat" not in html and "nothing" not in html


def test_a_refused_link_keeps_its_text_but_is_no_link(app):
    with app.test_request_context():
        html = str(render_markdown("[Click me](javascript:alert(1)) <a href=\"javascript:x\">Raw &amp; <em>it</em></a> "
                                   "[fine](https://example.org)"))
    assert "Click me" in html and "Raw &amp; <em>it</em>" in html
    assert html.count("<a ") == 1 and html.count("</a>") == 1
    assert '<a href="https://example.org" rel="noopener nofollow">fine</a>' in html
    assert "javascript" not in html
