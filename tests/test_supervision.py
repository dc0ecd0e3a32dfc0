"""Supervisors: what they oversee (scope), the dashboard's figures, at-risk reasons, exports, and
messaging a tutor about a student."""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from lms.audit.models import AuditLog
from lms.auth.models import User
from lms.centres.models import Centre, CentreMembership
from lms.common.types import utcnow
from lms.communication.models import Notification
from lms.curriculum.models import Section, Subject
from lms.teaching.models import CourseSession
from tests.conftest import AuthActions

WEEK = timedelta(days=7)


@dataclass
class World:
    north: object
    south: object
    supervisor: object
    tutor_n: object
    tutor_s: object
    pupil_n: object
    pupil_s: object
    session_n: object
    session_s: object


def _place(db, course_session, centre):
    with db.ctx() as session:
        session.execute(update(CourseSession).where(CourseSession.id == course_session.id)
                        .values(centre_id=centre.id if centre else None))
        session.commit()


def _world(make, db) -> World:
    supervisor = make.user(role="SUPERVISOR", full_name="Suda Supervisor")
    tutor_n, tutor_s = make.user(role="TEACHER", full_name="Nok Tutor"), make.user(role="TEACHER", full_name="Som Tutor")
    pupil_n, pupil_s = make.student(full_name="Nina North"), make.student(full_name="Sunny South")
    north = make.centre("North", members=[supervisor, tutor_n, pupil_n])
    south = make.centre("South", members=[tutor_s, pupil_s])
    session_n = make.course_session(tutor_n, name="North maths")
    session_s = make.course_session(tutor_s, name="South maths")
    _place(db, session_n, north)
    _place(db, session_s, south)
    make.enrollment(session_n, pupil_n)
    make.enrollment(session_s, pupil_s)
    return World(north, south, supervisor, tutor_n, tutor_s, pupil_n, pupil_s, session_n, session_s)


def _signed_in(app, user):
    client = app.test_client()
    AuthActions(client).login(user)
    return client


def _marks(make, course_session, student, statuses, *, days_ago):
    """One meeting ``days_ago`` days back (at 10:00 UTC) per status, each a day apart going further back."""
    now = utcnow().replace(hour=3, minute=0, second=0, microsecond=0)
    for i, status in enumerate(statuses):
        meeting = make.meeting(course_session, starts_at=now - timedelta(days=days_ago + i), code="ABCD")
        make.attendance(meeting, student, status)


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


# --- scope ------------------------------------------------------------------------------------------


def test_a_supervisor_of_one_centre_never_sees_another_centres_sessions_or_students(app, make, db):
    w = _world(make, db)
    _marks(make, w.session_n, w.pupil_n, ["ABSENT", "ABSENT"], days_ago=1)
    _marks(make, w.session_s, w.pupil_s, ["ABSENT", "ABSENT"], days_ago=1)
    client = _signed_in(app, w.supervisor)

    page = client.get("/supervision").get_data(as_text=True)
    assert "Nina North" in page and "Nok Tutor" in page
    assert "Sunny South" not in page and "Som Tutor" not in page and "South maths" not in page
    assert client.get(f"/supervision/students/{w.pupil_n.id}").status_code == 200
    assert client.get(f"/supervision/sessions/{w.session_n.id}").status_code == 200
    assert client.get(f"/supervision/students/{w.pupil_s.id}").status_code == 404
    assert client.get(f"/supervision/sessions/{w.session_s.id}").status_code == 404
    assert client.post(f"/supervision/students/{w.pupil_s.id}/message", data={"text": "Hi"}).status_code == 404
    assert client.get(f"/supervision/students/{w.tutor_n.id}").status_code == 404  # not a student
    for export in ("attendance", "today", "workload", "at-risk"):
        assert "South" not in client.get(f"/supervision/{export}.csv").get_data(as_text=True)


