"""Privacy of children's data: a student's export, erasure, and who may do either."""

from __future__ import annotations

import io
import json
import random
import zipfile
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from lms.assessments.models import Answer, AssessmentExtension, QuestionVersion, Submission
from lms.audit.models import AuditLog
from lms.auth.models import LoginAttempt, User, UserSession
from lms.communication.models import AnnouncementRead, Notification
from lms.curriculum.models import SectionProgress
from lms.extensions import db as _db
from lms.privacy import catalog
from lms.resources import storage
from lms.resources.models import Resource, StoredFile
from lms.school.models import ClassroomMembership, ParentLink, StudentProfile
from lms.teaching.models import CourseSessionAttendance, CourseSessionEnrollment
from tests.factories import png_bytes

HX = {"HX-Request": "true"}
QUESTIONS = [
    {"type": "SINGLE_CHOICE", "text": "2 + 2 = ?", "options": ["3", "4", "5"], "key": {"correct": 1}, "points": 1},
    {"type": "LONG_ANSWER", "text": "Tell us about your family.", "points": 5},
    {"type": "FILE_UPLOAD", "text": "Upload your drawing.", "points": 2},
]


def populate(app, make, student, *, teacher, subject, section_id, tag: str):
    """Data about ``student`` in every domain; ``tag`` makes their free text recognisable."""
    from lms.assessments import taking
    from lms.assessments.models import Assessment
    from lms.audit.services import record

    parent = make.parent_of(student, full_name=f"Parent of {tag}", email=f"parent-{tag.lower()}@home.example.org")
    make.login_sessions(student, [_ago(days=3)], ip=f"198.51.100.{len(tag)}", user_agent=f"{tag}Browser/1.0")
    make.notification(student, title=f"Quiz for {tag}", score="1/1")
    announcement = make.announcement(title=f"Notice {tag}")
    course_session = make.course_session(teacher, subject, name=f"Evening class {tag}")
    make.enrollment(course_session, student, notes=f"{tag} needs glasses", notes_shared_with_parents=True,
                    exercise_content=f"{tag}: read page 4 again")
    meeting = make.meeting(course_session, code=f"C{len(tag):03d}")
    make.attendance(meeting, student, "PRESENT")
    make.section_visit(student, section_id)
    assessment = make.assessment(teacher, title=f"Quiz {tag}", questions=QUESTIONS, section_id=section_id,
                                 publish=True)
    admin = make.user(role="ADMIN")
    with app.app_context():
        session = _db.session
        session.add(LoginAttempt(email=student.email, user_id=student.id, ip="203.0.113.9", user_agent="x",
                                 success=True, reason="OK"))
        session.add(AnnouncementRead(announcement_id=announcement.id, user_id=student.id))
        session.add(SectionProgress(section_id=section_id, student_id=student.id))
        actor = session.get(User, student.id)
        attempt = taking.start_attempt(actor, session.get(Assessment, assessment.id))
        versions = {v.type: v.id for v in taking.versions_of(attempt)}
        taking.save_answer(actor, attempt, versions["SINGLE_CHOICE"], {"answer": "1"})
        taking.save_answer(actor, attempt, versions["LONG_ANSWER"], {"answer": f"My name is {tag} and I live here"})
        upload = FileStorage(stream=io.BytesIO(png_bytes(color=(len(tag), 1, 2))), filename=f"drawing-{tag}.png")
        taking.save_answer(actor, attempt, versions["FILE_UPLOAD"], {}, upload=upload)
        taking.submit(actor, attempt)
        submission = session.get(Submission, attempt.id)
        submission.status, submission.feedback = "GRADED", f"Well done {tag}"
        submission.manual_score, submission.final_score = 6.0, 7.0
        admin_user = session.get(User, admin.id)
        record(admin_user, "parent.link", session.get(User, student.id), parent=parent.email, student=student.email)
        record(admin_user, "assessment.excuse", session.get(Assessment, assessment.id), student_id=student.id)
        session.commit()
        submission_id = attempt.id
        session.remove()
    return SimpleNamespace(parent=parent, assessment=assessment, submission_id=submission_id,
                           course_session=course_session, admin=admin)


def _ago(**kwargs):
    from lms.common.types import utcnow

    return utcnow() - timedelta(**kwargs)


