"""What parents see of their children's teaching sessions: schedule, attendance, work and its result,
the notes the tutor shared; nobody else's child (404)."""

from datetime import timedelta

import pytest

from lms.common.types import utcnow
from tests.assessment_fixtures import HX
from tests.test_teaching_work import _give, tutoring


@pytest.fixture
def course(make):
    return tutoring(make)


def test_a_parent_sees_their_childs_session_attendance_work_and_result(client, make, course, auth):
    c = course
    parent = make.parent_of(c.student)
    auth.login(c.teacher)
    assert _give(client, c).status_code == 200
    client.post(f"/sessions/{c.session.id}/enrollments/{c.enrollment.id}/content",
                data={"notes": "Private: needs help with carrying."}, headers=HX)
    auth.logout()
    make.attempt(c.student, c.quiz, {0: "1"})

    auth.login(parent)
    home = client.get("/").get_data(as_text=True)
    assert f"/my/children/{c.student.id}/sessions" in home
    listing = client.get(f"/my/children/{c.student.id}/sessions").get_data(as_text=True)
    assert "Olympiad club" in listing
    page = client.get(f"/my/children/{c.student.id}/sessions/{c.session.id}").get_data(as_text=True)
    assert "Late" in page and "Olympiad warm-up" in page and "1/1 (100%)" in page
    assert "<strong>three</strong>" in page
    assert "needs help with carrying" not in page  # not shared with parents
    auth.logout()

    auth.login(c.teacher)
    shared = client.post(f"/sessions/{c.session.id}/enrollments/{c.enrollment.id}/content",
                         data={"notes": "Well done this week.", "notes_shared_with_parents": "1"}, headers=HX)
    assert shared.status_code == 200
    auth.logout()
    auth.login(parent)
    page = client.get(f"/my/children/{c.student.id}/sessions/{c.session.id}").get_data(as_text=True)
    assert "Well done this week." in page and "Notes from the tutor" in page


def test_a_parent_cannot_see_another_childs_sessions(client, make, course, auth):
    c = course
    parent = make.parent_of(c.student)
    make.parent_of(c.second)
    elsewhere = make.course_session(c.other_teacher, c.other_subject, name="Other club")
    make.enrollment(elsewhere, c.other_student)
    auth.login(parent)
    assert client.get(f"/my/children/{c.second.id}/sessions").status_code == 404
    assert client.get(f"/my/children/{c.second.id}/sessions/{c.session.id}").status_code == 404
    # their own child, but a session the child is not in
    assert client.get(f"/my/children/{c.student.id}/sessions/{elsewhere.id}").status_code == 404
    auth.logout()
    auth.login(c.student)  # students and teachers do not use the parents' pages
    assert client.get(f"/my/children/{c.student.id}/sessions").status_code == 403


def test_a_parent_reads_past_sessions_but_not_pending_requests(client, make, course, auth):
    c = course
    parent = make.parent_of(c.student)
    old = make.course_session(c.teacher, name="Last term", status="EXPIRED",
                              start=utcnow() - timedelta(days=120), end=utcnow() - timedelta(days=30))
    make.enrollment(old, c.student, status="COMPLETED")
    waiting = make.course_session(c.other_teacher, name="Waiting room")
    make.enrollment(waiting, c.student, status="PENDING")
    auth.login(parent)
    listing = client.get(f"/my/children/{c.student.id}/sessions").get_data(as_text=True)
    assert "Past sessions" in listing and "Last term" in listing and "Waiting room" not in listing
    assert listing.index("Olympiad club") < listing.index("Last term")
    assert client.get(f"/my/children/{c.student.id}/sessions/{old.id}").status_code == 200
    assert client.get(f"/my/children/{c.student.id}/sessions/{waiting.id}").status_code == 404
