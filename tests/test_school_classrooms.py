"""Classrooms: list by level, creation within the per-level limit, teachers, roster, archive."""

from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.school.models import Classroom, ClassroomMembership, Level, TeacherAssignment

HX = {"HX-Request": "true"}


def level_id(db, code):
    return db.scalar(select(Level.id).where(Level.code == code))


def test_list_groups_by_level_with_student_counts_and_homeroom(client, as_role, make):
    p1 = make.classroom("P1/1")
    make.classroom("P1/2")
    make.classroom("M2/1")
    make.students(3, p1)
    make.teacher(p1, full_name="Home Room")
    as_role("ADMIN")
    page = client.get("/classrooms").get_data(as_text=True)
    assert page.index(">P1/1<") < page.index(">P1/2<") < page.index(">M2/1<")
    assert "Prathom 1" in page and "Mathayom 2" in page
    assert "3 students" in page and "Home Room" in page and "No homeroom teacher" in page


def test_year_filter_and_htmx_fragment(client, as_role, make):
    make.classroom("P1/1", academic_year="2026")
    make.classroom("P3/1", academic_year="2025")
    as_role("ADMIN")
    page = client.get("/classrooms?year=2025").get_data(as_text=True)
    assert ">P3/1<" in page and ">P1/1<" not in page
    fragment = client.get("/classrooms?year=2025", headers=HX)
    assert fragment.status_code == 200
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'id="classrooms"' in body and ">P3/1<" in body


def test_admin_creates_a_classroom_with_the_next_free_number(client, as_role, make, db):
    make.school()
    make.classroom("P4/1")
    as_role("ADMIN")
    response = client.post("/classrooms", data={"level_id": level_id(db, "P4"), "number": "",
                                                "academic_year": "2026"}, headers=HX)
    assert response.status_code == 200
    assert "Classroom P4/2 created" in response.get_data(as_text=True)
    assert db.count(Classroom, Classroom.number == 2) == 1
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "classroom.create"))
    assert entry.details["name"] == "P4/2"


def test_seventh_class_of_a_level_is_refused_and_nothing_is_created(client, as_role, make, db):
    make.school()
    for n in range(1, 7):
        make.classroom(f"P1/{n}")
    as_role("ADMIN")
    before = db.count(Classroom)
    response = client.post("/classrooms", data={"level_id": level_id(db, "P1"), "number": "7",
                                                "academic_year": "2026"}, headers=HX)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "P1 already has 6 classrooms in 2026" in body and "Classes per level" in body
    assert db.count(Classroom) == before
    # Without a number the same rule applies; as a plain form post, the page shows the message.
    page = client.post("/classrooms", data={"level_id": level_id(db, "P1"), "academic_year": "2026"})
    assert page.status_code == 200 and "P1 already has 6 classrooms" in page.get_data(as_text=True)
    assert db.count(Classroom) == before


def test_the_limit_follows_the_organization_setting(client, as_role, make, db):
    make.school(classes_per_level=2)
    make.classroom("P1/1")
    make.classroom("P1/2")
    as_role("ADMIN")
    response = client.post("/classrooms", data={"level_id": level_id(db, "P1"), "academic_year": "2026"},
                           headers=HX)
    assert response.status_code == 422 and "P1 already has 2 classrooms" in response.get_data(as_text=True)
    # Another level or another year is fine.
    ok = client.post("/classrooms", data={"level_id": level_id(db, "P1"), "academic_year": "2027"}, headers=HX)
    assert ok.status_code == 200
    assert db.count(Classroom, Classroom.academic_year == "2027") == 1


