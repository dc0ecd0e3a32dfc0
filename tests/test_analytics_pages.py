"""Login analytics pages: the school overview, the login-session list, a person, a classroom."""

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lms.common.types import utcnow
from lms.demo import DEMO_PASSWORD
from tests.conftest import AuthActions

BANGKOK = ZoneInfo("Asia/Bangkok")


def today() -> date:
    return datetime.now(BANGKOK).date()


def local(days_ago: int, hour: int, minute: int = 0) -> datetime:
    """An aware UTC instant: ``hour:minute`` in Bangkok, ``days_ago`` days before today."""
    return datetime.combine(today() - timedelta(days=days_ago), time(hour, minute), tzinfo=BANGKOK).astimezone(UTC)


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff"), "CSV must start with a BOM (Excel and Thai)"
    return list(csv.reader(io.StringIO(text[1:])))


def by_date(rows) -> dict[str, list[str]]:
    return {row[0]: row for row in rows[1:]}


# --- the overview ---------------------------------------------------------------------------------


def test_overview_counts_active_users_logins_and_minutes_per_local_day(client, as_role, make):
    make.school()
    a, b = make.student("P1/1"), make.student("P1/1")
    # 00:30 in Bangkok is the previous day in UTC: it must count on the local day.
    make.login_sessions(a, [local(1, 0, 30), local(1, 9, 0)], minutes=30)
    make.login_sessions(b, [local(1, 10, 0)], minutes=60)
    make.login_sessions(b, [local(3, 20, 0)], minutes=15)
    make.login_sessions(b, [local(45, 10, 0)], minutes=60)  # before the default 30 days
    as_role("ADMIN")
    rows = read_csv(client.get("/analytics/export.csv"))
    assert rows[0] == ["Date", "Active users", "Logins", "Minutes online"]
    assert len(rows) == 1 + 30  # the last 30 days, today included
    days = by_date(rows)
    assert days[(today() - timedelta(days=1)).isoformat()][1:] == ["2", "3", "120"]
    assert days[(today() - timedelta(days=3)).isoformat()][1:] == ["1", "1", "15"]
    assert days[(today() - timedelta(days=2)).isoformat()][1:] == ["0", "0", "0"]

    page = client.get("/analytics?role=STUDENT").get_data(as_text=True)  # not the admin's own login
    assert re.search(r'data-stat="active">2<', page)
    assert re.search(r'data-stat="logins">4<', page)
    assert re.search(r'data-stat="time">2 h 15 min<', page)
    assert "<svg" in page and 'id="dau-chart-title"' in page and 'id="dau-chart-desc"' in page
    assert "style=" not in page


def test_online_now_is_open_sessions_with_a_recent_heartbeat(client, as_role, make):
    make.school()
    here, gone = make.student("P1/1", full_name="Here Now"), make.student("P1/1", full_name="Gone Quiet")
    now = utcnow()
    make.login_session(here, started_at=now - timedelta(minutes=30), last_active_at=now - timedelta(minutes=1))
    make.login_session(gone, started_at=now - timedelta(minutes=50), last_active_at=now - timedelta(minutes=20))
    as_role("ADMIN")
    page = client.get("/analytics?role=STUDENT").get_data(as_text=True)
    assert re.search(r'data-stat="online">1<', page)
    online = page.split("Online now</h2>")[1].split("</section>")[0]
    assert "Here Now" in online and "Gone Quiet" not in online


def test_date_range_filter_and_clear_messages_for_bad_dates(client, as_role, make):
    make.school()
    student = make.student("P1/1")
    make.login_sessions(student, [local(45, 10)], minutes=20)
    as_role("ADMIN")
    start, end = today() - timedelta(days=50), today() - timedelta(days=40)
    rows = read_csv(client.get(f"/analytics/export.csv?from={start}&to={end}"))
    assert len(rows) == 1 + 11 and by_date(rows)[(today() - timedelta(days=45)).isoformat()][1:] == ["1", "1", "20"]
    swapped = client.get(f"/analytics?from={end}&to={start}").get_data(as_text=True)
    assert "The start date was after the end date; they have been swapped." in swapped
    bad = client.get("/analytics?from=31/02/2026").get_data(as_text=True)
    assert "Dates must look like 2026-03-31; showing the last 30 days." in bad


