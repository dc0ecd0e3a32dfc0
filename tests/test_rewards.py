"""Badges and points: the admin's rules, the periodic job (once, however often it runs), manual
badges (own students only), the student's and the parent's badges page, erasure."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.assessments.models import Submission
from lms.audit.models import AuditLog
from lms.common.types import utcnow
from lms.curriculum.models import SectionProgress
from lms.rewards.models import Badge, BadgeAward, PointEntry, RewardSettings
from tests.assessment_fixtures import HX


def run_job(app, now=None):
    from lms.rewards.jobs import award_points_and_badges

    with app.app_context():
        return award_points_and_badges(now)


def graded(make, student, assessment, score: float, maximum: float = 10.0, status: str = "GRADED"):
    """A graded attempt of ``student`` with ``score`` of ``maximum`` points."""
    now = utcnow()
    return make._save(Submission(assessment_id=assessment.id, student_id=student.id, attempt_number=1,
                                 status=status, submitted_at=now, graded_at=now, final_score=score,
                                 max_score=maximum, question_order=[], option_order={}))


def badge(make, name, criterion, threshold=None, icon="star", **kwargs):
    return make._save(Badge(name=name, name_key=name.casefold(), icon=icon, criterion=criterion,
                            threshold=threshold, **kwargs))


class School:
    """A classroom P1/1 with its teacher and two students, a teaching session with three ended
    meetings, a subject with three sections, an assessment; another classroom with its own teacher."""

    def __init__(self, make):
        make.school()
        self.teacher = make.teacher("P1/1")
        self.student = make.student("P1/1", full_name="Anna Achiever")
        self.classmate = make.student("P1/1", full_name="Ben Classmate")
        self.other_teacher = make.teacher("P2/1")
        self.other_student = make.student("P2/1", full_name="Olga Elsewhere")
        self.subject = make.subject("P1", teachers=[self.teacher])
        self.nodes = make.tree(self.subject, {"Unit": {"Part": ["One", "Two", "Three"]}})
        self.session = make.course_session(self.teacher, self.subject, name="Tutoring club")
        make.enrollment(self.session, self.student)
        make.enrollment(self.session, self.classmate)
        start = utcnow() - timedelta(days=10)
        self.meetings = [make.meeting(self.session, starts_at=start + timedelta(days=i), code=f"COD{i}")
                         for i in range(3)]
        self.quiz = make.assessment(self.teacher, title="Tens quiz", publish=True)

    def student_classroom_id(self, make) -> int:
        return make.classroom("P1/1").id


@pytest.fixture
def school(make):
    return School(make)


def progress(make, student, section_id):
    return make._save(SectionProgress(section_id=section_id, student_id=student.id))


# --- rules ------------------------------------------------------------------------------------------


def test_admin_edits_the_rules_with_bounds_checked(client, make, as_role, db):
    as_role("ADMIN")
    page = client.get("/admin/rewards")
    assert page.status_code == 200 and 'value="10"' in page.get_data(as_text=True)  # the default
    good = {"points_present": "12", "points_late": "6", "points_section": "0", "points_assessment": "1000",
            "pass_percent": "60", "leaderboards_enabled": "y"}
    assert client.post("/admin/rewards", data=good).status_code == 303
    rules = db.get(RewardSettings, 1)
    assert (rules.points_present, rules.points_section, rules.points_assessment, rules.pass_percent,
            rules.leaderboards_enabled) == (12, 0, 1000, 60, True)
    assert db.count(AuditLog, AuditLog.action == "rewards.rules.update") == 1
    for field, value in (("points_present", "1001"), ("points_late", "-1"), ("points_section", "abc"),
                         ("pass_percent", "0"), ("pass_percent", "101"), ("points_assessment", "99999999999999"),
                         ("points_present", "")):
        answer = client.post("/admin/rewards", data={**good, field: value}, headers=HX)
        assert answer.status_code == 422, (field, value)
        assert 'aria-invalid="true"' in answer.get_data(as_text=True)
    assert db.get(RewardSettings, 1).points_present == 12  # nothing partial stored


def test_the_database_refuses_rules_out_of_range(app):
    from sqlalchemy.exc import IntegrityError

    from lms.extensions import db as _db

    with app.app_context():
        _db.session.add(RewardSettings(id=1, points_present=1001))
        with pytest.raises(IntegrityError):
            _db.session.flush()
        _db.session.rollback()
        _db.session.add(RewardSettings(id=2))
        with pytest.raises(IntegrityError):  # one row only
            _db.session.flush()
        _db.session.rollback()


def test_only_admins_reach_the_rules_and_badge_definitions(client, as_role):
    as_role("TEACHER")
    assert client.get("/admin/rewards").status_code == 403
    assert client.get("/admin/badges").status_code == 403


# --- the periodic job ----------------------------------------------------------------------------------


def test_the_job_gives_points_and_badges_once_however_often_it_runs(app, make, school, db):
    s = school
    make.attendance(s.meetings[0], s.student, "PRESENT")
    make.attendance(s.meetings[1], s.student, "LATE")
    make.attendance(s.meetings[2], s.student, "ABSENT")
    make.attendance(s.meetings[0], s.classmate, "EXCUSED")
    progress(make, s.student, s.nodes["One"])
    progress(make, s.student, s.nodes["Two"])
    graded(make, s.student, s.quiz, 10)  # a perfect score: passed too
    first = badge(make, "First steps", "SESSIONS_ATTENDED", 1)
    two = badge(make, "Two meetings", "SESSIONS_ATTENDED", 2)
    badge(make, "Ten meetings", "SESSIONS_ATTENDED", 10)
    perfect = badge(make, "First perfect score", "PERFECT_SCORES", 1)
    passed = badge(make, "First assessment passed", "ASSESSMENTS_PASSED", 1)
    badge(make, "Five sections", "SECTIONS_COMPLETED", 5)
    rich = badge(make, "Forty points", "POINTS", 40)
    badge(make, "Old badge", "SESSIONS_ATTENDED", 1, archived_at=utcnow())
    badge(make, "Kindness", "MANUAL")

    run = run_job(app)
    assert (run.points, run.badges) == (5, 5)
    entries = db.scalars(select(PointEntry).where(PointEntry.student_id == s.student.id))
    # present 10 + late 5 + two sections 5 each + an assessment passed 20 = 45
    assert sorted((e.kind, e.points) for e in entries) == [
        ("ASSESSMENT", 20), ("ATTENDANCE", 5), ("ATTENDANCE", 10), ("SECTION", 5), ("SECTION", 5)]
    assert db.count(PointEntry, PointEntry.student_id == s.classmate.id) == 0  # excused: no points
    earned = {a.badge_id for a in db.scalars(select(BadgeAward).where(BadgeAward.student_id == s.student.id))}
    assert earned == {first.id, two.id, perfect.id, passed.id, rich.id}

    again = run_job(app)
    assert (again.points, again.badges) == (0, 0)
    assert db.count(PointEntry) == 5 and db.count(BadgeAward) == 5


def test_points_wait_for_the_meeting_to_end_and_for_the_result_to_be_shown(app, make, school, db):
    s = school
    now_meeting = make.meeting(s.session, code="NOWW")  # running now
    make.attendance(now_meeting, s.student, "PRESENT")
    hidden = make.assessment(s.teacher, title="Secret", publish=True, results_visibility="NEVER")
    graded(make, s.student, hidden, 10)
    graded(make, s.student, s.quiz, 4)  # 40%: not passed at 50%
    graded(make, s.classmate, s.quiz, 5, status="SUBMITTED")  # not graded yet
    run_job(app)
    assert db.count(PointEntry) == 0
    run_job(app, now=utcnow() + timedelta(hours=2))  # the meeting has ended
    assert [e.kind for e in db.scalars(select(PointEntry))] == ["ATTENDANCE"]


def test_a_rule_of_zero_gives_nothing_and_changes_do_not_rewrite_the_ledger(app, make, school, db, client, as_role):
    s = school
    make.attendance(s.meetings[0], s.student, "PRESENT")
    run_job(app)
    as_role("ADMIN")
    client.post("/admin/rewards", data={"points_present": "50", "points_late": "0", "points_section": "0",
                                        "points_assessment": "20", "pass_percent": "50"})
    make.attendance(s.meetings[1], s.student, "LATE")
    make.attendance(s.meetings[1], s.classmate, "PRESENT")
    run_job(app)
    points = {(e.student_id, e.source_id): e.points for e in db.scalars(select(PointEntry))}
    assert points == {(s.student.id, s.meetings[0].id): 10, (s.classmate.id, s.meetings[1].id): 50}


def test_the_unique_keys_stop_a_second_award_of_the_same_event(app, school):
    """What makes two runs at the same moment safe: the database refuses the duplicate, and the
    job's insert skips it instead of failing."""
    from sqlalchemy.exc import IntegrityError

    from lms.extensions import db as _db
    from lms.rewards.ledger import insert_ignoring_duplicates

    s = school
    row = {"student_id": s.student.id, "kind": "ATTENDANCE", "source_id": s.meetings[0].id, "points": 10,
           "awarded_at": utcnow()}
    with app.app_context():
        assert insert_ignoring_duplicates(PointEntry, [row]) == 1
        assert insert_ignoring_duplicates(PointEntry, [row, {**row, "source_id": s.meetings[1].id}]) == 1
        with pytest.raises(IntegrityError):
            with _db.session.begin_nested():
                _db.session.add(PointEntry(**row))
        b = Badge(name="Once", name_key="once", icon="star", criterion="MANUAL")
        _db.session.add(b)
        _db.session.flush()
        award = {"badge_id": b.id, "student_id": s.student.id, "awarded_at": utcnow()}
        assert insert_ignoring_duplicates(BadgeAward, [award]) == 1
        assert insert_ignoring_duplicates(BadgeAward, [award]) == 0
        with pytest.raises(IntegrityError):
            with _db.session.begin_nested():
                _db.session.add(BadgeAward(**award))
        _db.session.rollback()