@pytest.fixture
def world(app, make):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Numbers": {"Tens": ["Counting"]}})
    student = make.student("P1/1", number="S-1001", full_name="Somchai Jaidee", email="somchai@school.example.org")
    other = make.student("P1/1", number="S-2002", full_name="Malee Srisuk", email="malee@school.example.org")
    mine = populate(app, make, student, teacher=teacher, subject=subject, section_id=ids["Counting"], tag="Somchai")
    theirs = populate(app, make, other, teacher=teacher, subject=subject, section_id=ids["Counting"], tag="Malee")
    return SimpleNamespace(teacher=teacher, subject=subject, student=student, other=other, mine=mine, theirs=theirs)


def _set_status(app, student, status):
    with app.app_context():
        _db.session.get(StudentProfile, student.id).status = status
        _db.session.commit()
        _db.session.remove()


def _stored_path(app, db, student):
    stored = db.scalar(select(StoredFile).join(Resource, Resource.file_id == StoredFile.id)
                       .where(Resource.owner_id == student.id))
    with app.app_context():
        return storage.path_of(stored.storage_name)


# --- who may ---------------------------------------------------------------------------------------


def test_every_column_pointing_at_a_user_has_an_erasure_decision():
    assert catalog.missing_decisions() == []


def test_only_admins_export_or_erase(client, as_role, auth, world, db):
    sid = world.student.id
    auth.login(world.teacher)  # the student's homeroom teacher sees the student page...
    assert client.get(f"/students/{sid}").status_code == 200
    assert client.post(f"/students/{sid}/export").status_code == 403  # ...but may not export or erase
    assert client.get(f"/students/{sid}/erase").status_code == 403
    assert client.post(f"/students/{sid}/erase", data={"confirmation": "S-1001"}).status_code == 403
    auth.logout()
    for who in (world.student, world.mine.parent):
        auth.login(who)
        assert client.post(f"/students/{sid}/export").status_code == 403
        assert client.get(f"/students/{sid}/erase").status_code == 403
        auth.logout()
    as_role("ADMIN")
    assert client.post("/students/999999/export").status_code == 404
    assert client.get("/students/999999/erase").status_code == 404
    assert client.post(f"/students/{world.teacher.id}/export").status_code == 404  # not a student
    assert db.count(AuditLog, AuditLog.action == "student.export") == 0
    assert db.scalar(select(User.full_name).where(User.id == sid)) == "Somchai Jaidee"


# --- export ----------------------------------------------------------------------------------------


def test_the_export_holds_everything_about_the_student_and_nothing_about_others(client, as_role, world, db, app):
    admin = as_role("ADMIN")
    page = client.get(f"/students/{world.student.id}").get_data(as_text=True)
    assert f'action="/students/{world.student.id}/export"' in page
    response = client.post(f"/students/{world.student.id}/export")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "application/zip"
    assert f"student-{world.student.id}-data-" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    document = json.loads(archive.read("student.json"))
    text = archive.read("student.json").decode()

    assert document["student"]["full_name"] == "Somchai Jaidee"
    assert "password_hash" not in document["student"] and "password_hash" not in text
    assert [p["email"] for p in document["parents"]] == ["parent-somchai@home.example.org"]
    records = document["records"]
    for table in ("student_profile", "classroom_membership", "parent_link", "course_session_enrollment",
                  "course_session_attendance", "submission", "section_visit", "section_progress", "user_session",
                  "login_attempt", "notification", "announcement_read", "resource"):
        assert records.get(table), table
    assert records["student_profile"][0]["student_number"] == "S-1001"
    assert records["course_session_enrollment"][0]["notes"] == "Somchai needs glasses"
    assert records["user_session"][0]["user_agent"] == "SomchaiBrowser/1.0"
    submission = records["submission"][0]
    assert (submission["final_score"], submission["feedback"]) == (7.0, "Well done Somchai")
    responses = {a["question_type"]: a["response"] for a in document["answers"]}
    assert responses["LONG_ANSWER"]["text"] == "My name is Somchai and I live here"
    assert responses["SINGLE_CHOICE"] == {"choice": 1}
    assert {e["kind"] for e in document["submission_events"]} >= {"STARTED", "SUBMITTED"}
    assert document["assessment_titles"] == {str(world.mine.assessment.id): "Quiz Somchai"}
    about = {e["action"] for e in document["audit_entries_about_student"]}
    assert {"parent.link", "assessment.excuse"} <= about
    # The uploaded drawing, byte for byte.
    [listed] = document["files"]
    with open(_stored_path(app, db, world.student), "rb") as source:
        assert archive.read(listed["path"]) == source.read()
    assert listed["path"].startswith("files/") and listed["path"].endswith("drawing-Somchai.png")

    # Nothing about the other student.
    for value in ("Malee", "malee@", "S-2002", "198.51.100.5", "MaleeBrowser"):
        assert value not in text, value
    for table, rows in records.items():
        columns = [c.name for t, c in catalog.user_columns() if t.name == table]
        for row in rows:
            assert world.student.id in [row[c] for c in columns], (table, row)
    assert all(name in ("student.json", listed["path"]) for name in archive.namelist())

    entry = db.scalar(select(AuditLog).where(AuditLog.action == "student.export"))
    assert (entry.actor_id, entry.entity_id, entry.ip) == (admin.id, world.student.id, "127.0.0.1")
    assert entry.details["files"] == 1
    assert "Somchai" not in json.dumps(entry.details)