def test_every_change_to_the_asked_date_range_is_said_on_the_page(client, as_role, make):
    make.school()
    as_role("ADMIN")
    end, start = today() - timedelta(days=10), today() - timedelta(days=10 + 500)
    page = client.get(f"/analytics?from={end}&to={start}").get_data(as_text=True)  # reversed and too long
    assert "The start date was after the end date; they have been swapped." in page
    assert "A range can cover at most 366 days; showing the last 366 days of it." in page
    shown_from = end - timedelta(days=365)
    assert f"Showing {shown_from} to {end}." in page
    assert f'name="from" value="{shown_from}"' in page and f'name="to" value="{end}"' in page


def test_overview_of_a_teacher_covers_only_their_students(client, auth, make):
    make.school()
    teacher = make.teacher("P1/1")
    mine, other = make.student("P1/1", full_name="Mine Student"), make.student("P2/1", full_name="Other Student")
    make.login_sessions(mine, [local(2, 9)], minutes=10)
    make.login_sessions(other, [local(2, 9)], minutes=10)
    auth.login(teacher)
    page = client.get("/analytics").get_data(as_text=True)
    assert "Mine Student" in page and "Other Student" not in page
    assert re.search(r'data-stat="active">1<', page)


def test_overview_fragment_for_htmx(client, as_role, make):
    make.school()
    as_role("ADMIN")
    response = client.get("/analytics?role=STUDENT", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<div id="analytics-overview">')
    assert "<html" not in body


# --- the login-session list -------------------------------------------------------------------


def test_login_session_list_filters_and_shows_ip_to_admins_only(client, auth, make):
    make.school()
    teacher = make.teacher("P1/1")
    anna, bert = make.student("P1/1", full_name="Anna Apple"), make.student("P1/2", full_name="Bert Berry")
    make.login_sessions(anna, [local(2, 8)], minutes=25, ip="203.0.113.7")
    make.login_sessions(bert, [local(2, 9)], minutes=5)
    make.login_sessions(anna, [local(60, 8)], minutes=5)  # outside the range
    admin = make.user(role="ADMIN")
    auth.login(admin)
    page = client.get("/analytics/logins").get_data(as_text=True)
    assert "Anna Apple" in page and "Bert Berry" in page and "203.0.113.7" in page and "IP address" in page
    assert page.count("Anna Apple") == 1
    assert "Bert Berry" not in client.get("/analytics/logins?q=apple").get_data(as_text=True)
    room = make.classroom("P1/2")
    filtered = client.get(f"/analytics/logins?classroom={room.id}").get_data(as_text=True)
    assert "Bert Berry" in filtered and "Anna Apple" not in filtered
    assert "Anna Apple" not in client.get("/analytics/logins?role=TEACHER").get_data(as_text=True)
    auth.logout()
    auth.login(teacher)
    page = client.get("/analytics/logins").get_data(as_text=True)
    assert "Anna Apple" in page and "Bert Berry" not in page
    assert "203.0.113.7" not in page and "IP address" not in page


def test_login_session_list_paginates_and_exports_the_filtered_rows(client, as_role, make):
    make.school()
    student = make.student("P1/1", full_name="สมชาย ใจดี")
    make.login_sessions(student, [local(1, 6) + timedelta(minutes=i) for i in range(60)], minutes=1)
    as_role("ADMIN")
    first = client.get("/analytics/logins?role=STUDENT").get_data(as_text=True)
    assert "Page 1 of 2" in first and "60 results" in first
    assert "Page 2 of 2" in client.get("/analytics/logins?role=STUDENT&page=2").get_data(as_text=True)
    rows = read_csv(client.get("/analytics/logins.csv?role=STUDENT"))
    assert rows[0][:4] == ["Name", "Email", "Role", "Started"] and rows[0][-1] == "IP address"
    assert len(rows) == 61 and rows[1][0] == "สมชาย ใจดี" and rows[1][6] == "1"
    assert rows[-1][3] == f"{today() - timedelta(days=1)} 06:00:00"  # local time, oldest last


def test_login_session_list_query_count_does_not_grow(client, as_role, make, count_queries):
    make.school()
    few, many = make.student("P1/1"), make.student("P1/2")
    make.login_sessions(few, [local(1, 8)], minutes=5)
    make.login_sessions(many, [local(2, 6) + timedelta(minutes=i) for i in range(45)], minutes=1)
    as_role("ADMIN")
    counts = []
    for user in (few, many):
        with count_queries() as counter:
            assert client.get(f"/analytics/logins?q={user.email}").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


# --- one person ------------------------------------------------------------------------------------


def test_user_page_per_day_per_week_heatmap_and_sessions(client, auth, make):
    make.school()
    student = make.student("P1/1", full_name="Heat Map")
    starts = [local(1, 8), local(1, 8, 30), local(8, 8, 10), local(2, 19)]
    make.login_sessions(student, starts, minutes=20)
    auth.login(make.teacher("P1/1"))
    response = client.get(f"/analytics/users/{student.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1>Heat Map</h1>" in page
    assert re.search(r'data-stat="logins">4<', page) and re.search(r'data-stat="time">1 h 20 min<', page)
    assert 'id="login-heatmap-title">Logins by weekday and hour</title>' in page
    assert "<desc id=\"login-heatmap-desc\">" in page and "style=" not in page
    weekday = (today() - timedelta(days=1)).weekday()
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    # yesterday and a week before yesterday: three logins started between 08:00 and 09:00
    assert f"{names[weekday]} 08:00: 3 logins" in page
    assert f"busiest hour is {names[weekday]} at 08:00 (3 logins)" in page
    row = re.search(r"<th scope=\"row\">08:00</th>(.*?)</tr>", page).group(1)  # the table alternative
    assert re.findall(r"<td>(\d*)</td>", row)[weekday] == "3"
    monday = today() - timedelta(days=1) - timedelta(days=weekday)
    assert "Week of" in page and page.count("<tr><td>") >= 30 + 5
    assert str(monday.day) in page
    assert page.count("Android") == 4  # the device of each session


def test_user_page_access(client, auth, make):
    make.school()
    teacher = make.teacher("P1/1")
    mine, other = make.student("P1/1"), make.student("P2/1")
    parent = make.parent_of(mine)
    admin = make.user(role="ADMIN")
    cases = [(mine, mine, 200), (mine, other, 404), (teacher, mine, 200), (teacher, other, 404),
             (teacher, teacher, 200), (parent, mine, 200), (parent, other, 404), (admin, teacher, 200),
             (admin, other, 200)]
    for viewer, subject, status in cases:
        client = make.app.test_client()
        AuthActions(client).login(viewer)
        assert client.get(f"/analytics/users/{subject.id}").status_code == status, (viewer.role, subject.role)
        assert client.get(f"/analytics/users/{subject.id}/export.csv").status_code == status
        expected = {200: 302}.get(status, status) if subject.role == "STUDENT" else 404
        assert client.get(f"/students/{subject.id}/sessions").status_code == expected


def test_students_sessions_url_leads_to_the_analytics_page(client, auth, make):
    make.school()
    student = make.student("P1/1")
    auth.login(student)
    response = client.get(f"/students/{student.id}/sessions")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/analytics/users/{student.id}")
    assert client.get("/analytics").headers["Location"].endswith(f"/analytics/users/{student.id}")


def test_user_page_fragment_and_csv(client, as_role, make):
    make.school()
    student = make.student("P1/1")
    make.login_sessions(student, [local(3, 7)], minutes=42, ip="198.51.100.9")
    as_role("ADMIN")
    fragment = client.get(f"/analytics/users/{student.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="analytics-user">') and "<html" not in fragment
    rows = read_csv(client.get(f"/analytics/users/{student.id}/export.csv"))
    assert rows[1][3] == "42" and rows[1][-1] == "198.51.100.9"


# --- one classroom ----------------------------------------------------------------------------------


def test_classroom_grid_minutes_and_the_never_and_idle_lists(client, auth, make):
    make.school()
    teacher = make.teacher("P1/1")
    busy = make.student("P1/1", full_name="Busy Bee")
    quiet = make.student("P1/1", full_name="Quiet Mouse")
    make.student("P1/1", full_name="Never Seen")
    make.login_sessions(busy, [local(1, 8), local(1, 13)], minutes=30)
    make.login_sessions(quiet, [local(5, 8)], minutes=12)
    room = make.classroom("P1/1")
    auth.login(teacher)
    page = client.get(f"/analytics/classrooms/{room.id}").get_data(as_text=True)
    row = re.search(r"Busy Bee</a></th>(.*?)</tr>", page, re.S).group(1)
    assert "<td class=\"has-minutes\">60</td>" in row and "<strong>60</strong>" in row
    never_list = page.split('data-list="never"')[1].split("</ul>")[0]
    assert "Never Seen" in never_list and "Busy Bee" not in never_list
    assert 'data-list="idle"' not in page  # nobody unseen for 7 days
    idle = client.get(f"/analytics/classrooms/{room.id}?idle=3").get_data(as_text=True)
    idle_list = idle.split('data-list="idle"')[1].split("</ul>")[0]
    assert "Quiet Mouse" in idle_list and "Busy Bee" not in idle_list
    assert "Not seen for 3 days" in idle
    rows = read_csv(client.get(f"/analytics/classrooms/{room.id}/export.csv"))
    assert rows[0][:3] == ["Name", "Email", "Last seen"] and len(rows[0]) == 3 + 30 + 1
    busy_row = next(r for r in rows if r[0] == "Busy Bee")
    assert busy_row[-1] == "60" and busy_row[3 + 28] == "60"  # yesterday is the 29th day of 30


def test_classroom_grid_switches_to_weeks_beyond_a_month(client, as_role, make):
    make.school()
    make.student("P1/1")
    room = make.classroom("P1/1")
    as_role("ADMIN")
    page = client.get(f"/analytics/classrooms/{room.id}?from={today() - timedelta(days=89)}&to={today()}")
    assert "Minutes online per week" in page.get_data(as_text=True)
    assert "Week of" in page.get_data(as_text=True)


def test_teacher_sees_p1_1_analytics_and_gets_404_for_p2_1(client, demo):
    """Acceptance, with the demo data."""
    from sqlalchemy import select

    from lms.extensions import db
    from lms.school.models import Classroom, Level

    with client.application.app_context():
        ids = dict(db.session.execute(
            select(Level.code + "/" + db.cast(Classroom.number, db.String), Classroom.id)
            .join(Level, Level.id == Classroom.level_id)).all())
        db.session.remove()
    client.post("/auth/login", data={"login": "teacher@example.org", "password": DEMO_PASSWORD})
    response = client.get(f"/analytics/classrooms/{ids['P1/1']}")
    assert response.status_code == 200 and "Sam Student" in response.get_data(as_text=True)
    assert client.get(f"/analytics/classrooms/{ids['P2/1']}").status_code == 404
    assert client.get(f"/analytics/classrooms/{ids['P2/1']}/export.csv").status_code == 404
    assert client.get(f"/analytics/users/{demo['student2@example.org']}").status_code == 404
    assert client.get(f"/analytics/users/{demo['student@example.org']}").status_code == 200


def test_classroom_page_is_404_for_students_and_parents(client, auth, make):
    make.school()
    student = make.student("P1/1")
    parent = make.parent_of(student)
    room = make.classroom("P1/1")
    for user in (student, parent):
        auth.login(user)
        assert client.get(f"/analytics/classrooms/{room.id}").status_code == 404
        auth.logout()


def test_classroom_page_query_count_does_not_grow(client, as_role, make, count_queries):
    make.school()
    small, large = make.classroom("P1/1"), make.classroom("P1/2")
    for student in make.students(2, small):
        make.login_sessions(student, [local(1, 8)])
    for student in make.students(25, large):
        make.login_sessions(student, [local(1, 8), local(2, 9)])
    as_role("ADMIN")
    counts = []
    for room in (small, large):
        with count_queries() as counter:
            assert client.get(f"/analytics/classrooms/{room.id}").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_days_follow_a_daylight_saving_timezone(client, as_role, make):
    make.school(timezone="Europe/London")
    student = make.student("P1/1")
    make.login_sessions(student, [datetime(2026, 3, 28, 23, 30, tzinfo=UTC),   # 23:30 GMT, 28 March
                                  datetime(2026, 3, 29, 23, 30, tzinfo=UTC)],  # 00:30 BST, 30 March
                        minutes=10)
    as_role("ADMIN")
    days = by_date(read_csv(client.get("/analytics/export.csv?from=2026-03-27&to=2026-03-31&role=STUDENT")))
    assert [days[f"2026-03-{d}"][2] for d in (27, 28, 29, 30, 31)] == ["0", "1", "0", "1", "0"]
    room = make.classroom("P1/1")
    rows = read_csv(client.get(f"/analytics/classrooms/{room.id}/export.csv?from=2026-03-27&to=2026-03-31"))
    assert rows[0][3:8] == ["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30", "2026-03-31"]
    assert rows[1][3:8] == ["0", "10", "0", "10", "0"]