def test_the_job_is_declared_as_a_periodic_job():
    from lms.periodic import PERIODIC_JOBS

    job = next(j for j in PERIODIC_JOBS if j.name == "award-points-and-badges")
    assert job.resolve().is_background_job and job.inline


# --- badge definitions ------------------------------------------------------------------------------


def test_admin_creates_edits_and_archives_badges(client, make, as_role, db, school):
    as_role("ADMIN")
    created = client.post("/admin/badges/new", data={"name": "Ten sessions", "description": "Come ten times",
                                                     "icon": "trophy", "criterion": "SESSIONS_ATTENDED",
                                                     "threshold": "10"})
    assert created.status_code == 303
    b = db.scalar(select(Badge).where(Badge.name == "Ten sessions"))
    assert (b.icon, b.threshold) == ("trophy", 10)
    for bad in ({"name": "TEN SESSIONS"}, {"icon": "skull"}, {"criterion": "NOPE"}, {"threshold": "0"},
                {"threshold": "1001"}, {"threshold": ""}, {"name": ""}, {"name": "x" * 81}, {"name": "A\x00B"}):
        data = {"name": "Other", "icon": "star", "criterion": "POINTS", "threshold": "5", **bad}
        assert client.post("/admin/badges/new", data=data, headers=HX).status_code in (400, 422), bad
    assert db.count(Badge) == 1
    manual = client.post("/admin/badges/new", data={"name": "Helper", "icon": "heart", "criterion": "MANUAL",
                                                    "threshold": "7"})
    assert manual.status_code == 303
    assert db.scalar(select(Badge.threshold).where(Badge.name == "Helper")) is None  # not for manual badges

    edit = client.post(f"/admin/badges/{b.id}", data={"name": "Twelve sessions", "icon": "medal",
                                                      "criterion": "SESSIONS_ATTENDED", "threshold": "12"})
    assert edit.status_code == 303 and db.get(Badge, b.id).name == "Twelve sessions"
    make._save(BadgeAward(badge_id=b.id, student_id=school.student.id, awarded_at=utcnow()))
    refused = client.post(f"/admin/badges/{b.id}", data={"name": "Twelve sessions", "icon": "medal",
                                                         "criterion": "POINTS", "threshold": "12"}, headers=HX)
    assert refused.status_code == 422 and "cannot change" in refused.get_data(as_text=True)

    assert client.post(f"/admin/badges/{b.id}/archive").status_code == 303
    assert db.get(Badge, b.id).archived_at is not None
    page = client.get("/admin/badges").get_data(as_text=True)
    assert "Archived" in page and "Twelve sessions" in page
    client.post(f"/admin/badges/{b.id}/archive", data={"restore": "1"})
    assert db.get(Badge, b.id).archived_at is None
    assert client.get("/admin/badges/999999").status_code == 404
    assert {"rewards.badge.create", "rewards.badge.update", "rewards.badge.archive", "rewards.badge.restore"} <= set(
        db.scalars(select(AuditLog.action)))