def test_the_whole_organization_includes_sessions_of_no_centre(app, make, db):
    w = _world(make, db)
    loose = make.course_session(w.tutor_s, name="Online club")
    with db.ctx() as session:
        session.execute(update(User).where(User.id == w.supervisor.id).values(supervises_all=True))
        session.commit()
    client = _signed_in(app, w.supervisor)
    for course_session in (w.session_n, w.session_s, loose):
        assert client.get(f"/supervision/sessions/{course_session.id}").status_code == 200
    assert client.get(f"/supervision/students/{w.pupil_s.id}").status_code == 200


def test_a_supervisor_of_no_centre_sees_nothing_and_is_told_why(app, make, db):
    w = _world(make, db)
    nobody = make.user(role="SUPERVISOR")
    client = _signed_in(app, nobody)
    page = client.get("/supervision").get_data(as_text=True)
    assert "You oversee no centre yet" in page and "Nina North" not in page
    assert client.get(f"/supervision/sessions/{w.session_n.id}").status_code == 404


def test_only_supervisors_may_oversee_the_whole_organization_in_the_database(make, db):
    teacher = make.user(role="TEACHER")
    with db.ctx() as session, pytest.raises(IntegrityError):
        session.execute(update(User).where(User.id == teacher.id).values(supervises_all=True))
        session.flush()