def test_the_export_zip_is_written_in_chunks_as_it_streams(app, world, tmp_path):
    """Large files go through in 64 KiB pieces (the generator never holds a whole file)."""
    from lms.privacy.export import CHUNK, stream_zip

    big = tmp_path / "big.bin"
    big.write_bytes(random.Random(14).randbytes(CHUNK * 5))  # photos and PDFs hardly compress
    pieces = list(stream_zip({"hello": "world"}, [("files/big.bin", big), ("files/gone.bin", tmp_path / "gone")]))
    assert len(pieces) > 5
    archive = zipfile.ZipFile(io.BytesIO(b"".join(pieces)))
    assert archive.read("files/big.bin") == big.read_bytes()
    assert json.loads(archive.read("student.json")) == {"hello": "world"}
    assert "files/gone.bin" not in archive.namelist()


# --- erase -------------------------------------------------------------------------------------------


def test_a_student_who_has_not_left_cannot_be_erased(client, as_role, world, db):
    as_role("ADMIN")
    page = client.get(f"/students/{world.student.id}/erase").get_data(as_text=True)
    assert "Only a student who has left or graduated can be erased" in page
    assert 'name="confirmation"' not in page
    response = client.post(f"/students/{world.student.id}/erase", data={"confirmation": "S-1001"}, headers=HX)
    assert response.status_code == 422
    assert "Only a student who has left or graduated" in response.get_data(as_text=True)
    assert db.scalar(select(User.full_name).where(User.id == world.student.id)) == "Somchai Jaidee"
    assert db.count(AuditLog, AuditLog.action == "student.erase") == 0


def test_a_wrong_confirmation_erases_nothing(client, as_role, world, db, app):
    _set_status(app, world.student, "LEFT")
    as_role("ADMIN")
    page = client.get(f"/students/{world.student.id}/erase").get_data(as_text=True)
    assert "This cannot be undone." in page and "S-1001" in page and 'name="confirmation"' in page
    assert "1 uploaded files" in page
    path = _stored_path(app, db, world.student)
    for typed in ("", "S-100", "Somchai", "Malee Srisuk", "S-2002"):
        response = client.post(f"/students/{world.student.id}/erase", data={"confirmation": typed}, headers=HX)
        assert response.status_code == 422, typed
        body = response.get_data(as_text=True)
        assert ("Type the student" in body or "This field is required" in body) and "<html" not in body
    assert db.scalar(select(User.full_name).where(User.id == world.student.id)) == "Somchai Jaidee"
    assert db.scalar(select(StudentProfile.erased_at).where(StudentProfile.user_id == world.student.id)) is None
    assert db.count(LoginAttempt, LoginAttempt.user_id == world.student.id) == 1
    assert path.is_file()
    assert db.count(AuditLog, AuditLog.action == "student.erase") == 0


def _snapshot(db, student_id):
    """The figures that must survive erasure."""
    return {
        "submissions": db.count(Submission, Submission.student_id == student_id),
        "scores": db.scalar(select(func.sum(Submission.final_score)).where(Submission.student_id == student_id)),
        "answers": db.count(Answer, Answer.submission_id.in_(
            select(Submission.id).where(Submission.student_id == student_id))),
        "attendance": db.count(CourseSessionAttendance, CourseSessionAttendance.student_id == student_id),
        "enrollments": db.count(CourseSessionEnrollment, CourseSessionEnrollment.student_id == student_id),
        "memberships": db.count(ClassroomMembership, ClassroomMembership.student_id == student_id),
        "progress": db.count(SectionProgress, SectionProgress.student_id == student_id),
        "login_sessions": db.count(UserSession, UserSession.user_id == student_id),
        "reads": db.count(AnnouncementRead, AnnouncementRead.user_id == student_id),
    }