# --- manual badges ----------------------------------------------------------------------------------


def test_a_teacher_gives_and_takes_back_a_manual_badge_of_their_own_student(client, make, auth, db, school):
    s = school
    kind = badge(make, "Kindness", "MANUAL", icon="heart")
    goal = badge(make, "Goal", "SESSIONS_ATTENDED", 1)
    auth.login(s.teacher)
    page = client.get(f"/students/{s.student.id}/badges")
    assert page.status_code == 200 and "Kindness" in page.get_data(as_text=True)
    missing = client.post(f"/students/{s.student.id}/badges/award", data={"badge_id": kind.id, "reason": "  "},
                          headers=HX)
    assert missing.status_code == 422
    not_manual = client.post(f"/students/{s.student.id}/badges/award", data={"badge_id": goal.id, "reason": "x"},
                             headers=HX)
    assert not_manual.status_code == 422
    given = client.post(f"/students/{s.student.id}/badges/award",
                        data={"badge_id": kind.id, "reason": "Helped a classmate <b>today</b>"})
    assert given.status_code == 303
    twice = client.post(f"/students/{s.student.id}/badges/award", data={"badge_id": kind.id, "reason": "Again"},
                        headers=HX)
    assert twice.status_code == 422 and "already has" in twice.get_data(as_text=True)
    award = db.scalar(select(BadgeAward).where(BadgeAward.student_id == s.student.id))
    assert award.awarded_by_id == s.teacher.id and award.reason == "Helped a classmate <b>today</b>"
    auth.logout()

    parent = make.parent_of(s.student)
    for who, url in ((s.student, "/my/badges"), (parent, f"/my/children/{s.student.id}/badges")):
        auth.login(who)
        text = client.get(url).get_data(as_text=True)
        assert "Kindness" in text and "Helped a classmate &lt;b&gt;today&lt;/b&gt;" in text
        assert "Take back" not in text
        auth.logout()

    auth.login(s.teacher)
    assert client.post(f"/students/{s.student.id}/badges/{award.id}/revoke").status_code == 303
    assert db.count(BadgeAward) == 0
    actions = list(db.scalars(select(AuditLog.action).where(AuditLog.action.like("rewards.badge.%"))))
    assert sorted(actions) == ["rewards.badge.award", "rewards.badge.revoke"]


