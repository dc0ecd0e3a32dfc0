"""The home page of each role: what each card shows, who sees what, the htmx fragments, and a
fixed number of SQL statements whatever the amount of data."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from lms.auth.models import UserSession
from lms.common.types import utcnow
from lms.curriculum.models import SectionProgress, SectionVisit
from lms.demo import DEMO_PASSWORD
from tests.conftest import AuthActions
from tests.factories import ONE_OF_EACH

HX = {"HX-Request": "true"}
BANGKOK = ZoneInfo("Asia/Bangkok")
LONG = [ONE_OF_EACH[5]]  # a long answer: waits for hand grading


def today_at(hour: int, minute: int = 0) -> datetime:
    """Today (the test school's calendar) at a local time, as UTC."""
    local_today = datetime.now(BANGKOK).date()
    return datetime.combine(local_today, time(hour, minute), tzinfo=BANGKOK).astimezone(UTC)


def card(html: str, card_id: str) -> str:
    start = html.index(f'id="{card_id}"')
    return html[start:html.index("</article>", start)]


def sign_in(client, user):
    AuthActions(client).login(user)


@pytest.fixture
def school(make):
    """P1/1 with its homeroom teacher, a published Mathematics P1 tree and one student."""
    make.school()
    teacher = make.teacher("P1/1", full_name="Tess Teacher")
    student = make.student("P1/1", full_name="Sid Student")
    subject = make.subject("P1", teachers=[teacher])
    nodes = make.tree(subject, {"Numbers": {"Counting": ["Ones", "Tens", "Hundreds"]}})
    return {"teacher": teacher, "student": student, "subject": subject, "nodes": nodes}


# --- acceptance: who is online now ----------------------------------------------------------------------


def test_admin_home_shows_a_student_online_after_they_ping_and_not_after_the_timeout(app, demo, db):
    student_browser, admin_browser = app.test_client(), app.test_client()
    AuthActions(student_browser).login("student@example.org", DEMO_PASSWORD)
    assert student_browser.post("/api/session/ping").status_code == 204
    AuthActions(admin_browser).login("admin@example.org", DEMO_PASSWORD)
    online = card(admin_browser.get("/").get_data(as_text=True), "online-now")
    assert "Sam Student" in online
    # The card refreshes itself through htmx every minute.
    assert 'hx-get="/home/online"' in online and 'hx-trigger="every 60s"' in online
    student_id = demo["student@example.org"]
    with db.ctx() as session:
        session.execute(update(UserSession).where(UserSession.user_id == student_id)
                        .values(started_at=utcnow() - timedelta(hours=1),
                                last_active_at=utcnow() - timedelta(minutes=11)))  # timeout: 10 minutes
        session.commit()
    fragment = admin_browser.get("/home/online", headers=HX)
    assert fragment.status_code == 200
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<article id="online-now"') and "<html" not in body
    assert "Sam Student" not in body and "Ada Admin" in body
    assert "Sam Student" not in card(admin_browser.get("/").get_data(as_text=True), "online-now")


def test_online_card_is_admin_only_and_a_plain_request_goes_home(client, as_role):
    as_role("TEACHER")
    assert client.get("/home/online", headers=HX).status_code == 403
    client.post("/auth/logout")
    as_role("ADMIN")
    assert client.get("/home/online").status_code == 302


# --- admin ------------------------------------------------------------------------------------------


def test_admin_home_counts_people_and_lists_meetings_and_audit_events(client, make, as_role, school, db):
    signed_in = make.student("P1/1", full_name="Signed In", last_login_at=utcnow())
    make.student("P1/1", full_name="Gone Away", active=False)
    make.parent_of(signed_in)
    make.invitation(email="new-kid@example.org", role="STUDENT")
    make.invitation(email="old-kid@example.org", role="STUDENT", expires_in_days=-1)  # expired: not counted
    other_teacher = make.teacher("P1/1", role="SUBJECT", full_name="Otto Other")
    session_a = make.course_session(school["teacher"], school["subject"], name="Club A")
    session_b = make.course_session(other_teacher, make.subject("P1", name="Art P1", teachers=[other_teacher]),
                                    name="Club B")
    make.meeting(session_a, starts_at=today_at(12))
    make.meeting(session_b, starts_at=today_at(13))
    make.meeting(session_b, starts_at=today_at(12) + timedelta(days=2))  # not today
    as_role("ADMIN")
    html = client.get("/").get_data(as_text=True)
    people = card(html, "people-counts")
    students = people[people.index('data-role="STUDENT"'):people.index('data-role="TEACHER"')]
    assert 'data-count="accounts">3<' in students  # Sid, Signed In, Gone Away
    assert "1 signed in" in students and "1 never signed in" in students and "1 deactivated" in students
    assert "1 invited" in students
    meetings = card(html, "today-meetings")
    assert "Club A" in meetings and "Club B" in meetings and "Otto Other" in meetings
    assert meetings.count("<li>") == 2
    assert "/admin/audit" in card(html, "recent-audit")
    for link in ("/admin/invitations", "/classrooms", "/students/import", "/announcements/new"):
        assert f'href="{link}"' in html


def test_recent_audit_shows_the_last_ten_events_newest_first(client, make, as_role, db):
    from lms.audit.models import AuditLog

    make.school()
    with db.ctx() as session:
        for i in range(12):
            session.add(AuditLog(action=f"thing.{i:02d}", created_at=utcnow() - timedelta(minutes=60 - i)))
        session.commit()
    as_role("ADMIN")
    audit = card(client.get("/").get_data(as_text=True), "recent-audit")
    assert audit.count("<li>") == 10
    # Codes without a label are humanised, as on the audit log page.
    assert audit.index("Thing: 11") < audit.index("Thing: 10") and "Thing: 01" not in audit


def test_recent_audit_shows_labels_names_and_readable_targets_not_codes(client, make, as_role, db):
    from lms.audit.models import AuditLog
    from lms.audit.reading import action_label

    student = make.student("P1/1", full_name="Somchai Dee")
    admin = make.user(role="ADMIN", full_name="Anna Admin")
    with db.ctx() as session:
        session.add(AuditLog(action="user.deactivated", actor_id=admin.id, entity_type="User", entity_id=student.id,
                             details={}))
        session.commit()
    as_role("ADMIN")
    audit = card(client.get("/").get_data(as_text=True), "recent-audit")
    with client.application.test_request_context():
        label = str(action_label("user.deactivated"))
    assert label != "user.deactivated" and label in audit
    assert "Somchai Dee" in audit and "Anna Admin" in audit
    assert "<code>" not in audit and "user.deactivated" not in audit
    assert f"User #{student.id}" not in audit


def test_rollover_shortcut_only_at_the_end_of_the_school_year(app):
    from datetime import date

    from lms.home.services import show_rollover

    assert show_rollover(date(2026, 3, 20)) and show_rollover(date(2026, 5, 1))
    assert not show_rollover(date(2026, 9, 1))


# --- teacher ----------------------------------------------------------------------------------------


def test_teacher_home_classes_grading_queue_meetings_and_submissions(client, make, school, db):
    teacher, student, nodes = school["teacher"], school["student"], school["nodes"]
    make.students(3, "P1/1")
    make.classroom("P2/1")
    essay = make.assessment(teacher, title="Essay", questions=LONG, section_id=nodes["Tens"], publish=True)
    quiz = make.assessment(teacher, title="Quick quiz", section_id=nodes["Ones"], publish=True)
    make.attempt(student, essay, {0: ["I counted."]})  # waits for grading
    make.attempt(student, quiz, {0: ["1"]})  # scored at once
    others = make.teacher("P2/1", full_name="Other Teacher")
    hidden = make.assessment(others, title="Not mine", questions=LONG, publish=True,
                             subject_id=make.subject("P2", teachers=[others]).id)
    mine = make.course_session(teacher, school["subject"], name="Tens club", attendance_tracking_enabled=True)
    meeting = make.meeting(mine, starts_at=today_at(9), code="K7QM")
    theirs = make.course_session(others, name="Their club")
    make.meeting(theirs, starts_at=today_at(10))
    sign_in(client, teacher)
    html = client.get("/").get_data(as_text=True)
    classes = card(html, "my-classes")
    assert "P1/1" in classes and "4 students" in classes and "P2/1" not in classes
    queue = card(html, "grading-queue")
    assert 'data-to-grade="1"' in queue and 'href="/submissions?status=SUBMITTED"' in queue
    meetings = card(html, "today-meetings")
    assert "Tens club" in meetings and "K7QM" in meetings and "Their club" not in meetings
    assert f'href="/sessions/{mine.id}/meetings/{meeting.id}"' in meetings
    submissions = card(html, "recent-submissions")
    assert "Essay" in submissions and "Quick quiz" in submissions and "Sid Student" in submissions
    assert "Not mine" not in submissions and hidden.id
    assert "Waiting for grading" in submissions


# --- student ----------------------------------------------------------------------------------------


def test_student_due_soon_lists_unsubmitted_work_and_late_work_still_accepted(client, make, school):
    teacher, student, nodes = school["teacher"], school["student"], school["nodes"]
    now = utcnow()
    section = nodes["Tens"]

    def quiz(title, due, **settings):
        return make.assessment(teacher, title=title, section_id=section, publish=settings.pop("publish", True),
                               due_at=now + due, **settings)

    quiz("Due in two days", timedelta(days=2))
    done = quiz("Already handed in", timedelta(days=2))
    make.attempt(student, done, {0: ["1"]})
    quiz("Due next month", timedelta(days=30))
    quiz("Late but accepted", timedelta(days=-1), late_policy="ACCEPT")
    quiz("Late and refused", timedelta(days=-1))
    excused = quiz("Excused", timedelta(days=1))
    make.excusal(excused, student)
    quiz("A draft", timedelta(days=1), publish=False)
    started = quiz("Started", timedelta(days=3))
    make.attempt(student, started, submit=False)
    sign_in(client, student)
    due = card(client.get("/").get_data(as_text=True), "due-soon")
    assert "Due in two days" in due and "Late but accepted" in due and "Started" in due
    for hidden in ("Already handed in", "Due next month", "Late and refused", "Excused", "A draft"):
        assert hidden not in due, hidden
    assert due.index("Late but accepted") < due.index("Due in two days") < due.index("Started")
    assert "started" in due and "/take" in due


def test_continue_where_i_stopped_follows_the_sections_the_student_opens(client, make, school, db):
    student, nodes = school["student"], school["nodes"]
    sign_in(client, student)
    # Nothing opened yet: the first section of their subject.
    box = card(client.get("/").get_data(as_text=True), "continue")
    assert f'href="/sections/{nodes["Ones"]}"' in box and "0 of 3 sections done" in box
    # Opening a section records it (one row per student and section, updated on each open).
    assert client.get(f"/sections/{nodes['Hundreds']}").status_code == 200
    assert client.get(f"/sections/{nodes['Hundreds']}").status_code == 200
    assert db.count(SectionVisit, SectionVisit.student_id == student.id) == 1
    box = card(client.get("/").get_data(as_text=True), "continue")
    assert f'href="/sections/{nodes["Hundreds"]}"' in box
    # Once it is done: the first section of that subject not done yet.
    client.post(f"/sections/{nodes['Hundreds']}/done", data={"done": "1"})
    client.post(f"/sections/{nodes['Ones']}/done", data={"done": "1"})
    box = card(client.get("/").get_data(as_text=True), "continue")
    assert f'href="/sections/{nodes["Tens"]}"' in box and "2 of 3 sections done" in box
    client.post(f"/sections/{nodes['Tens']}/done", data={"done": "1"})
    box = card(client.get("/").get_data(as_text=True), "continue")
    assert "You have done every section of Mathematics P1." in box
    assert db.count(SectionProgress, SectionProgress.student_id == student.id) == 3


def test_continue_starts_in_the_first_subject_that_has_something_to_read(client, make, school):
    student = school["student"]
    art = make.subject("P1", core="Art", name="Art P1")  # first by name, but nothing published in it
    make.tree(art, {"Colours": {"Mixing": ["Red and blue"]}}, published=False)
    sign_in(client, student)
    box = card(client.get("/").get_data(as_text=True), "continue")
    assert f'href="/sections/{school["nodes"]["Ones"]}"' in box and "Art P1" not in box


def test_continue_skips_a_section_no_longer_published(client, make, school, db):
    from lms.curriculum.models import Section

    student, nodes = school["student"], school["nodes"]
    make.section_visit(student, nodes["Tens"])
    with db.ctx() as session:
        session.execute(update(Section).where(Section.id == nodes["Tens"]).values(published=False))
        session.commit()
    sign_in(client, student)
    box = card(client.get("/").get_data(as_text=True), "continue")
    assert f'/sections/{nodes["Tens"]}"' not in box and f'href="/sections/{nodes["Ones"]}"' in box


def test_staff_opening_a_section_records_no_visit(client, school, db):
    sign_in(client, school["teacher"])
    assert client.get(f"/sections/{school['nodes']['Ones']}").status_code == 200
    assert db.count(SectionVisit) == 0


def test_student_home_announcements_and_teaching_sessions_with_check_in(client, make, school):
    student = school["student"]
    make.announcement(title="Sports day", classroom="P1/1", target_kind="CLASSROOM")
    make.announcement(title="Read already", people=[student], target_kind="PEOPLE")
    club = make.course_session(school["teacher"], school["subject"], name="Counting club",
                               attendance_tracking_enabled=True)
    make.enrollment(club, student)
    make.meeting(club, starts_at=utcnow() - timedelta(minutes=5), code="Q4RT")
    quiet = make.course_session(school["teacher"], school["subject"], name="Quiet club")
    make.enrollment(quiet, student)
    make.enrollment(make.course_session(school["teacher"], school["subject"], name="Left club"), student,
                    status="DROPPED")
    sign_in(client, student)
    client.get("/announcements")  # nothing read by listing
    html = client.get("/").get_data(as_text=True)
    news = card(html, "my-announcements")
    assert "Sports day" in news and "2 new" in news
    sessions = card(html, "my-teaching-sessions")
    assert "Counting club" in sessions and "Quiet club" in sessions and "Left club" not in sessions
    assert f'action="/my/sessions/{club.id}/check-in"' in sessions and 'name="code"' in sessions
    assert sessions.count("check-in") == 1  # the quiet club has no meeting now
    # Checking in from the home page, then the mark shows instead of the form.
    response = client.post(f"/my/sessions/{club.id}/check-in", data={"code": "q4rt"})
    assert response.status_code == 303
    sessions = card(client.get("/").get_data(as_text=True), "my-teaching-sessions")
    assert "Present" in sessions and 'name="code"' not in sessions


# --- parent -----------------------------------------------------------------------------------------


@pytest.fixture
def family(make, school):
    first = school["student"]
    second = make.student("P1/1", full_name="Second Sibling")
    parent = make.parent_of(first, second, full_name="Pam Parent")
    return {**school, "first": first, "second": second, "parent": parent}


def test_parent_home_shows_each_childs_grades_attendance_and_due_work(client, make, family):
    teacher, first, nodes = family["teacher"], family["first"], family["nodes"]
    now = utcnow()
    graded = make.assessment(teacher, title="Counting quiz", section_id=nodes["Ones"], publish=True)
    make.attempt(first, graded, {0: ["1"]})  # right: 100%
    secret = make.assessment(teacher, title="Secret score", section_id=nodes["Ones"], publish=True,
                             results_visibility="NEVER")
    make.attempt(first, secret, {0: ["1"]})
    make.assessment(teacher, title="Missing homework", section_id=nodes["Tens"], publish=True,
                    due_at=now - timedelta(days=2))
    make.assessment(teacher, title="Due Friday", section_id=nodes["Tens"], publish=True, due_at=now + timedelta(days=3))
    club = make.course_session(teacher, family["subject"], name="Club", attendance_tracking_enabled=True)
    make.enrollment(club, first)
    month_start = datetime.now(BANGKOK).date().replace(day=1)
    first_meeting = make.meeting(club, starts_at=datetime.combine(month_start, time(9), tzinfo=BANGKOK)
                                 .astimezone(UTC), code="AAAA")
    second_meeting = make.meeting(club, starts_at=datetime.combine(month_start, time(14), tzinfo=BANGKOK)
                                  .astimezone(UTC), code="BBBB")
    make.attendance(first_meeting, first, "PRESENT")
    make.attendance(second_meeting, first, "ABSENT")
    sign_in(client, family["parent"])
    html = client.get(f"/?child={first.id}").get_data(as_text=True)
    assert 'class="child-tabs"' in html and "Second Sibling" in html
    panel = html[html.index('id="child-panel"'):]
    assert "Sid Student" in panel[:400]
    grades = card(panel, "child-grades")
    assert "Counting quiz" in grades and "100%" in grades
    secret_row = grades[grades.index("Secret score"):]
    secret_row = secret_row[:secret_row.index("</li>")]
    assert "graded" in secret_row and "%" not in secret_row
    attendance = card(panel, "child-attendance")
    assert 'data-attendance-rate="50"' in attendance and "Last absences" in attendance
    due = card(panel, "child-due")
    assert "Missing homework" in due and "missing" in due and "Due Friday" in due
    assert "/take" not in due  # parents do not take assessments
    # The second child (the first by name, so the default): nothing yet.
    other = client.get("/").get_data(as_text=True)
    panel = other[other.index('id="child-panel"'):]
    assert f'data-child-id="{family["second"].id}"' in panel[:200]
    assert "Second Sibling" in panel[:400] and "Counting quiz" not in panel
    assert "No attendance recorded this month." in panel


def test_parent_switcher_answers_the_fragment_to_htmx_and_404_for_someone_elses_child(client, make, family):
    stranger = make.student("P1/1", full_name="Not Their Child")
    sign_in(client, family["parent"])
    fragment = client.get(f"/?child={family['second'].id}", headers=HX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<div id="parent-home">')
    assert f'data-child-id="{family["second"].id}" aria-current="page"' in body
    assert 'hx-push-url="true"' in body
    assert client.get(f"/?child={stranger.id}").status_code == 404
    assert client.get("/?child=abc").status_code == 404


def test_parent_without_children_is_told_to_ask_the_school(client, as_role):
    as_role("PARENT")
    assert "No child is linked to your account yet" in client.get("/").get_data(as_text=True)


# --- a fixed number of SQL statements ---------------------------------------------------------------


def _count(client, count_queries, url="/") -> int:
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def _admin_world(make, n, school):
    students = make.students(n, "P1/1")
    for s in students:
        make.login_session(s, started_at=utcnow() - timedelta(minutes=5), last_active_at=utcnow())
    for i in range(n):
        club = make.course_session(school["teacher"], school["subject"], name=f"Club {n}-{i}")
        make.meeting(club, starts_at=today_at(8) + timedelta(minutes=i))
        make.invitation(email=f"invitee-{n}-{i}@example.org", role="PARENT")


def test_admin_home_statement_count_does_not_grow(client, make, as_role, school, count_queries):
    as_role("ADMIN")
    _admin_world(make, 2, school)
    small = _count(client, count_queries)
    _admin_world(make, 12, school)
    assert _count(client, count_queries) == small


def _teacher_world(make, n, school):
    for i in range(n):
        student = make.student("P1/1")
        quiz = make.assessment(school["teacher"], title=f"Essay {n}-{i}", questions=LONG,
                               section_id=school["nodes"]["Tens"], publish=True)
        make.attempt(student, quiz, {0: ["text"]})
        club = make.course_session(school["teacher"], school["subject"], name=f"Club {n}-{i}")
        make.meeting(club, starts_at=today_at(8) + timedelta(minutes=i))
        make.classroom(f"P{(i % 5) + 2}/1")


def test_teacher_home_statement_count_does_not_grow(client, make, school, count_queries):
    sign_in(client, school["teacher"])
    _teacher_world(make, 2, school)
    small = _count(client, count_queries)
    _teacher_world(make, 8, school)
    assert _count(client, count_queries) == small


def _student_world(make, n, school):
    student, teacher = school["student"], school["teacher"]
    for i in range(n):
        quiz = make.assessment(teacher, title=f"Due {n}-{i}", section_id=school["nodes"]["Ones"], publish=True,
                               due_at=utcnow() + timedelta(days=1, minutes=i))
        if i % 2:
            make.attempt(student, quiz, submit=False)
        make.announcement(title=f"News {n}-{i}", classroom="P1/1", target_kind="CLASSROOM")
        club = make.course_session(teacher, school["subject"], name=f"Club {n}-{i}", attendance_tracking_enabled=True)
        make.enrollment(club, student)
        make.meeting(club, starts_at=utcnow() - timedelta(minutes=5))
    for section in (("Ones", "Tens") if n == 2 else ("Hundreds",)):
        make.section_visit(student, school["nodes"][section], at=utcnow() - timedelta(minutes=n))


def test_student_home_statement_count_does_not_grow(client, make, school, count_queries):
    sign_in(client, school["student"])
    _student_world(make, 2, school)
    small = _count(client, count_queries)
    _student_world(make, 10, school)
    assert _count(client, count_queries) == small


def _parent_world(make, n, family):
    first, teacher = family["first"], family["teacher"]
    club = make.course_session(teacher, family["subject"], name=f"Club {n}", attendance_tracking_enabled=True)
    make.enrollment(club, first)
    month_start = datetime.now(BANGKOK).date().replace(day=1)
    for i in range(n):
        graded = make.assessment(teacher, title=f"Quiz {n}-{i}", section_id=family["nodes"]["Ones"], publish=True)
        make.attempt(first, graded, {0: ["1"]})
        make.assessment(teacher, title=f"Missing {n}-{i}", section_id=family["nodes"]["Tens"], publish=True,
                        due_at=utcnow() - timedelta(days=1, minutes=i))
        meeting = make.meeting(club, starts_at=datetime.combine(month_start, time(8), tzinfo=BANGKOK)
                               .astimezone(UTC) + timedelta(minutes=61 * i))
        make.attendance(meeting, first, "ABSENT" if i % 2 else "PRESENT")


def test_parent_home_statement_count_does_not_grow(client, make, family, count_queries):
    sign_in(client, family["parent"])
    _parent_world(make, 2, family)
    small = _count(client, count_queries)
    fragment_small = _count(client, count_queries, f"/?child={family['first'].id}")
    _parent_world(make, 10, family)
    assert _count(client, count_queries) == small
    assert _count(client, count_queries, f"/?child={family['first'].id}") == fragment_small


# --- navigation ------------------------------------------------------------------------------------


def _nav(html: str) -> str:
    start = html.index('<nav class="container site-nav"')
    return html[start:html.index("</nav>", start)]


def test_admin_navigation_is_grouped_into_dropdowns(client, as_role):
    as_role("ADMIN")
    nav = _nav(client.get("/students").get_data(as_text=True))
    wide = nav[nav.index('class="nav-links nav-wide"'):]
    school = wide[wide.index('data-nav-group="school"'):]
    school = school[:school.index("</details>")]
    for label in ("Classrooms", "Students", "Staff", "Subjects", "Resources"):
        assert f">{label}</a>" in school
    assert '<summary class="nav-current">School</summary>' in school  # /students is inside it
    assert 'href="/students" aria-current="page"' in school
    admin = wide[wide.index('data-nav-group="admin"'):]
    admin = admin[:admin.index("</details>")]
    for label in ("Users", "Invitations", "Audit log", "Organization"):
        assert f">{label}</a>" in admin
    top = wide.split("<details")[0] + "".join(part.split("</details>", 1)[-1] for part in wide.split("<details")[1:])
    for label in ("Announcements", "Teaching sessions", "Analytics"):
        assert f">{label}</a>" in top
    # The phone menu has the same links, under the groups' headings.
    menu = nav[nav.index('class="dropdown site-menu"'):nav.index('class="nav-links nav-wide"')]
    assert '<li class="menu-heading" dir="ltr">School</li>' in menu and ">Organization</a>" in menu
    assert ">Sign out</button>" in menu


def test_students_and_parents_keep_plain_links(client, as_role):
    as_role("STUDENT")
    nav = _nav(client.get("/").get_data(as_text=True))
    assert "nav-group" not in nav and ">Subjects</a>" in nav and ">Assessments</a>" in nav


def test_a_group_with_one_visible_link_is_shown_as_that_link(app, monkeypatch):
    from flask_login import AnonymousUserMixin

    from lms.common import navigation

    monkeypatch.setattr(navigation, "_ITEMS", {})
    monkeypatch.setattr(navigation, "_GROUPS", {})
    navigation.nav_group("g", "Group", "ADMIN", order=10)
    navigation.nav_item("curriculum.subjects.index", "Subjects", "ADMIN", "STUDENT", order=20, group="g")
    navigation.nav_item("auth.users.index", "Users", "ADMIN", order=30, group="g")
    navigation.nav_item("communication.announcements.index", "News", "ADMIN", "STUDENT", order=5)
    navigation.nav_item("no.such_endpoint", "Ghost", "ADMIN", order=1, group="g")

    class Fake(AnonymousUserMixin):
        is_authenticated = True

        def __init__(self, role):
            self.role = role

    with app.test_request_context("/admin/users"):
        admin = navigation.nav_for(Fake("ADMIN"))
        student = navigation.nav_for(Fake("STUDENT"))
    assert [e["kind"] for e in admin] == ["item", "group"]
    assert [i["label"] for i in admin[1]["items"]] == ["Subjects", "Users"] and admin[1]["current"]
    assert [(e["kind"], e["label"]) for e in student] == [("item", "News"), ("item", "Subjects")]
    with app.test_request_context("/"):
        monkeypatch.setitem(navigation._ITEMS, "auth.users.index",
                            navigation.NavItem("auth.users.index", "Users", frozenset({"PARENT"}), 30, "g"))
        solo = navigation.nav_for(Fake("ADMIN"))
    assert [(e["kind"], e["label"]) for e in solo] == [("item", "News"), ("item", "Subjects")]