def test_erasing_removes_personal_data_everywhere_and_keeps_the_figures(client, as_role, auth, world, db, app):
    sid, oid = world.student.id, world.other.id
    _set_status(app, world.student, "GRADUATED")
    before, other_before = _snapshot(db, sid), _snapshot(db, oid)
    path, other_path = _stored_path(app, db, world.student), _stored_path(app, db, world.other)
    admin = as_role("ADMIN")

    response = client.post(f"/students/{sid}/erase", data={"confirmation": "  s-1001 "})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/students/{sid}")
    page = client.get(f"/students/{sid}").get_data(as_text=True)
    assert "personal data was erased" in page and f"Erased student #{sid}" in page

    user = db.get(User, sid)
    assert (user.full_name, user.email, user.username, user.password_hash, user.active) == (
        f"Erased student #{sid}", None, f"erased-{sid}", None, False)
    profile = db.get(StudentProfile, sid)
    assert (profile.student_number, profile.date_of_birth, profile.guardian_notes) == (None, None, "")
    assert profile.erased_at is not None and profile.status == "GRADUATED"
    assert _snapshot(db, sid) == before  # the figures stay
    assert db.scalars(select(UserSession.ip).where(UserSession.user_id == sid)) == [None]
    assert db.scalars(select(UserSession.user_agent).where(UserSession.user_id == sid)) == [None]
    for model, column in ((LoginAttempt, LoginAttempt.user_id), (Notification, Notification.user_id),
                          (ParentLink, ParentLink.student_id), (Resource, Resource.owner_id)):
        assert db.count(model, column == sid) == 0, model
    assert db.count(LoginAttempt, LoginAttempt.email == "somchai@school.example.org") == 0
    assert not path.exists()
    answers = {v.type: a for a, v in _answers(db, world.mine.submission_id)}
    assert answers["SINGLE_CHOICE"].response == {"choice": 1} and answers["SINGLE_CHOICE"].auto_points == 1
    assert answers["LONG_ANSWER"].response == {} and answers["FILE_UPLOAD"].response == {}
    assert answers["FILE_UPLOAD"].file_resource_id is None
    assert db.get(Submission, world.mine.submission_id).feedback == ""
    assert db.scalar(select(CourseSessionEnrollment.notes).where(CourseSessionEnrollment.student_id == sid)) is None
    assert db.scalar(select(CourseSessionEnrollment.exercise_content)
                     .where(CourseSessionEnrollment.student_id == sid)) is None

    # The audit log keeps who did what, without the student's email or name.
    link = db.scalar(select(AuditLog).where(AuditLog.action == "parent.link", AuditLog.entity_id == sid))
    assert "somchai" not in json.dumps(link.details).lower()
    erased = db.scalar(select(AuditLog).where(AuditLog.action == "student.erase"))
    assert (erased.actor_id, erased.entity_id, erased.ip) == (admin.id, sid, "127.0.0.1")
    assert erased.details["files"] == 1 and erased.details["notifications"] == 1
    details = json.dumps(erased.details, ensure_ascii=False).lower()
    assert "somchai" not in details and "s-1001" not in details
    everything = json.dumps([e.details for e in db.scalars(select(AuditLog))], ensure_ascii=False).lower()
    for value in ("somchai jaidee", "somchai@", "s-1001", "drawing-somchai"):
        assert value not in everything, value

    # The other student is untouched.
    assert _snapshot(db, oid) == other_before and other_path.is_file()
    assert db.scalar(select(User.full_name).where(User.id == oid)) == "Malee Srisuk"
    assert db.count(LoginAttempt, LoginAttempt.user_id == oid) == 1
    malee_link = db.scalar(select(AuditLog).where(AuditLog.action == "parent.link", AuditLog.entity_id == oid))
    assert malee_link.details["student"] == "malee@school.example.org"

    # Not listed among students any more; a second erasure is refused.
    listing = client.get("/students").get_data(as_text=True)
    assert "Erased student" not in listing and "Malee Srisuk" in listing
    again = client.get(f"/students/{sid}/erase").get_data(as_text=True)
    assert "already been erased" in again
    auth.logout()
    refused = client.post("/auth/login", data={"login": "somchai@school.example.org",
                                               "password": "correct-horse-battery"})
    assert refused.status_code != 303
    assert client.post("/auth/login", data={"login": f"erased-{sid}",
                                            "password": "correct-horse-battery"}).status_code != 303


def test_an_erased_student_account_cannot_be_reactivated(client, as_role, world, db):
    sid = world.student.id
    _set_status(client.application, world.student, "GRADUATED")
    as_role("ADMIN")
    assert client.post(f"/students/{sid}/erase", data={"confirmation": "S-1001"}).status_code == 303

    refused = client.post(f"/admin/users/{sid}/reactivate", headers=HX)
    assert refused.status_code in (409, 422)
    assert "personal data was erased" in refused.get_data(as_text=True)
    assert db.get(User, sid).active is False
    assert db.count(AuditLog, AuditLog.action == "user.reactivated") == 0