def test_teachers_reach_only_their_own_students(client, make, auth, db, school):
    s = school
    kind = badge(make, "Kindness", "MANUAL")
    award = make._save(BadgeAward(badge_id=kind.id, student_id=s.student.id, awarded_at=utcnow(),
                                  awarded_by_id=s.teacher.id, reason="Kind"))
    auth.login(s.other_teacher)
    assert client.get(f"/students/{s.student.id}/badges").status_code == 404
    assert client.post(f"/students/{s.student.id}/badges/award",
                       data={"badge_id": kind.id, "reason": "x"}).status_code == 404
    assert client.post(f"/students/{s.student.id}/badges/{award.id}/revoke").status_code == 404
    assert db.count(BadgeAward) == 1
    auth.logout()
    # a tutor reaches the students of their own teaching session, even from another classroom
    tutor = make.user(role="TEACHER")
    club = make.course_session(tutor, name="Olympiad")
    make.enrollment(club, s.other_student)
    auth.login(tutor)
    assert client.get(f"/students/{s.other_student.id}/badges").status_code == 200
    assert client.get(f"/students/{s.student.id}/badges").status_code == 404
    auth.logout()
    auth.login(s.student)
    assert client.get(f"/students/{s.student.id}/badges").status_code == 403


def test_a_badge_earned_by_a_goal_is_not_taken_back_by_hand(client, make, auth, db, school):
    goal = badge(make, "Goal", "SESSIONS_ATTENDED", 1)
    award = make._save(BadgeAward(badge_id=goal.id, student_id=school.student.id, awarded_at=utcnow()))
    auth.login(school.teacher)
    client.post(f"/students/{school.student.id}/badges/{award.id}/revoke")
    assert db.count(BadgeAward) == 1


