"""Students: list, search/filters, export, create/edit, placement history, promote, parents."""

import csv
import io

from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.auth.models import User
from lms.school.models import ClassroomMembership, ParentLink, StudentProfile

HX = {"HX-Request": "true"}


def memberships(db, student_id):
    return [(m.classroom.name, m.academic_year, m.status) for m in db.scalars(
        select(ClassroomMembership).where(ClassroomMembership.student_id == student_id)
        .order_by(ClassroomMembership.id))]


def test_list_search_and_filters(client, as_role, make):
    p1 = make.classroom("P1/1")
    p2 = make.classroom("P2/1")
    make.student(p1, full_name="Alpha One", number="A-1")
    make.student(p2, full_name="Beta Two", number="B-2")
    make.student(full_name="Gamma Unplaced", number="G-3", status="LEFT")
    as_role("ADMIN")
    page = client.get("/students").get_data(as_text=True)
    assert "Alpha One" in page and "Beta Two" in page and "Gamma Unplaced" in page
    assert page.index("Alpha One") < page.index("Beta Two") < page.index("Gamma Unplaced")
    assert "Beta Two" not in client.get("/students?q=alpha").get_data(as_text=True)
    assert "Alpha One" in client.get("/students?q=A-1").get_data(as_text=True)
    by_class = client.get(f"/students?classroom={p2.id}").get_data(as_text=True)
    assert "Beta Two" in by_class and "Alpha One" not in by_class
    by_level = client.get(f"/students?level={p1.level_id}").get_data(as_text=True)
    assert "Alpha One" in by_level and "Beta Two" not in by_level
    left = client.get("/students?status=LEFT").get_data(as_text=True)
    assert "Gamma Unplaced" in left and "Alpha One" not in left
    fragment = client.get("/students?q=beta", headers=HX)
    assert fragment.status_code == 200
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'id="student-list"' in body and "Beta Two" in body


def test_student_list_query_count_does_not_grow(client, as_role, make, count_queries):
    small = make.classroom("P1/1")
    large = make.classroom("P1/2")
    make.students(5, small)
    make.students(50, large)
    as_role("ADMIN")
    counts = []
    for room in (small, large):
        with count_queries() as counter:
            response = client.get(f"/students?classroom={room.id}&per_page=100")
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    with count_queries() as everyone:
        client.get("/students?per_page=100")
    assert everyone.count == counts[0]


def test_export_is_the_filtered_list_with_the_import_s_columns(client, as_role, make):
    p1 = make.classroom("P1/1")
    make.student(p1, full_name="สมชาย ใจดี", number="T-1")
    make.student("P2/1", full_name="Other Student", number="T-2")
    as_role("ADMIN")
    response = client.get(f"/students/export.csv?classroom={p1.id}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Student number", "Full name", "Email", "Username", "Classroom", "Date of birth", "Status"]
    assert [r[:2] + [r[4], r[6]] for r in rows[1:]] == [["T-1", "สมชาย ใจดี", "P1/1", "Active"]]


def test_admin_creates_a_student_in_a_classroom(client, as_role, make, db):
    p1 = make.classroom("P1/1")
    as_role("ADMIN")
    response = client.post("/students/new", data={
        "full_name": "New Kid", "email": "New.Kid@School.example.org", "student_number": "N100",
        "date_of_birth": "2019-05-14", "classroom_id": str(p1.id), "guardian_notes": "Grandmother picks up"})
    assert response.status_code == 303
    student = db.scalar(select(User).where(User.email == "new.kid@school.example.org"))
    assert student.role == "STUDENT"
    profile = db.get(StudentProfile, student.id)
    assert profile.student_number == "N100" and str(profile.date_of_birth) == "2019-05-14"
    assert memberships(db, student.id) == [("P1/1", "2026", "ACTIVE")]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "New Kid" in page and "Grandmother picks up" in page
    assert {"student.create", "student.enroll"} <= {e.action for e in db.scalars(select(AuditLog))}
    assert student.password_hash  # a random, forgotten password: unusable until invited


def test_student_number_and_email_must_be_unique(client, as_role, make, db):
    make.student(number="DUP-1", email="taken@school.example.org")
    as_role("ADMIN")
    before = db.count(User)
    number = client.post("/students/new", data={"full_name": "X", "email": "x@school.example.org",
                                                "student_number": "DUP-1"}, headers=HX)
    assert number.status_code == 422
    assert "Student number DUP-1 is already used" in number.get_data(as_text=True)
    email = client.post("/students/new", data={"full_name": "X", "email": "TAKEN@school.example.org",
                                               "student_number": "NEW-1"}, headers=HX)
    assert email.status_code == 422 and "already an account" in email.get_data(as_text=True)
    bad = client.post("/students/new", data={"full_name": "", "email": "nope", "student_number": "a b"},
                      headers=HX)
    assert bad.status_code == 422 and 'id="student-form"' in bad.get_data(as_text=True)
    assert db.count(User) == before


def test_admin_edits_a_student_and_leaving_ends_the_classroom(client, as_role, make, db):
    student = make.student("P1/1", number="E-1", full_name="Edit Me")
    as_role("ADMIN")
    form = client.get(f"/students/{student.id}/edit").get_data(as_text=True)
    assert 'value="E-1"' in form and 'value="Edit Me"' in form
    response = client.post(f"/students/{student.id}/edit", data={
        "full_name": "Edited Name", "email": student.email, "student_number": "E-2", "status": "LEFT",
        "guardian_notes": ""})
    assert response.status_code == 303
    assert db.get(User, student.id).full_name == "Edited Name"
    profile = db.get(StudentProfile, student.id)
    assert (profile.student_number, profile.status) == ("E-2", "LEFT")
    assert memberships(db, student.id) == [("P1/1", "2026", "LEFT")]
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "student.update"))
    assert entry.details["changes"]["status"] == ["ACTIVE", "LEFT"]


