"""Thai from a reader's point of view: pages, dates, level and classroom names, statuses,
form messages, error bodies, emails and CSV exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from lms.auth.models import User
from lms.curriculum.models import Section
from tests.conftest import AuthActions, email_text

DEMO_PASSWORD = "demo-pass-1234"
THAI = re.compile(r"[\u0e00-\u0e7f]")
LATIN = re.compile(r"[A-Za-z]+")


class VisibleText(HTMLParser):
    """The text a reader sees (and hears: titles, alt texts, aria-labels, placeholders)."""

    HIDDEN = {"script", "style", "template"}
    ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in self.HIDDEN:
            self._hidden += 1
        self.parts += [values[a] for a in self.ATTRIBUTES if values.get(a)]
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def english_words(html: str, allowed: set[str]) -> list[str]:
    """Runs of Latin letters in the visible text that are not names, codes or data in ``allowed``."""
    return sorted({w for w in LATIN.findall(visible_text(html)) if w not in allowed})


def words_of(*texts: str) -> set[str]:
    return {w for t in texts for w in LATIN.findall(t or "")}


def test_the_checker_reports_english_words_outside_the_allow_list():
    html = ('<title>หน้าแรก · Demo School</title><p>สวัสดี Sam Student</p><button aria-label="Close">x</button>'
            '<script>var hidden = "text";</script><input type="submit" value="Save">')
    assert english_words(html, words_of("Demo School", "Sam Student")) == ["Close", "Save", "x"]


# --- the acceptance: Thai pages --------------------------------------------------------------------


@pytest.fixture
def thai_student(client, demo, db):
    """The demo student, signed in, having chosen Thai with the language switch."""
    AuthActions(client).login("student@example.org", DEMO_PASSWORD)
    assert client.post("/language", data={"locale": "th", "next": "/"}).status_code == 303
    return db.get(User, demo["student@example.org"])


def _allowed(db, student) -> set[str]:
    """Names, codes and demo content: what may stay in Latin letters on a Thai page."""
    from lms.assessments.models import (
        Answer,
        Assessment,
        QuestionVersion,
        Rubric,
        RubricCriterion,
        RubricLevel,
    )
    from lms.auth.models import User as Person
    from lms.centres.models import Centre, Room
    from lms.communication.models import Announcement
    from lms.core.models import Organization
    from lms.curriculum.models import Part, Subject, Unit
    from lms.resources.models import Resource
    from lms.school.models import Cohort
    from lms.teaching.models import CourseSession, CourseSessionAnnouncement, CourseSessionEnrollment

    options = [o for row in db.scalars(select(QuestionVersion.options)) for o in (row or [])]
    answers = [str((row or {}).get("text", "")) for row in db.scalars(select(Answer.response))]
    return words_of(db.scalar(select(Organization.name)), student.full_name, student.email,
                    "English",  # the language switch names each language in itself
                    *db.scalars(select(Subject.name)), *db.scalars(select(Unit.title)),
                    *db.scalars(select(Part.title)), *db.scalars(select(Section.title)),
                    *db.scalars(select(Section.content)),
                    # assessments and teaching sessions: titles, texts, options, notes, teachers' names
                    *db.scalars(select(Assessment.title)), *db.scalars(select(Assessment.instructions)),
                    *db.scalars(select(QuestionVersion.text)), *db.scalars(select(QuestionVersion.feedback)),
                    *options, *answers,
                    *db.scalars(select(Rubric.title)), *db.scalars(select(Rubric.description)),
                    *db.scalars(select(RubricCriterion.name)), *db.scalars(select(RubricLevel.description)),
                    *db.scalars(select(Resource.title)), *db.scalars(select(Resource.filename)),
                    *db.scalars(select(Resource.description)),
                    *db.scalars(select(CourseSession.session_name)),
                    *db.scalars(select(CourseSession.session_description)),
                    *db.scalars(select(CourseSessionAnnouncement.title)),
                    *db.scalars(select(CourseSessionAnnouncement.message)),
                    *db.scalars(select(CourseSessionEnrollment.notes)),
                    *db.scalars(select(CourseSessionEnrollment.exercise_content)),
                    *db.scalars(select(Person.full_name).where(Person.role == "TEACHER")),
                    # tutoring centres: centre, room and cohort names, meeting links
                    *db.scalars(select(Centre.name)), *db.scalars(select(Centre.address)),
                    *db.scalars(select(Room.name)), *db.scalars(select(Cohort.name)),
                    *db.scalars(select(CourseSession.meeting_link)),
                    # the student's home page shows announcements too
                    *db.scalars(select(Announcement.title)))


def test_thai_login_page_has_no_english(client, demo, db):
    page = client.get("/auth/login", headers={"Accept-Language": "th-TH,th;q=0.9"}).get_data(as_text=True)
    assert THAI.search(visible_text(page)) and "เข้าสู่ระบบ" in page
    assert english_words(page, words_of("Demo School", "English")) == []


def test_thai_student_home_section_and_404_pages_have_no_english(client, thai_student, db):
    allowed = _allowed(db, thai_student)
    home = client.get("/")
    assert home.status_code == 200 and 'lang="th"' in home.get_data(as_text=True)
    assert english_words(home.get_data(as_text=True), allowed) == []
    assert "ใกล้ครบกำหนดส่ง" in visible_text(home.get_data(as_text=True))  # the student home's "Due soon"

    section_id = db.scalar(select(Section.id).where(Section.title == "Counting in tens"))
    section = client.get(f"/sections/{section_id}")
    assert section.status_code == 200
    text = section.get_data(as_text=True)
    assert "บันทึกว่าเรียนจบแล้ว" in text
    assert english_words(text, allowed) == []

    subjects = client.get("/subjects").get_data(as_text=True)
    assert english_words(subjects, allowed) == []

    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in missing.get_data(as_text=True)
    assert english_words(missing.get_data(as_text=True), allowed) == []


def test_thai_assessment_start_take_and_result_pages_have_no_english(client, thai_student, db):
    """The demo student opens the demo assessment, starts the second attempt and takes it in Thai."""
    from lms.assessments.models import Assessment

    allowed = _allowed(db, thai_student)
    assessment_id = db.scalar(select(Assessment.id).where(Assessment.title == "Tens and ones check"))
    start = client.get(f"/assessments/{assessment_id}")
    assert start.status_code == 200
    start_page = start.get_data(as_text=True)
    assert "เริ่มทำครั้งใหม่" in start_page and "ครั้งที่ 1" in start_page and "รอให้คะแนน" in start_page
    assert english_words(start_page, allowed) == []

    assert client.post(f"/assessments/{assessment_id}/start").status_code in (302, 303)
    take = client.get(f"/assessments/{assessment_id}/take")
    assert take.status_code == 200
    page = take.get_data(as_text=True)
    text = visible_text(page)
    for thai in ("ครั้งที่ 2", "ข้อ 1 จาก 7", "ส่งคำตอบ", "ถูก", "ผิด", "เลือกทุกคำตอบที่ถูก", "คำตอบของคุณ"):
        assert thai in text, thai
    assert english_words(page, allowed) == []
    # the strings the page's script shows (saving, offline, time up) are Thai too
    assert 'data-saving="กำลังบันทึก…"' in page and "คุณออฟไลน์อยู่" in page

    # the first attempt's result (its long answer waits for the teacher), the lists and the progress page
    from lms.assessments.models import Submission

    first = db.scalar(select(Submission.id).where(Submission.assessment_id == assessment_id,
                                                  Submission.attempt_number == 1))
    result = client.get(f"/submissions/{first}").get_data(as_text=True)
    assert "คำตอบของคุณ:" in result and english_words(result, allowed) == []
    for url, thai in (("/assessments", "แบบทดสอบ"), ("/submissions", "งานที่ฉันส่ง"),
                      ("/my/progress", "ความก้าวหน้า")):
        listing = client.get(url, follow_redirects=True).get_data(as_text=True)
        assert thai in listing and english_words(listing, allowed) == [], url


def test_thai_teaching_session_pages_have_no_english(client, thai_student, db):
    """The demo student's teaching session: announcements, their work, attendance, check in."""
    from lms.teaching.models import CourseSession

    allowed = _allowed(db, thai_student)
    session_id = db.scalar(select(CourseSession.id).where(CourseSession.session_code == "MATHSTAR"))
    mine = client.get("/my/sessions").get_data(as_text=True)
    assert "ชั้นเรียนของฉัน" in mine and "ลงทะเบียนแล้ว" in mine
    assert english_words(mine, allowed) == []

    response = client.get(f"/my/sessions/{session_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = visible_text(page)
    for thai in ("ประกาศ", "งานของฉัน", "การมาเรียนของฉัน", "ความก้าวหน้า: 20 %", "ออกจากชั้นเรียนนี้"):
        assert thai in text, thai
    assert english_words(page, allowed) == []

    join = client.get("/my/sessions/join").get_data(as_text=True)
    assert "เข้าร่วมชั้นเรียน" in join and english_words(join, allowed) == []


def test_thai_parent_pages_of_a_childs_teaching_sessions_have_no_english(client, demo, db):
    """The demo parent, in Thai: their child's sessions and the demo session (meetings, work, shared notes)."""
    from lms.teaching.models import CourseSession

    AuthActions(client).login("parent@example.org", DEMO_PASSWORD)
    assert client.post("/language", data={"locale": "th", "next": "/"}).status_code == 303
    child = db.get(User, demo["student@example.org"])
    allowed = _allowed(db, child) | words_of(db.get(User, demo["parent@example.org"]).full_name)
    session_id = db.scalar(select(CourseSession.id).where(CourseSession.session_code == "MATHSTAR"))
    listing = client.get(f"/my/children/{child.id}/sessions").get_data(as_text=True)
    assert "ชั้นเรียนของ" in listing and english_words(listing, allowed) == []
    page = client.get(f"/my/children/{child.id}/sessions/{session_id}").get_data(as_text=True)
    text = visible_text(page)
    for thai in ("กำหนดการ", "คาบเรียนและการเช็คชื่อ", "งานและผลคะแนน", "แบบฝึกหัด", "บันทึกจากครูผู้สอน"):
        assert thai in text, thai
    assert english_words(page, allowed) == []


def test_thai_teacher_pages_of_assessments_and_teaching_sessions_have_no_english(client, demo, db):
    """The demo teacher, in Thai, walks through the pages of both domains: only names, codes, demo
    content and the names of formats (CSV, JSON, GIFT, Markdown…) stay in Latin letters."""
    from lms.assessments.models import Assessment, Submission
    from lms.curriculum.models import CoreSubject, Subject
    from lms.school.models import ClassroomMembership
    from lms.teaching.models import CourseSession, CourseSessionMeeting

    AuthActions(client).login("teacher@example.org", DEMO_PASSWORD)
    client.post("/language", data={"locale": "th", "next": "/"})
    teacher = db.get(User, demo["teacher@example.org"])
    allowed = _allowed(db, teacher) | words_of(
        "CSV JSON GIFT Moodle Markdown media label picture API MATHSTAR MATH STAR A B C D",
        *db.scalars(select(User.full_name)), *db.scalars(select(User.email)), *db.scalars(select(CoreSubject.name)),
        *db.scalars(select(CourseSessionMeeting.checkin_code)), *db.scalars(select(CourseSession.session_code)))
    session_id = db.scalar(select(CourseSession.id).where(CourseSession.session_code == "MATHSTAR"))
    meeting_id = db.scalar(select(CourseSessionMeeting.id).where(CourseSessionMeeting.course_session_id == session_id))
    assessment_id = db.scalar(select(Assessment.id).where(Assessment.title == "Tens and ones check"))
    submission_id = db.scalar(select(Submission.id).where(Submission.assessment_id == assessment_id))
    subject = db.scalar(select(Subject.id).where(Subject.name == "Mathematics P1"))
    room = db.scalar(select(ClassroomMembership.classroom_id)  # P1/1, the demo student's classroom
                     .where(ClassroomMembership.student_id == demo["student@example.org"]))
    pages = {
        "/sessions": "ชั้นเรียน", "/sessions/new": "ชั้นเรียนใหม่", f"/sessions/{session_id}": "รหัสเข้าร่วม",
        f"/sessions/{session_id}/edit": "วันสิ้นสุด", f"/sessions/{session_id}/enrollments": "ลงทะเบียนแล้ว",
        f"/sessions/{session_id}/announcements": "ประกาศ", f"/sessions/{session_id}/attendance": "การเช็คชื่อ",
        f"/sessions/{session_id}/meetings/{meeting_id}": "รหัสเช็คชื่อ", f"/sessions/{session_id}/settings": "ขาด",
        f"/sessions/{session_id}/analytics": "อัตราการมาเรียน",
        "/assessments": "แบบทดสอบ", "/assessments/bank": "คลังแบบทดสอบ", "/assessments/new": "ฉบับร่าง",
        f"/assessments/{assessment_id}": "เลือกคำตอบเดียว", f"/assessments/{assessment_id}/attach": "แนบ",
        "/submissions": "งานรอให้คะแนน", f"/submissions/{submission_id}": "ให้คะแนน",
        "/gradebook": "สมุดคะแนน", f"/classrooms/{room}/gradebook/{subject}": "เฉลี่ย",
    }
    for url, thai in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert thai in visible_text(page), (url, thai)
        assert english_words(page, allowed) == [], url


def test_json_errors_carry_a_thai_message(client):
    response = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "th"})
    assert response.status_code == 404 and response.is_json
    assert response.json["errorCode"] == "NOT_FOUND"
    assert response.json["message"].startswith("ไม่พบหน้าที่ต้องการ")