# --- the badges page ---------------------------------------------------------------------------------


def test_the_student_sees_points_badges_and_progress(app, client, make, auth, school):
    s = school
    for meeting in s.meetings[:2]:
        make.attendance(meeting, s.student, "PRESENT")
    badge(make, "Ten sessions", "SESSIONS_ATTENDED", 10)
    badge(make, "First steps", "SESSIONS_ATTENDED", 1, description="Come once")
    run_job(app)
    auth.login(s.student)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/my/badges"' in home
    text = client.get("/my/badges").get_data(as_text=True)
    assert 'data-points-total="20"' in text
    assert "First steps" in text and "Come once" in text
    assert "2 of 10" in text and 'value="2" max="10"' in text
    assert "Tutoring club" in text  # the recent points say what earned them
    assert "Leaderboards" not in text  # off by default


def test_parents_see_only_their_own_childs_badges(client, make, auth, school):
    s = school
    parent = make.parent_of(s.student)
    auth.login(parent)
    assert client.get(f"/my/children/{s.student.id}/badges").status_code == 200
    assert f"/my/children/{s.student.id}/badges" in client.get("/").get_data(as_text=True)
    assert client.get(f"/my/children/{s.classmate.id}/badges").status_code == 404
    assert client.get("/my/badges").status_code == 403


def test_the_badges_page_in_thai(client, make, auth, school):
    make._save(BadgeAward(badge_id=badge(make, "Star", "MANUAL").id, student_id=school.student.id,
                          awarded_at=utcnow(), reason="Great work"))
    badge(make, "Ten sessions", "SESSIONS_ATTENDED", 10)
    auth.login(school.student)
    client.post("/language", data={"locale": "th"})
    text = client.get("/my/badges").get_data(as_text=True)
    assert "เหรียญ" in text and "0 จาก 10" in text
    assert "Badges earned" not in text and "Badges to earn" not in text


# --- erasure ---------------------------------------------------------------------------------------


def test_erasing_a_student_removes_their_points_badges_and_choice(app, make, db, school):
    from lms.auth.models import User
    from lms.extensions import db as _db
    from lms.privacy.erase import erase_student
    from lms.rewards.models import LeaderboardOptOut
    from lms.school.models import StudentProfile

    s = school
    make.attendance(s.meetings[0], s.student, "PRESENT")
    badge(make, "First steps", "SESSIONS_ATTENDED", 1)
    run_job(app)
    make._save(LeaderboardOptOut(user_id=s.student.id))
    admin = make.user(role="ADMIN")
    with app.app_context():
        student = _db.session.get(User, s.student.id)
        _db.session.get(StudentProfile, student.id).status = "LEFT"
        erase_student(_db.session.get(User, admin.id), student, student.full_name)
        _db.session.commit()
    for model in (PointEntry, BadgeAward):
        assert db.count(model, model.student_id == s.student.id) == 0
    assert db.count(LeaderboardOptOut) == 0
    run_job(app)  # an erased (deactivated) student earns nothing again
    assert db.count(PointEntry, PointEntry.student_id == s.student.id) == 0


# --- demo -------------------------------------------------------------------------------------------


def test_the_demo_has_badges_and_earned_ones_for_the_demo_student(app, demo, db):
    from lms.demo import seed_demo

    student = demo["student@example.org"]
    names = set(db.scalars(select(Badge.name)))
    assert {"Ten sessions", "First perfect score", "Helping hand"} <= names
    earned = db.scalars(select(BadgeAward).where(BadgeAward.student_id == student))
    assert len(earned) >= 2 and any(a.reason for a in earned)
    assert db.count(PointEntry, PointEntry.student_id == student) >= 1
    counts = (db.count(Badge), db.count(BadgeAward), db.count(PointEntry))
    with app.app_context():
        seed_demo()  # twice: nothing more
    assert (db.count(Badge), db.count(BadgeAward), db.count(PointEntry)) == counts