def test_moving_a_student_keeps_the_history(client, as_role, make, db):
    p1 = make.classroom("P1/1")
    p2 = make.classroom("P1/2")
    student = make.student(p1)
    as_role("ADMIN")
    client.post(f"/students/{student.id}/classroom", data={"classroom_id": str(p2.id)})
    assert memberships(db, student.id) == [("P1/1", "2026", "MOVED"), ("P1/2", "2026", "ACTIVE")]
    page = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert "Classroom history" in page and "Moved to another class" in page
    client.post(f"/students/{student.id}/classroom", data={"classroom_id": ""})
    assert memberships(db, student.id)[-1] == ("P1/2", "2026", "LEFT")


def test_at_most_one_current_classroom_per_year_is_enforced_by_the_database(app, make):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from lms.extensions import db as sa_db

    p1 = make.classroom("P1/1")
    p2 = make.classroom("P1/2")
    student = make.student(p1)
    with app.app_context():
        from datetime import date

        sa_db.session.add(ClassroomMembership(student_id=student.id, classroom_id=p2.id, academic_year="2026",
                                              started_on=date(2026, 5, 1)))
        with pytest.raises(IntegrityError):
            sa_db.session.commit()
        sa_db.session.rollback()


def test_promote_one_student_to_the_next_level(client, as_role, make, db):
    make.classroom("P1/1")
    make.classroom("P2/1")
    student = make.student("P1/1")
    as_role("ADMIN")
    page = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert "Promote now" in page and ">P2/1<" in page
    response = client.post(f"/students/{student.id}/promote", follow_redirects=True)
    assert "moved up to P2/1" in response.get_data(as_text=True)
    assert memberships(db, student.id) == [("P1/1", "2026", "PROMOTED"), ("P2/1", "2026", "ACTIVE")]
    assert db.scalar(select(AuditLog).where(AuditLog.action == "student.promote")).details["to_classroom"] == "P2/1"


def test_promote_without_a_target_classroom_explains_and_changes_nothing(client, as_role, make, db):
    student = make.student("P1/3")
    as_role("ADMIN")
    response = client.post(f"/students/{student.id}/promote", follow_redirects=True)
    assert "There is no P2/3 in 2026" in response.get_data(as_text=True)
    assert memberships(db, student.id) == [("P1/3", "2026", "ACTIVE")]


def test_promote_from_the_last_level_graduates(client, as_role, make, db):
    student = make.student("M6/1")
    as_role("ADMIN")
    client.post(f"/students/{student.id}/promote")
    assert memberships(db, student.id) == [("M6/1", "2026", "GRADUATED")]
    assert db.get(StudentProfile, student.id).status == "GRADUATED"


def test_admin_links_and_unlinks_a_parent(client, as_role, make, db):
    student = make.student("P1/1", full_name="Kid")
    parent = make.user(role="PARENT", full_name="Mum", email="mum@example.org")
    as_role("ADMIN")
    response = client.post(f"/students/{student.id}/parents", data={"email": "MUM@example.org"}, headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="parents"' in body and "Mum" in body and "<html" not in body
    assert db.count(ParentLink) == 1
    again = client.post(f"/students/{student.id}/parents", data={"email": "mum@example.org"}, headers=HX)
    assert again.status_code == 200 and db.count(ParentLink) == 1
    not_parent = client.post(f"/students/{student.id}/parents", data={"email": student.email}, headers=HX)
    assert not_parent.status_code == 422 and "no parent account" in not_parent.get_data(as_text=True)
    client.post(f"/students/{student.id}/parents/{parent.id}/delete", headers=HX)
    assert db.count(ParentLink) == 0
    actions = [e.action for e in db.scalars(select(AuditLog).where(AuditLog.action.notin_(("user.login", "user.logout"))).order_by(AuditLog.id))]
    assert actions == ["parent.link", "parent.unlink"]


def test_link_parent_service_for_the_invitation_flow(app, make):
    from lms.extensions import db as sa_db
    from lms.school.people import link_parent

    student = make.student("P1/1")
    parent = make.user(role="PARENT")
    with app.test_request_context():
        link = link_parent(None, sa_db.session.get(User, parent.id), sa_db.session.get(User, student.id))
        sa_db.session.commit()
        assert link.id and link.parent_id == parent.id


def test_only_admins_change_students(client, make, db):
    p1 = make.classroom("P1/1")
    student = make.student(p1)
    teacher = make.teacher(p1)
    client.post("/auth/login", data={"login": teacher.email, "password": "correct-horse-battery"})
    assert client.get(f"/students/{student.id}").status_code == 200
    assert client.get(f"/students/{student.id}/edit").status_code == 403
    assert client.post(f"/students/{student.id}/promote").status_code == 403
    assert client.post(f"/students/{student.id}/parents", data={"email": "x@example.org"}).status_code == 403
    assert client.get("/students/new").status_code == 403
    assert memberships(db, student.id) == [("P1/1", "2026", "ACTIVE")]


def test_filter_students_not_in_a_classroom(client, as_role, make):
    make.student("P1/1", full_name="Placed Pupil")
    make.student(full_name="Waiting Pupil")
    as_role("ADMIN")
    for query in ("classroom=none", "unplaced=1"):
        page = client.get(f"/students?{query}").get_data(as_text=True)
        assert "Waiting Pupil" in page and "Placed Pupil" not in page