def test_the_api_speaks_the_language_its_client_asks_for_and_keeps_codes(client, make):
    """A Thai user's script still gets the API's English messages unless it sends Accept-Language."""
    from tests.api_helpers import headers_for

    student = make.student("P1/1", locale="th")
    headers = headers_for(client, student)
    english = client.post("/api/v1/student/sessions/join", headers=headers, json={"session_code": "NOSUCHCD"})
    assert english.json["errorCode"] == "INVALID_SESSION_CODE" and english.json["message"] == "Invalid session code"
    thai = client.post("/api/v1/student/sessions/join", headers={**headers, "Accept-Language": "th-TH,th;q=0.9"},
                       json={"session_code": "NOSUCHCD"})
    assert thai.status_code == english.status_code and thai.json["errorCode"] == "INVALID_SESSION_CODE"
    assert thai.json["message"] == "รหัสเข้าร่วมไม่ถูกต้อง" and set(thai.json) == set(english.json)


def test_wtforms_own_messages_are_thai(client):
    # The sign-in field takes any text (email, username or student number): "required" is checked there,
    # the email format on the password-reset form.
    response = client.post("/auth/login", data={"login": "", "password": ""}, headers={"Accept-Language": "th"})
    page = response.get_data(as_text=True)
    assert "กรุณากรอกช่องนี้" in page and "This field is required." not in page
    response = client.post("/auth/forgot-password", data={"email": "not-an-email"}, headers={"Accept-Language": "th"})
    page = response.get_data(as_text=True)
    assert "อีเมลไม่ถูกต้อง" in page and "Invalid email address." not in page
    english = client.post("/auth/forgot-password", data={"email": "not-an-email"},
                          headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Invalid email address." in english


# --- dates ------------------------------------------------------------------------------------------


def test_a_thai_reader_sees_2569_for_2026_when_the_organization_uses_the_buddhist_era(client, make):
    make.organization(use_buddhist_era=True, timezone="Asia/Bangkok")
    reader = make.user(role="STUDENT", locale="th")
    make.announcement(title="Sports day", publish_at=datetime(2026, 3, 15, 3, 0, tzinfo=UTC))
    AuthActions(client).login(reader)
    page = client.get("/announcements").get_data(as_text=True)
    assert "15/3/69" in page and "2026" not in page  # the short format's two-digit year: 2569

    admin = make.user(role="ADMIN", locale="th")
    person = make.user(created_at=datetime(2026, 3, 15, 3, 0, tzinfo=UTC))
    AuthActions(client).login(admin)
    panel = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "15 มี.ค. 2569" in panel


def test_buddhist_era_in_every_format_and_only_for_thai_readers(app, make):
    from flask import render_template_string

    make.organization(use_buddhist_era=True, timezone="Asia/Bangkok")
    when = datetime(2026, 3, 15, 3, 30, tzinfo=UTC)
    template = "{{ w|date('short') }}|{{ w|date }}|{{ w|date('long') }}|{{ w|datetime('short') }}|{{ w|datetime }}"
    with app.test_request_context("/", headers={"Accept-Language": "th"}):
        thai = render_template_string(template, w=when).split("|")
    assert thai[0] == "15/3/69" and thai[1] == "15 มี.ค. 2569"
    assert thai[2] == "15 มีนาคม พ.ศ. 2569"  # the era is named: พ.ศ., never ค.ศ. with a B.E. year
    # The Buddhist-era date and the school's local time; CLDR may append "น." (Babel 2.19 does).
    assert thai[3].startswith("15/3/69 10:30") and thai[4].startswith("15 มี.ค. 2569 10:30")
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        english = render_template_string(template, w=when).split("|")
    assert english[1] == "Mar 15, 2026"
    make.organization(use_buddhist_era=False)
    with app.test_request_context("/", headers={"Accept-Language": "th"}):
        assert render_template_string("{{ w|date }}", w=when) == "15 มี.ค. 2026"


# --- levels, classrooms and statuses ------------------------------------------------------------------


def test_level_and_classroom_labels(app):
    from flask_babel import force_locale

    from lms.common.labels import classroom_label, label, level_code_of, level_label, level_name
    from lms.school.models import Level

    with app.test_request_context("/"):
        with force_locale("th"):
            assert level_label("P1") == "ป.1" and level_label("M6") == "ม.6" and level_label("K2") == "อ.2"
            assert level_label("EP1") == "EP1"  # a code the administrator chose
            assert level_name(Level(code="P1", name="Prathom 1")) == "ประถมศึกษาปีที่ 1"
            assert level_name(Level(code="P1", name="ประถม ๑ (โครงการพิเศษ)")) == "ประถม ๑ (โครงการพิเศษ)"
            assert classroom_label("P4/2") == "ป.4/2" and classroom_label("") == ""
            assert label("student_status", "ACTIVE") == "กำลังศึกษา"
            assert label("role", "PARENT") == "ผู้ปกครอง"
            assert label("role", "SOMETHING_NEW") == "SOMETHING_NEW"
        # What a reader types back (imports, bulk invitations) becomes the stored code again.
        assert level_code_of("ป.1") == "P1" and level_code_of("ม.6") == "M6" and level_code_of("m2") == "M2"
        assert level_code_of("EP1") == "EP1"
        with force_locale("en"):
            assert level_label("P1") == "P1" and classroom_label("P4/2") == "P4/2"
            assert level_name(Level(code="M1", name="Mathayom 1")) == "Mathayom 1"


def test_thai_school_pages_show_thai_level_classroom_and_status_names(client, as_role, make, db):
    from lms.school.models import Classroom, StudentProfile

    room = make.classroom("P4/2")
    make.student(room, full_name="Somsri", number="T-9")
    admin = as_role("ADMIN")
    client.post("/language", data={"locale": "th", "next": "/"})
    page = client.get(f"/classrooms/{room.id}").get_data(as_text=True)
    assert "ห้อง ป.4/2" in page and "ประถมศึกษาปีที่ 4" in page
    students = client.get("/students").get_data(as_text=True)
    assert "ป.4/2" in students and "กำลังศึกษา" in students
    assert db.get(Classroom, room.id).name == "P4/2"  # stored values stay English codes
    assert db.scalar(select(StudentProfile.status).where(StudentProfile.student_number == "T-9")) == "ACTIVE"
    assert db.get(User, admin.id).locale == "th"


def test_a_thai_bulk_invitation_may_name_the_classroom_in_thai(client, as_role, make):
    make.classroom("P1/1")
    as_role("ADMIN")
    client.post("/language", data={"locale": "th", "next": "/"})
    response = client.post("/admin/invitations/bulk", data={"text": "kid@example.org, เด็กชายต้น, STUDENT, ป.1/1"})
    page = response.get_data(as_text=True)
    assert "ไม่รู้จักห้องเรียน" not in page and "ส่งคำเชิญ 1 รายการ" in page


# --- CSV exports -------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and response.mimetype_params.get("charset") == "utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for Excel"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_every_csv_export_opens_as_utf8_with_a_bom_and_thai_headers(client, as_role, make):
    room = make.classroom("P1/1")
    student = make.student(room, full_name="สมชาย ใจดี", number="S-1")
    make.login_session(student, started_at=datetime(2026, 3, 15, 2, 0, tzinfo=UTC))
    as_role("ADMIN")
    client.post("/language", data={"locale": "th", "next": "/"})
    span = "from=2026-03-01&to=2026-03-31"

    users = _csv(client.get("/admin/users/export.csv"))
    assert users[0] == ["อีเมล", "ชื่อผู้ใช้", "ชื่อ-นามสกุล", "บทบาท", "ใช้งานอยู่", "เข้าสู่ระบบล่าสุด", "สร้างเมื่อ"]
    assert ["สมชาย ใจดี", "นักเรียน", "ใช่"] == [r for r in users if r[2] == "สมชาย ใจดี"][0][2:5]

    students = _csv(client.get("/students/export.csv"))
    assert students[0] == ["เลขประจำตัวนักเรียน", "ชื่อ-นามสกุล", "อีเมล", "ชื่อผู้ใช้", "ห้องเรียน", "วันเกิด", "สถานะ"]
    assert students[1][:2] == ["S-1", "สมชาย ใจดี"] and students[1][4:] == ["ป.1/1", "", "กำลังศึกษา"]

    overview = _csv(client.get(f"/analytics/export.csv?{span}"))
    assert overview[0] == ["วันที่", "ผู้ใช้ที่เข้าใช้งาน", "จำนวนการเข้าสู่ระบบ", "นาทีที่ออนไลน์"]
    logins = _csv(client.get(f"/analytics/logins.csv?{span}"))
    assert logins[0][:3] == ["ชื่อ", "อีเมล", "บทบาท"] and logins[1][2] == "นักเรียน"
    person = _csv(client.get(f"/analytics/users/{student.id}/export.csv?{span}"))
    assert person[0][0] == "เริ่ม" and person[1][0].startswith("2026-03-15")  # ISO dates for spreadsheets
    classroom = _csv(client.get(f"/analytics/classrooms/{room.id}/export.csv?{span}"))
    assert classroom[0][:3] == ["ชื่อ", "อีเมล", "พบล่าสุด"]

    template = _csv(client.get("/students/import/template.csv"))
    assert template[0] == ["student_number", "full_name", "email", "username", "classroom", "date_of_birth", "status"]


def test_the_csv_exports_of_teaching_sessions_are_thai(client, make):
    room = make.classroom("P1/1")
    teacher = make.teacher(room, locale="th")
    student = make.student(room, full_name="สมชาย ใจดี", number="S-1")
    course_session = make.course_session(teacher, attendance_tracking_enabled=True)
    make.enrollment(course_session, student, completion_percentage=40)
    meeting = make.meeting(course_session, starts_at=datetime(2026, 3, 15, 2, 0, tzinfo=UTC), code="FRST")
    make.attendance(meeting, student, "LATE")
    AuthActions(client).login(teacher)

    enrollments = _csv(client.get(f"/sessions/{course_session.id}/enrollments.csv"))
    assert enrollments[0] == ["นักเรียน", "อีเมล", "สถานะ", "ลงทะเบียนเมื่อ", "ความก้าวหน้า (%)", "ผลการเรียน", "เกรด"]
    assert enrollments[1][0] == "สมชาย ใจดี" and enrollments[1][2] == "ลงทะเบียนแล้ว"
    assert re.match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", enrollments[1][3])  # ISO, Gregorian

    attendance = _csv(client.get(f"/sessions/{course_session.id}/attendance.csv"))
    assert attendance[0][:2] == ["นักเรียน", "อีเมล"] and attendance[0][-6:] == [
        "มา", "สาย", "ลา", "ขาด", "คะแนน", "อัตราการมาเรียน"]
    assert attendance[0][2].startswith("2026-03-15 ")  # the meeting, in the organization's time
    assert attendance[1][2] == "สาย" and attendance[1][3:7] == ["0", "1", "0", "0"]


def test_a_thai_student_export_comes_back_in_through_the_import(client, as_role, make):
    room = make.classroom("P1/1")
    as_role("ADMIN")
    client.post("/language", data={"locale": "th", "next": "/"})
    text = ("\ufeffเลขประจำตัวนักเรียน,ชื่อ-นามสกุล,อีเมล,ห้องเรียน,วันเกิด,สถานะ\r\n"
            "S-77,เด็กหญิงมะลิ ดีใจ,mali@example.org,ป.1/1,14/05/2562,กำลังศึกษา\r\n")
    response = client.post("/students/import", data={
        "file": (io.BytesIO(text.encode("utf-8")), "students.csv")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "นักเรียน 1 คนพร้อมนำเข้าแล้ว" in page
    assert room.id


def test_a_formula_in_a_name_is_not_run_by_the_spreadsheet(client, as_role, make):
    make.student(make.classroom("P1/1"), full_name="=HYPERLINK(\"http://evil\")", number="S-2")
    as_role("ADMIN")
    rows = _csv(client.get("/students/export.csv"))
    assert rows[1][1] == "'=HYPERLINK(\"http://evil\")"


# --- email --------------------------------------------------------------------------------------------


def test_emails_are_written_in_the_recipient_s_language_with_thai_fonts(client, make, outbox):
    thai = make.user(email="somchai@example.org", locale="th")
    english = make.user(email="sam@example.org", locale="en")
    client.post("/auth/forgot-password", data={"email": thai.email})
    client.post("/auth/forgot-password", data={"email": english.email})
    by_address = {m["To"]: m for m in outbox}
    message = by_address[thai.email]
    assert message["Subject"] == "ตั้งรหัสผ่านใหม่"
    assert "ตั้งรหัสผ่านใหม่" in email_text(message)
    html_part = message.get_body(preferencelist=("html",))
    assert html_part.get_content_charset() == "utf-8"
    html = html_part.get_content()
    assert 'lang="th"' in html and "Sarabun" in html and "Noto Sans Thai" in html
    assert by_address[english.email]["Subject"] == "Reset your password"


def test_people_without_a_language_get_email_in_the_organization_s_language(client, as_role, make, outbox):
    make.organization(locale="th")
    as_role("ADMIN", locale="en")
    client.post("/admin/invitations", data={"email": "new.teacher@example.org", "role": "TEACHER"})
    [message] = [m for m in outbox if m["To"] == "new.teacher@example.org"]
    assert message["Subject"].startswith("คุณได้รับเชิญเข้าร่วม")
    assert "เปิดลิงก์นี้เพื่อตั้งชื่อและรหัสผ่านของคุณ" in email_text(message)


def test_teaching_session_emails_go_out_in_each_recipient_s_language(app, make, outbox):
    """Reminders before the end, urgent announcements and absence alerts to parents."""
    from datetime import timedelta

    from lms.common.types import utcnow
    from lms.extensions import db as _db
    from lms.teaching import jobs
    from lms.teaching.models import CourseSessionAnnouncement

    teacher = make.teacher(locale="en")
    course_session = make.course_session(teacher, name="Maths club", end=utcnow() + timedelta(days=3),
                                         reminder_days_before_expiry=5, attendance_tracking_enabled=True)
    somchai = make.student("P1/1", full_name="สมชาย ใจดี", locale="th")
    sam = make.student("P1/1", full_name="Sam Smith", locale="en")
    parent = make.parent_of(somchai, locale="th")
    for student in (somchai, sam):
        make.enrollment(course_session, student)
    start = utcnow() - timedelta(days=15)
    for i in range(2):
        meeting = make.meeting(course_session, starts_at=start + timedelta(days=7 * i), code=f"AB{i}X")
        make.attendance(meeting, somchai, "ABSENT")
    with app.app_context():
        _db.session.add(CourseSessionAnnouncement(
            tenant_id=course_session.tenant_id, course_session_id=course_session.id, title="Room B12",
            message="We meet in room **B12**.", is_urgent=True, scheduled_for=utcnow() - timedelta(minutes=1),
            created_by=teacher.id))
        _db.session.commit()
        assert jobs.send_expiry_reminders() == 3
        assert jobs.deliver_due_session_announcements() == 1
        assert jobs.alert_parents_of_absences() == 1

    def mail(to, starting):
        [message] = [m for m in outbox if m["To"] == to and m["Subject"].startswith(starting)]
        return message

    reminder = mail(somchai.email, "“Maths club”")
    assert reminder["Subject"] == "“Maths club” ใกล้สิ้นสุดแล้ว"
    assert "ชั้นเรียน “Maths club” จะสิ้นสุดในวันที่" in email_text(reminder)
    assert 'lang="th"' in reminder.get_body(preferencelist=("html",)).get_content()
    assert mail(sam.email, "“Maths club”")["Subject"] == "“Maths club” ends soon"
    assert mail(teacher.email, "“Maths club”")["Subject"] == "“Maths club” ends soon"

    urgent = mail(somchai.email, "ด่วน")
    assert urgent["Subject"] == "ด่วน: Room B12" and "ประกาศด่วนในชั้นเรียน “Maths club”" in email_text(urgent)
    assert mail(sam.email, "Urgent")["Subject"] == "Urgent: Room B12"

    alert = mail(parent.email, "สมชาย")
    assert alert["Subject"] == "สมชาย ใจดี ขาดเรียนติดต่อกัน 2 ครั้ง"
    assert "ขาดเรียน 2 คาบล่าสุดติดต่อกัน" in email_text(alert) and "หากมีข้อสงสัย กรุณาติดต่อครู" in email_text(alert)


def test_notifications_of_enrollments_and_graded_work_read_in_thai(client, make, db):
    from lms.communication.models import Notification
    from lms.communication.notifications import notify

    teacher = make.teacher()
    course_session = make.course_session(teacher, name="Maths club")
    student = make.student("P1/1", locale="th")
    enrollment = make.enrollment(course_session, student, status="PENDING")
    AuthActions(client).login(teacher)
    approved = client.post(f"/sessions/{course_session.id}/enrollments/{enrollment.id}/status",
                           data={"enrollment_status": "ENROLLED"})
    assert approved.status_code in (200, 303)
    assert db.scalar(select(Notification.kind).where(Notification.user_id == student.id)) == "enrollment_approved"
    with db.ctx() as session:
        notify([student.id], "work_returned", title="Quiz one")
        session.commit()
    AuthActions(client).logout()
    AuthActions(client).login(student)
    page = client.get("/notifications").get_data(as_text=True)
    assert "การลงทะเบียนเข้าชั้นเรียน “Maths club” ของคุณได้รับการอนุมัติแล้ว" in page
    assert "งาน “Quiz one” ของคุณถูกส่งคืนพร้อมข้อเสนอแนะ" in page