def test_bad_classroom_input_is_refused_with_a_message(client, as_role, make, db):
    make.school()
    make.classroom("P2/1")
    as_role("ADMIN")
    duplicate = client.post("/classrooms", data={"level_id": level_id(db, "P2"), "number": "1",
                                                 "academic_year": "2026"}, headers=HX)
    assert duplicate.status_code == 422 and "P2/1 already exists in 2026" in duplicate.get_data(as_text=True)
    too_big = client.post("/classrooms", data={"level_id": level_id(db, "P2"), "number": "9",
                                               "academic_year": "2026"}, headers=HX)
    assert too_big.status_code == 422 and "between 1 and 6" in too_big.get_data(as_text=True)
    no_level = client.post("/classrooms", data={"level_id": "", "academic_year": "2026"}, headers=HX)
    assert no_level.status_code == 422
    assert db.count(Classroom) == 1


def test_teachers_cannot_create_or_change_classrooms(client, make, db):
    p1 = make.classroom("P1/1")
    teacher = make.teacher(p1)
    client.post("/auth/login", data={"login": teacher.email, "password": "correct-horse-battery"})
    assert client.post("/classrooms", data={"level_id": level_id(db, "P1"), "academic_year": "2026"}).status_code == 403
    assert client.post(f"/classrooms/{p1.id}/archive").status_code == 403
    assert client.post(f"/classrooms/{p1.id}/teachers", data={"teacher_id": teacher.id}).status_code == 403
    assert db.count(Classroom) == 1 and not db.get(Classroom, p1.id).archived


def test_classroom_page_shows_roster_and_teachers(client, as_role, make):
    p1 = make.classroom("P1/1")
    make.student(p1, full_name="Ann Pupil", number="N-001")
    make.student("P1/2", full_name="Elsewhere Pupil")
    make.teacher(p1, full_name="Hana Homeroom")
    make.teacher(p1, role="SUBJECT", subject_name="Mathematics", full_name="Max Maths")
    as_role("ADMIN")
    page = client.get(f"/classrooms/{p1.id}").get_data(as_text=True)
    assert "Ann Pupil" in page and "N-001" in page and "Elsewhere Pupil" not in page
    assert page.index("Hana Homeroom") < page.index("Max Maths") and "Mathematics" in page