def _answers(db, submission_id):
    with db.ctx() as session:
        rows = session.execute(select(Answer, QuestionVersion).join(
            QuestionVersion, QuestionVersion.id == Answer.question_version_id)
            .where(Answer.submission_id == submission_id)).all()
        for answer, version in rows:
            session.expunge(answer)
            session.expunge(version)
        return rows


def test_the_full_name_confirms_too_and_the_student_is_signed_out(app, client, as_role, world, db):
    _set_status(app, world.student, "LEFT")
    student_browser = app.test_client()
    student_browser.post("/auth/login", data={"login": "somchai@school.example.org",
                                              "password": "correct-horse-battery"})
    assert student_browser.get("/me").status_code == 200
    as_role("ADMIN")
    response = client.post(f"/students/{world.student.id}/erase", data={"confirmation": "somchai  JAIDEE"},
                           headers=HX)
    assert response.status_code == 204 and response.headers["HX-Redirect"].endswith(f"/students/{world.student.id}")
    assert student_browser.get("/me").status_code in (302, 303)
    assert db.count(UserSession, UserSession.user_id == world.student.id, UserSession.ended_at.is_(None)) == 0


def test_erasing_removes_the_phone_photo_and_family_codes(app, client, as_role, make, db):
    from lms.common.types import utcnow
    from lms.profiles.models import PersonProfile
    from lms.school.models import FamilyCode

    student = make.student("P1/1", number="S-3003", full_name="Dao Dee")
    _set_status(app, student, "LEFT")
    admin = as_role("ADMIN")
    assert client.post(f"/people/{student.id}/photo", data={"photo": (io.BytesIO(png_bytes()), "dao.png")},
                       content_type="multipart/form-data").status_code in (200, 302, 303)
    client.post(f"/people/{student.id}/contact", data={"phone": "081-234-5678"})
    person = db.get(PersonProfile, student.id)
    assert person is not None and person.photo_name
    with app.app_context():
        photo_path = storage.path_of(person.photo_name)
    assert photo_path.exists()
    with db.ctx() as session:
        session.add(FamilyCode(student_id=student.id, code_hash="x" * 64, created_by_id=admin.id,
                               expires_at=utcnow() + timedelta(days=3)))
        session.commit()
    response = client.post(f"/students/{student.id}/erase", data={"confirmation": "S-3003"}, headers=HX)
    assert response.status_code == 204
    assert db.get(PersonProfile, student.id) is None
    assert db.count(FamilyCode, FamilyCode.student_id == student.id) == 0
    assert not photo_path.exists()


def test_erasing_clears_the_reason_of_an_extension_and_keeps_its_due_date(client, as_role, world, db, app):
    sid = world.student.id
    due = datetime(2030, 1, 2, 3, 0, tzinfo=UTC)
    with app.app_context():
        assessment_id = _db.session.get(Submission, world.mine.submission_id).assessment_id
        _db.session.add(AssessmentExtension(assessment_id=assessment_id, student_id=sid, due_at=due,
                                            reason="In hospital with dengue"))
        _db.session.commit()
        _db.session.remove()
    _set_status(app, world.student, "GRADUATED")
    as_role("ADMIN")

    assert client.post(f"/students/{sid}/erase", data={"confirmation": "S-1001"}).status_code == 303
    extension = db.scalar(select(AssessmentExtension).where(AssessmentExtension.student_id == sid))
    assert extension.reason == "" and extension.due_at == due


def test_erasing_takes_the_student_out_of_every_cohort_with_its_history(client, as_role, world, db, app):
    from lms.common.types import utcnow
    from lms.school.models import Cohort, CohortMembership

    sid = world.student.id
    with app.app_context():
        cohort = Cohort(name="Choir", name_key="choir")
        _db.session.add(cohort)
        _db.session.flush()
        _db.session.add_all([CohortMembership(cohort_id=cohort.id, student_id=sid, added_at=utcnow(),
                                              removed_at=utcnow()),
                             CohortMembership(cohort_id=cohort.id, student_id=sid, added_at=utcnow())])
        _db.session.commit()
        _db.session.remove()
    _set_status(app, world.student, "GRADUATED")
    as_role("ADMIN")
    assert client.post(f"/students/{sid}/erase", data={"confirmation": "S-1001"}).status_code == 303
    assert db.count(CohortMembership, CohortMembership.student_id == sid) == 0 and db.count(Cohort) == 1
