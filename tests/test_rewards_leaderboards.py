"""Leaderboards: off by default (404), per classroom and per teaching session when on, only for
their members and teachers, and never showing a student who opted out."""

import pytest

from lms.common.types import utcnow
from lms.rewards.models import LeaderboardOptOut, PointEntry, RewardSettings
from tests.assessment_fixtures import HX
from tests.test_rewards import School


@pytest.fixture
def school(make):
    s = School(make)
    for student, points in ((s.student, 30), (s.classmate, 50), (s.other_student, 99)):
        make._save(PointEntry(student_id=student.id, kind="SECTION", source_id=1, points=points,
                              awarded_at=utcnow()))
    return s


def board(response) -> str:
    """The board's list alone (the signed-in student's name is in the page's header too)."""
    text = response.get_data(as_text=True)
    return text.partition('id="leaderboard"')[2].partition("</ol>")[0]


def turn_on(make):
    make._save(RewardSettings(id=1, leaderboards_enabled=True))


def test_leaderboards_are_hidden_while_off(client, make, auth, school):
    s = school
    auth.login(s.student)
    assert client.get(f"/classrooms/{s.student_classroom_id(make)}/leaderboard").status_code == 404
    assert client.get(f"/sessions/{s.session.id}/leaderboard").status_code == 404
    auth.logout()
    auth.login(s.teacher)
    assert client.get(f"/sessions/{s.session.id}/leaderboard").status_code == 404
    assert "Leaderboard" not in client.get(f"/sessions/{s.session.id}").get_data(as_text=True)


def test_a_classroom_board_ranks_its_own_students_for_its_members_only(client, make, auth, school):
    s = school
    turn_on(make)
    room = s.student_classroom_id(make)
    auth.login(s.student)
    page = client.get(f"/classrooms/{room}/leaderboard")
    assert page.status_code == 200
    text = board(page)
    assert text.index("Ben Classmate") < text.index("Anna Achiever")
    assert "50 points" in text and "30 points" in text
    assert "Olga Elsewhere" not in text  # never school-wide
    assert f"/classrooms/{room}/leaderboard" in client.get("/my/badges").get_data(as_text=True)
    auth.logout()
    auth.login(s.teacher)
    assert client.get(f"/classrooms/{room}/leaderboard").status_code == 200
    auth.logout()
    # a student and a teacher of another classroom, and a parent: 404
    for outsider in (s.other_student, s.other_teacher, make.parent_of(s.student)):
        auth.login(outsider)
        assert client.get(f"/classrooms/{room}/leaderboard").status_code in (403, 404)
        auth.logout()
    auth.login(s.other_student)
    assert client.get(f"/classrooms/{room}/leaderboard").status_code == 404


def test_a_session_board_is_for_its_students_and_teacher(client, make, auth, school):
    s = school
    turn_on(make)
    url = f"/sessions/{s.session.id}/leaderboard"
    auth.login(s.classmate)
    text = board(client.get(url))
    assert "Anna Achiever" in text and "Ben Classmate" in text and "Olga Elsewhere" not in text
    auth.logout()
    auth.login(s.teacher)
    assert client.get(url).status_code == 200
    assert url in client.get(f"/sessions/{s.session.id}").get_data(as_text=True)
    auth.logout()
    for outsider in (s.other_student, s.other_teacher):
        auth.login(outsider)
        assert client.get(url).status_code == 404
        auth.logout()


def test_a_student_who_opted_out_is_left_out_of_every_board(client, make, auth, db, school):
    s = school
    turn_on(make)
    auth.login(s.student)
    profile = client.get("/me").get_data(as_text=True)
    assert "Leave me out of leaderboards" in profile
    assert client.post("/me/leaderboards", data={"show": "0"}, headers=HX).status_code == 200
    assert db.count(LeaderboardOptOut) == 1
    own = client.get(f"/sessions/{s.session.id}/leaderboard")
    assert "You are not on this leaderboard" in own.get_data(as_text=True) and "Anna Achiever" not in board(own)
    auth.logout()
    auth.login(s.classmate)
    for url in (f"/classrooms/{s.student_classroom_id(make)}/leaderboard", f"/sessions/{s.session.id}/leaderboard"):
        text = client.get(url).get_data(as_text=True)
        assert "Ben Classmate" in board(client.get(url)) and "Anna Achiever" not in text and "30 points" not in text
    auth.logout()
    auth.login(s.student)
    client.post("/me/leaderboards", data={"show": "1"})
    assert db.count(LeaderboardOptOut) == 0
    auth.logout()
    auth.login(s.teacher)  # only students choose
    assert client.post("/me/leaderboards", data={"show": "0"}).status_code == 403