def test_admin_assigns_and_replaces_the_homeroom_teacher(client, as_role, make, db):
    p1 = make.classroom("P1/1")
    first = make.teacher(p1, full_name="First Teacher")
    second = make.teacher(full_name="Second Teacher")
    as_role("ADMIN")
    response = client.post(f"/classrooms/{p1.id}/teachers", data={"teacher_id": second.id, "role": "HOMEROOM"},
                           headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="teachers"' in body and "<html" not in body and "Second Teacher" in body
    homerooms = db.scalars(select(TeacherAssignment).where(TeacherAssignment.role == "HOMEROOM"))
    assert [a.teacher_id for a in homerooms] == [second.id]
    assert first.id not in [a.teacher_id for a in db.scalars(select(TeacherAssignment))]
    subject = client.post(f"/classrooms/{p1.id}/teachers", data={"teacher_id": first.id, "role": "SUBJECT",
                                                                 "subject_name": "Science"}, headers=HX)
    assert subject.status_code == 200 and "Science" in subject.get_data(as_text=True)
    assert db.count(TeacherAssignment) == 2
    actions = [e.action for e in db.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert actions.count("classroom.assign_teacher") == 2 and "classroom.unassign_teacher" in actions


def test_only_teachers_can_be_assigned(client, as_role, make, db):
    p1 = make.classroom("P1/1")
    student = make.student(p1)
    as_role("ADMIN")
    response = client.post(f"/classrooms/{p1.id}/teachers", data={"teacher_id": student.id, "role": "HOMEROOM"},
                           headers=HX)
    assert response.status_code == 422
    assert db.count(TeacherAssignment) == 0


def test_admin_removes_a_teacher(client, as_role, make, db):
    p1 = make.classroom("P1/1")
    teacher = make.teacher(p1)
    assignment_id = db.scalar(select(TeacherAssignment.id))
    as_role("ADMIN")
    response = client.post(f"/classrooms/{p1.id}/teachers/{assignment_id}/delete", headers=HX)
    assert response.status_code == 200 and "no longer teaches" in response.get_data(as_text=True)
    assert db.count(TeacherAssignment) == 0
    # And the teacher no longer sees the classroom.
    client.post("/auth/logout")
    client.post("/auth/login", data={"login": teacher.email, "password": "correct-horse-battery"})
    assert client.get(f"/classrooms/{p1.id}").status_code == 404


def test_admin_adds_a_student_to_a_classroom_by_number(client, as_role, make, db):
    p1 = make.classroom("P1/1")
    p2 = make.classroom("P1/2")
    student = make.student(p1, number="X-77", full_name="Mover")
    as_role("ADMIN")
    response = client.post(f"/classrooms/{p2.id}/students", data={"student": "X-77"}, headers=HX)
    assert response.status_code == 200
    assert "Mover is now in P1/2" in response.get_data(as_text=True)
    memberships = db.scalars(select(ClassroomMembership).where(ClassroomMembership.student_id == student.id)
                             .order_by(ClassroomMembership.id))
    assert [(m.classroom_id, m.status) for m in memberships] == [(p1.id, "MOVED"), (p2.id, "ACTIVE")]
    unknown = client.post(f"/classrooms/{p2.id}/students", data={"student": "nobody"}, headers=HX)
    assert unknown.status_code == 422 and "No student has the number or email" in unknown.get_data(as_text=True)


def test_archive_restore_and_delete(client, as_role, make, db):
    p1 = make.classroom("P1/1")
    empty = make.classroom("P1/2")
    make.student(p1)
    as_role("ADMIN")
    client.post(f"/classrooms/{p1.id}/archive", data={"archived": "1"})
    assert db.get(Classroom, p1.id).archived
    client.post(f"/classrooms/{p1.id}/archive", data={"archived": "0"})
    assert not db.get(Classroom, p1.id).archived
    refused = client.post(f"/classrooms/{p1.id}/delete", follow_redirects=True)
    assert "Archive it instead" in refused.get_data(as_text=True)
    assert db.get(Classroom, p1.id) is not None
    client.post(f"/classrooms/{empty.id}/delete")
    assert db.get(Classroom, empty.id) is None


def test_archived_classrooms_take_no_new_students(client, as_role, make, db):
    room = make.classroom("P1/1", archived=True)
    make.student(number="Z1")
    as_role("ADMIN")
    response = client.post(f"/classrooms/{room.id}/students", data={"student": "Z1"}, headers=HX)
    assert response.status_code == 422 and "archived" in response.get_data(as_text=True)
    assert db.count(ClassroomMembership) == 0


def test_classroom_page_query_count_does_not_grow_with_the_roster(client, as_role, make, count_queries):
    small = make.classroom("P1/1")
    large = make.classroom("P1/2")
    make.students(5, small)
    make.students(50, large)
    for room in (small, large):
        make.teacher(room)
        make.teacher(room, role="SUBJECT", subject_name="Art")
    as_role("ADMIN")
    client.get(f"/classrooms/{small.id}")
    counts = []
    for room in (small, large):
        with count_queries() as counter:
            response = client.get(f"/classrooms/{room.id}")
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    # One query each for the roster's photos and parents' phones, the class code, the pending
    # registrations and the leaderboard switch (lms.rewards) on top of the page's ten.
    assert counts[0] <= 13, counts


def test_classroom_list_query_count_does_not_grow(client, as_role, make, count_queries):
    make.school()
    make.students(3, make.classroom("P1/1"))
    as_role("ADMIN")
    with count_queries() as small:
        client.get("/classrooms")
    for n in range(1, 5):
        room = make.classroom(f"P2/{n}")
        make.students(4, room)
        make.teacher(room)
    with count_queries() as large:
        client.get("/classrooms")
    assert small.count == large.count