# --- access -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["STUDENT", "PARENT", "TEACHER"])
def test_other_roles_may_not_open_the_supervision_pages(app, make, db, role):
    w = _world(make, db)
    client = _signed_in(app, make.user(role=role))
    for url in ("/supervision", "/supervision/at-risk.csv", f"/supervision/students/{w.pupil_n.id}",
                f"/supervision/sessions/{w.session_n.id}"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/supervision/students/{w.pupil_n.id}/message", data={"text": "x"}).status_code == 403


def test_a_supervisor_lands_on_the_dashboard_and_may_not_use_teachers_or_students_pages(app, make, db):
    w = _world(make, db)
    client = _signed_in(app, w.supervisor)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/supervision")
    for url in ("/sessions", f"/sessions/{w.session_n.id}", "/students", f"/students/{w.pupil_n.id}",
                "/my/sessions", "/classrooms", "/assessments", "/admin/users"):
        assert client.get(url).status_code in (403, 404), url
    page = client.get("/supervision").get_data(as_text=True)
    assert 'href="/supervision"' in page  # in the navigation


def test_pages_open_to_everyone_signed_in_show_a_supervisor_nothing_of_the_school(app, make, db):
    w = _world(make, db)
    make.subject("P1", teachers=[w.tutor_n], name="Secret algebra")
    make.login_session(w.pupil_n)
    client = _signed_in(app, w.supervisor)
    for url in ("/subjects", "/analytics", "/analytics/logins", "/announcements", f"/analytics/users/{w.pupil_n.id}"):
        response = client.get(url)
        text = response.get_data(as_text=True)
        assert response.status_code in (200, 404), url
        assert "Secret algebra" not in text and "Nina North" not in text, url


def test_admins_see_everything_and_choose_what_a_supervisor_oversees(app, make, db):
    w = _world(make, db)
    admin = make.user(role="ADMIN")
    client = _signed_in(app, admin)
    assert client.get(f"/supervision/sessions/{w.session_s.id}").status_code == 200
    assert "supervision-scope" in client.get(f"/admin/users/{w.supervisor.id}").get_data(as_text=True)
    panel = client.get(f"/admin/users/{w.supervisor.id}/supervision", headers={"HX-Request": "true"})
    assert panel.status_code == 200 and "North" in panel.get_data(as_text=True)

    response = client.post(f"/admin/users/{w.supervisor.id}/supervision", data={"centre_ids": [str(w.south.id)]},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert db.scalars(select(CentreMembership.centre_id).where(CentreMembership.user_id == w.supervisor.id)) == [w.south.id]
    assert db.count(AuditLog, AuditLog.action == "supervision.scope_changed") == 1
    supervisor = _signed_in(app, w.supervisor)
    assert supervisor.get(f"/supervision/students/{w.pupil_s.id}").status_code == 200
    assert supervisor.get(f"/supervision/students/{w.pupil_n.id}").status_code == 404

    client.post(f"/admin/users/{w.supervisor.id}/supervision", data={"whole": "1"})
    assert db.get(User, w.supervisor.id).supervises_all is True
    assert supervisor.get(f"/supervision/students/{w.pupil_n.id}").status_code == 200

    for bad in (["999999"], ["abc"], ["1" * 40]):
        response = client.post(f"/admin/users/{w.supervisor.id}/supervision", data={"centre_ids": bad},
                               headers={"HX-Request": "true"})
        assert response.status_code == 422 and "Choose centres from the list." in response.get_data(as_text=True)
    assert db.get(User, w.supervisor.id).supervises_all is True  # nothing changed
    response = client.post(f"/admin/users/{w.tutor_n.id}/supervision", data={"whole": "1"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and db.get(User, w.tutor_n.id).supervises_all is False


def test_changing_a_supervisors_role_drops_the_whole_organization(app, make, db):
    supervisor = make.user(role="SUPERVISOR", supervises_all=True)
    client = _signed_in(app, make.user(role="ADMIN"))
    client.post(f"/admin/users/{supervisor.id}/role", data={"role": "TEACHER"})
    changed = db.get(User, supervisor.id)
    assert changed.role == "TEACHER" and changed.supervises_all is False


def test_admins_invite_supervisors(app, make, db, outbox):
    from lms.auth.models import Invitation

    client = _signed_in(app, make.user(role="ADMIN"))
    page = client.get("/admin/invitations").get_data(as_text=True)
    assert 'value="SUPERVISOR"' in page
    client.post("/admin/invitations", data={"email": "boss@example.org", "role": "SUPERVISOR"})
    assert db.scalar(select(Invitation.role).where(Invitation.email == "boss@example.org")) == "SUPERVISOR"


# --- at-risk students ---------------------------------------------------------------------------


def _reasons(client, student) -> list[str]:
    """The reasons the dashboard gives for ``student`` (read from its at-risk export; the page shows them too)."""
    rows = [r for r in _csv(client.get("/supervision/at-risk.csv"))[1:] if r[0] == student.full_name]
    reasons = rows[0][2].split("; ") if rows else []
    page = html.unescape(client.get("/supervision").get_data(as_text=True))
    assert all(reason in page for reason in reasons)
    return reasons


def test_low_attendance_is_flagged_with_its_rate(app, make, db):
    w = _world(make, db)
    _marks(make, w.session_n, w.pupil_n, ["PRESENT", "ABSENT", "ABSENT", "ABSENT"], days_ago=1)
    assert _reasons(_signed_in(app, w.supervisor), w.pupil_n) == ["Attendance 25% over the last 4 weeks (below 75%)"]


def test_falling_attendance_is_flagged_with_before_and_after(app, make, db):
    w = _world(make, db)
    _marks(make, w.session_n, w.pupil_n, ["PRESENT", "ABSENT"], days_ago=2)        # last 2 weeks: 50%
    _marks(make, w.session_n, w.pupil_n, ["PRESENT", "PRESENT"], days_ago=16)      # 2-4 weeks ago
    _marks(make, w.session_n, w.pupil_n, ["PRESENT", "LATE"], days_ago=30)         # 4-6 weeks ago
    # Over the last 4 weeks it is 75%: not low, but falling from 100%.
    assert _reasons(_signed_in(app, w.supervisor), w.pupil_n) == ["Attendance 50% in the last 2 weeks, was 100%"]


def test_steady_good_attendance_is_not_flagged(app, make, db):
    w = _world(make, db)
    _marks(make, w.session_n, w.pupil_n, ["PRESENT", "LATE", "PRESENT", "EXCUSED"], days_ago=1)
    client = _signed_in(app, w.supervisor)
    assert _reasons(client, w.pupil_n) == []
    assert "No student needs attention right now." in client.get("/supervision").get_data(as_text=True)


def test_overdue_work_is_flagged_with_the_titles(app, make, db):
    w = _world(make, db)
    with db.ctx() as session:
        course_id = session.get(CourseSession, w.session_n.id).course_id
    now = utcnow()
    make.assessment(w.tutor_n, title="Fractions quiz", subject_id=course_id, publish=True, due_at=now - timedelta(days=2))
    make.assessment(w.tutor_n, title="Not yet due", subject_id=course_id, publish=True, due_at=now + timedelta(days=2))
    make.assessment(w.tutor_n, title="Long ago", subject_id=course_id, publish=True, due_at=now - timedelta(days=90))
    make.assessment(w.tutor_n, title="Draft", subject_id=course_id, due_at=now - timedelta(days=2))
    excused = make.assessment(w.tutor_n, title="Excused", subject_id=course_id, publish=True,
                              due_at=now - timedelta(days=3))
    make.excusal(excused, w.pupil_n)
    with db.ctx() as session:
        subject = session.get(Subject, course_id)
        session.expunge(subject)
    nodes = make.tree(subject, {"Unit 1": {"Part 1": ["Section 1", "Hidden section"]}})
    with db.ctx() as session:
        session.execute(update(Section).where(Section.id == nodes["Hidden section"]).values(published=False))
        session.commit()
    make.assessment(w.tutor_n, title="In a hidden section", section_id=nodes["Hidden section"], publish=True,
                    due_at=now - timedelta(days=2))
    make.assessment(w.tutor_n, title="In a section", section_id=nodes["Section 1"], publish=True,
                    due_at=now - timedelta(days=1))
    client = _signed_in(app, w.supervisor)
    reason = "2 overdue assessments: “Fractions quiz”, “In a section”"
    assert _reasons(client, w.pupil_n) == [reason]
    rows = _csv(client.get("/supervision/at-risk.csv"))
    assert rows[1] == ["Nina North", w.pupil_n.email, reason]


def _graded(make, db, student, owner, percents):
    """Graded results, oldest first, a day apart, ending yesterday."""
    from lms.assessments.models import Submission

    now = utcnow()
    for i, score in enumerate(percents):
        quiz = make.assessment(owner, title=f"Test {i}", publish=True)
        when = now - timedelta(days=len(percents) - i)
        with db.ctx() as session:
            session.add(Submission(assessment_id=quiz.id, student_id=student.id, attempt_number=1, status="GRADED",
                                   started_at=when, submitted_at=when, graded_at=when, final_score=score,
                                   max_score=100.0))
            session.commit()


def test_falling_grades_are_flagged_with_the_averages(app, make, db):
    w = _world(make, db)
    _graded(make, db, w.pupil_n, w.tutor_n, [90, 80, 85, 50, 60])
    assert _reasons(_signed_in(app, w.supervisor), w.pupil_n) == ["Latest grades average 55%, was 85%"]


def test_grades_that_hold_up_are_not_flagged(app, make, db):
    w = _world(make, db)
    _graded(make, db, w.pupil_n, w.tutor_n, [90, 80, 85, 75, 80])
    assert _reasons(_signed_in(app, w.supervisor), w.pupil_n) == []


def test_the_student_page_shows_the_reasons_the_weeks_and_the_grades(app, make, db):
    w = _world(make, db)
    _graded(make, db, w.pupil_n, w.tutor_n, [90, 80, 85, 50, 60])
    _marks(make, w.session_n, w.pupil_n, ["ABSENT", "ABSENT"], days_ago=1)
    page = _signed_in(app, w.supervisor).get(f"/supervision/students/{w.pupil_n.id}").get_data(as_text=True)
    assert "Latest grades average 55%, was 85%" in page and "Attendance 0% over the last 4 weeks (below 75%)" in page
    assert "Test 4" in page and "Nok Tutor" in page


# --- trends, today, workload, exports ---------------------------------------------------------------


def test_weekly_attendance_trend_figures_and_csv(app, make, db):
    from lms.core.localtime import local_today

    w = _world(make, db)
    # Marks this week (Monday at 03:00 UTC is already Monday in Bangkok), and two weeks ago.
    today = local_today()
    monday = utcnow().replace(hour=3, minute=0, second=0, microsecond=0) - timedelta(days=today.weekday())
    for i, status in enumerate(["PRESENT", "PRESENT", "LATE", "ABSENT"]):
        pupil = make.student()
        make.enrollment(w.session_n, pupil)
        meeting = make.meeting(w.session_n, starts_at=monday + timedelta(minutes=i), code="ABCD")
        make.attendance(meeting, pupil, status)
    meeting = make.meeting(w.session_n, starts_at=monday - 2 * WEEK, code="ABCD")
    make.attendance(meeting, w.pupil_n, "EXCUSED")
    client = _signed_in(app, w.supervisor)

    rows = _csv(client.get("/supervision/attendance.csv?weeks=3"))
    assert rows[0] == ["Centre", "Week from", "Week to", "Marks", "Present", "Late", "Excused", "Absent", "Attendance %"]
    this_week, last_week, before = rows[3], rows[2], rows[1]
    assert this_week[1] == (today - timedelta(days=today.weekday())).isoformat()
    assert this_week[3:] == ["4", "2", "1", "0", "1", "75"]
    assert last_week[3:] == ["0", "0", "0", "0", "0", ""]
    assert before[3:] == ["1", "0", "0", "1", "0", "0"]
    assert len(rows) == 4  # one centre: no per-centre rows
    page = client.get("/supervision?weeks=3").get_data(as_text=True)
    assert "Attendance over the last 3 weeks" in page and "<svg" in page
    session_page = client.get(f"/supervision/sessions/{w.session_n.id}?weeks=3").get_data(as_text=True)
    assert "75%" in session_page


def test_the_trend_is_split_per_centre_for_a_supervisor_of_several(app, make, db):
    w = _world(make, db)
    with db.ctx() as session:
        session.add(CentreMembership(centre_id=w.south.id, user_id=w.supervisor.id))
        session.commit()
    _marks(make, w.session_n, w.pupil_n, ["PRESENT"], days_ago=0)
    _marks(make, w.session_s, w.pupil_s, ["ABSENT"], days_ago=0)
    client = _signed_in(app, w.supervisor)
    rows = _csv(client.get("/supervision/attendance.csv?weeks=1"))
    assert [(r[0], r[3], r[8]) for r in rows[1:]] == [("All", "2", "50"), ("North", "1", "100"), ("South", "1", "0")]
    assert 'id="centre-trend"' in client.get("/supervision").get_data(as_text=True)


def test_todays_sessions_and_workload(app, make, db):
    w = _world(make, db)
    now = utcnow()
    running = make.meeting(w.session_n, starts_at=now - timedelta(minutes=30), minutes=90, code="ABCD")
    make.attendance(running, w.pupil_n, "PRESENT")
    make.meeting(w.session_s, starts_at=now - timedelta(minutes=30), code="ABCD")  # another centre's
    client = _signed_in(app, w.supervisor)
    rows = _csv(client.get("/supervision/today.csv"))
    assert rows[0][2:] == ["Teaching session", "Tutor", "Centre", "Room", "Mode", "Students", "Attendance marks",
                           "Running now"]
    assert [r[2:] for r in rows[1:]] == [["North maths", "Nok Tutor", "North", "", "Online", "1", "1", "Yes"]]
    page = client.get("/supervision").get_data(as_text=True)
    assert "Running now" in page and "attendance marked (1)" in page

    rows = _csv(client.get("/supervision/workload.csv"))
    assert rows[0] == ["Tutor", "Email", "Teaching sessions", "Students", "Hours this week", "Hours this month"]
    assert len(rows) == 2 and rows[1][0] == "Nok Tutor" and rows[1][2:4] == ["1", "1"]
    assert rows[1][4] == "1.5" or rows[1][5] == "1.5"  # a meeting started 30 minutes ago lasts 90 minutes


def test_the_dashboard_runs_the_same_queries_whatever_the_numbers(app, make, db, count_queries):
    w = _world(make, db)
    client = _signed_in(app, w.supervisor)

    made = []

    def grow(n):
        for _ in range(n):
            made.append(1)
            pupil = make.student()
            make.enrollment(w.session_n, pupil)
            meeting = make.meeting(w.session_n, starts_at=utcnow() - timedelta(hours=len(made)), code="ABCD")
            make.attendance(meeting, pupil, "ABSENT")
            tutor = make.user(role="TEACHER")
            other = make.course_session(tutor)
            _place(db, other, w.north)
            make.meeting(other, code="ABCD")

    grow(1)
    with count_queries() as few:
        assert client.get("/supervision").status_code == 200
    grow(4)
    with count_queries() as many:
        assert client.get("/supervision").status_code == 200
    assert many.count == few.count


# --- messaging a tutor ----------------------------------------------------------------------------


def test_messaging_a_tutor_notifies_that_tutor_only_escaped_and_audited(app, make, db):
    w = _world(make, db)
    other_tutor = make.user(role="TEACHER")
    client = _signed_in(app, w.supervisor)
    response = client.post(f"/supervision/students/{w.pupil_n.id}/message",
                           data={"text": "Please call <b>home</b> today"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Your message was sent to Nok Tutor." in response.get_data(as_text=True)
    notes = db.scalars(select(Notification))
    assert [(n.user_id, n.kind) for n in notes] == [(w.tutor_n.id, "supervisor_message")]
    assert notes[0].params["text"] == "Please call <b>home</b> today"
    assert db.count(AuditLog, AuditLog.action == "supervision.tutor_messaged") == 1
    assert other_tutor.id not in [n.user_id for n in notes]

    page = _signed_in(app, w.tutor_n).get("/notifications").get_data(as_text=True)
    assert "Suda Supervisor (supervisor) about Nina North: Please call &lt;b&gt;home&lt;/b&gt; today" in page


@pytest.mark.parametrize("text", ["", "   ", "x" * 1001])
def test_a_bad_message_is_refused_and_nothing_is_sent(app, make, db, text):
    w = _world(make, db)
    response = _signed_in(app, w.supervisor).post(f"/supervision/students/{w.pupil_n.id}/message",
                                                   data={"text": text}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert db.count(Notification) == 0


def test_a_student_without_a_tutor_in_scope_cannot_be_messaged_about(app, make, db):
    w = _world(make, db)
    loner = make.student(full_name="Lone Pupil")
    with db.ctx() as session:
        session.add(CentreMembership(centre_id=w.north.id, user_id=loner.id))
        session.commit()
    client = _signed_in(app, w.supervisor)
    assert "there is no tutor to message" in client.get(f"/supervision/students/{loner.id}").get_data(as_text=True)
    response = client.post(f"/supervision/students/{loner.id}/message", data={"text": "Hello"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and db.count(Notification) == 0


def test_the_dashboard_in_thai(app, make, db):
    w = _world(make, db)
    client = _signed_in(app, w.supervisor)
    client.post("/language", data={"locale": "th", "next": "/"})
    page = client.get("/supervision").get_data(as_text=True)
    assert "Students at risk" not in page and "Tutors' workload" not in page
    assert "นักเรียนที่ต้องติดตาม" in page and "ภาระงานของครูผู้สอน" in page
    _marks(make, w.session_n, w.pupil_n, ["ABSENT", "ABSENT"], days_ago=1)
    assert "การมาเรียน 0% ใน 4 สัปดาห์ล่าสุด (ต่ำกว่า 75%)" in client.get("/supervision").get_data(as_text=True)


# --- demo data ------------------------------------------------------------------------------------


def test_the_demo_supervisor_oversees_the_demo_centres(app, db, demo):
    supervisor_id = demo["supervisor@example.org"]
    assert db.get(User, supervisor_id).supervises_all is False
    assert sorted(db.scalars(select(CentreMembership.centre_id).where(CentreMembership.user_id == supervisor_id))) \
        == sorted(db.scalars(select(Centre.id)))
    client = app.test_client()
    client.post("/auth/login", data={"login": "supervisor@example.org", "password": "demo-pass-1234"})
    page = client.get("/supervision").get_data(as_text=True)
    assert "Maths Study Group" in page  # meets today, in person at the Sukhumvit centre


def test_without_centres_the_demo_supervisor_oversees_the_whole_organization(app, db):
    from lms.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
    from lms.extensions import db as sqla
    from lms.supervision.demo import seed_supervision

    with app.app_context():
        users = {}
        for email, name, role in DEMO_ACCOUNTS:
            user = User(email=email, full_name=name, role=role)
            user.set_password(DEMO_PASSWORD)
            sqla.session.add(user)
            users[email] = user
        sqla.session.flush()
        seed_supervision(users)
        sqla.session.commit()
        supervisor_id = users["supervisor@example.org"].id
        sqla.session.remove()
    assert db.get(User, supervisor_id).supervises_all is True


@pytest.mark.parametrize("weeks", ["abc", "0", "-1", "99999999999999999999", "٣", "53", "%00"])
def test_any_number_of_weeks_asked_for_gives_a_page(app, make, db, weeks):
    w = _world(make, db)
    client = _signed_in(app, w.supervisor)
    for url in ("/supervision", "/supervision/attendance.csv", f"/supervision/students/{w.pupil_n.id}",
                f"/supervision/sessions/{w.session_n.id}"):
        assert client.get(f"{url}?weeks={weeks}").status_code in (200, 400), url


def test_the_admin_home_counts_supervisors_once_there_are_some(app, make):
    admin = make.user(role="ADMIN")
    client = _signed_in(app, admin)
    assert 'data-role="SUPERVISOR"' not in client.get("/").get_data(as_text=True)
    make.user(role="SUPERVISOR")
    assert 'data-role="SUPERVISOR"' in client.get("/").get_data(as_text=True)


@pytest.fixture
def limited_app(app, database_url, redis_url):
    from lms import create_app
    from lms.extensions import limiter
    from tests.conftest import make_test_config

    limited = create_app(make_test_config(database_url, redis_url, RATELIMIT_ENABLED=True,
                                          SUPERVISOR_MESSAGE_LIMIT_PER_USER="2 per hour"))
    with limited.app_context():
        limiter.reset()
    yield limited
    with limited.app_context():
        limiter.reset()
    limiter.init_app(app)


def test_messages_to_tutors_are_rate_limited(limited_app, make, db):
    w = _world(make, db)
    client = _signed_in(limited_app, w.supervisor)
    url = f"/supervision/students/{w.pupil_n.id}/message"
    assert [client.post(url, data={"text": f"Note {i}"}).status_code for i in range(3)] == [303, 303, 429]
    assert db.count(Notification) == 2


def test_work_given_to_one_student_alone_counts_for_that_student_only(app, make, db):
    from lms.teaching.models import CourseSessionEnrollment

    w = _world(make, db)
    classmate = make.student(full_name="Cara Classmate")
    make.enrollment(w.session_n, classmate)
    own = make.assessment(w.tutor_n, title="Nina's extra practice", publish=True,
                          due_at=utcnow() - timedelta(days=1))  # in the bank: only given to Nina
    with db.ctx() as session:
        session.execute(update(CourseSessionEnrollment).where(CourseSessionEnrollment.student_id == w.pupil_n.id)
                        .values(assigned_assessment_id=own.id))
        session.commit()
    client = _signed_in(app, w.supervisor)
    assert _reasons(client, w.pupil_n) == ["1 overdue assessment: “Nina's extra practice”"]
    assert _reasons(client, classmate) == []
