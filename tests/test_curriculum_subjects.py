"""Core subjects and subjects: creation, teachers (and the school's assignments), lists, visibility."""

from sqlalchemy import select

from lms.curriculum.models import CoreSubject, Subject, SubjectTeacher
from lms.school.models import Level, TeacherAssignment

HX = {"HX-Request": "true"}


def level_id(db, code):
    return db.scalar(select(Level.id).where(Level.code == code))


# --- core subjects ----------------------------------------------------------------------------


def test_admin_adds_renames_archives_and_deletes_core_subjects(client, as_role, make, db):
    make.school()
    as_role("ADMIN")
    response = client.post("/core-subjects", data={"name": "  Mathematics ", "description": "Numbers"}, headers=HX)
    assert response.status_code == 200
    assert "Core subject Mathematics added." in response.get_data(as_text=True)
    core = db.scalar(select(CoreSubject))
    assert core.name == "Mathematics"
    # A second one with the same name (any case) is refused, nothing stored.
    response = client.post("/core-subjects", data={"name": "mathematics"}, headers=HX)
    assert response.status_code == 422
    assert "There is already a core subject called mathematics." in response.get_data(as_text=True)
    assert db.count(CoreSubject) == 1
    response = client.post(f"/core-subjects/{core.id}", data={f"core{core.id}-name": "Maths",
                                                              f"core{core.id}-archived": "y"}, headers=HX)
    assert response.status_code == 200
    core = db.get(CoreSubject, core.id)
    assert core.name == "Maths" and core.archived
    response = client.post(f"/core-subjects/{core.id}/delete", headers=HX)
    assert response.status_code == 200 and db.count(CoreSubject) == 0


def test_a_core_subject_with_subjects_cannot_be_deleted(client, as_role, make, db):
    subject = make.subject("P1")
    as_role("ADMIN")
    response = client.post(f"/core-subjects/{subject.core_subject_id}/delete", headers=HX)
    assert response.status_code == 422
    assert "has subjects, so it cannot be deleted" in response.get_data(as_text=True)
    assert db.count(CoreSubject) == 1


def test_teachers_see_core_subjects_but_cannot_change_them(client, as_role, make):
    make.core_subject("Science")
    as_role("TEACHER")
    page = client.get("/core-subjects").get_data(as_text=True)
    assert "Science" in page and "Add a core subject" not in page
    assert client.post("/core-subjects", data={"name": "Art"}).status_code == 403


# --- creating subjects ------------------------------------------------------------------------


def test_admin_creates_a_level_subject_with_a_default_name(client, as_role, make, db):
    make.school()
    core = make.core_subject("Science")
    as_role("ADMIN")
    response = client.post("/subjects/new", data={"core_subject_id": core.id,
                                                  "audience": f"level:{level_id(db, 'P3')}"})
    assert response.status_code == 303
    subject = db.scalar(select(Subject))
    assert subject.name == "Science P3" and subject.classroom_id is None
    assert response.headers["Location"].endswith(f"/subjects/{subject.id}")


def test_a_teacher_creates_a_subject_for_their_classroom_and_teaches_it(client, auth, make, db):
    room = make.classroom("P1/1")
    teacher = make.teacher(room)
    core = make.core_subject("Thai")
    auth.login(teacher)
    form = client.get("/subjects/new").get_data(as_text=True)
    assert f"classroom:{room.id}" in form and "All of P1" in form
    assert "All of P2" not in form  # only the levels and classrooms they teach
    response = client.post("/subjects/new", data={"core_subject_id": core.id, "audience": f"classroom:{room.id}",
                                                  "name": "Thai for P1/1"})
    assert response.status_code == 303
    subject = db.scalar(select(Subject))
    assert subject.classroom_id == room.id
    assert db.scalar(select(SubjectTeacher.teacher_id)) == teacher.id
    # The school's records follow: a SUBJECT assignment with the subject's name.
    assignment = db.scalar(select(TeacherAssignment).where(TeacherAssignment.role == "SUBJECT"))
    assert (assignment.teacher_id, assignment.classroom_id, assignment.subject_name) == (teacher.id, room.id,
                                                                                         "Thai for P1/1")


def test_a_teacher_cannot_create_a_subject_for_a_level_they_do_not_teach(client, auth, make, db):
    make.classroom("P1/1")
    teacher = make.teacher("P1/1")
    other = make.classroom("P5/1")
    core = make.core_subject()
    auth.login(teacher)
    response = client.post("/subjects/new", data={"core_subject_id": core.id, "audience": f"classroom:{other.id}"})
    assert response.status_code == 200
    assert "Choose a level or a classroom you teach." in response.get_data(as_text=True)
    assert db.count(Subject) == 0


def test_subject_form_needs_a_core_subject_and_an_audience(client, as_role, make, db):
    make.school()
    as_role("ADMIN")
    response = client.post("/subjects/new", data={"name": "Nothing"})
    assert response.status_code == 200
    assert "This field is required." in response.get_data(as_text=True)
    assert db.count(Subject) == 0


def test_admin_adds_and_removes_a_teacher_of_a_classroom_subject(client, as_role, make, db):
    subject = make.subject("P2/1", name="Science P2/1")
    teacher = make.teacher(full_name="Nok Science")
    as_role("ADMIN")
    response = client.post(f"/subjects/{subject.id}/teachers", data={"teacher_id": teacher.id}, headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="subject-teachers"' in body and "<html" not in body and "Nok Science" in body
    assert db.count(TeacherAssignment, TeacherAssignment.subject_name == "Science P2/1") == 1
    response = client.post(f"/subjects/{subject.id}/teachers/{teacher.id}/delete", headers=HX)
    assert response.status_code == 200
    assert db.count(SubjectTeacher) == 0
    assert db.count(TeacherAssignment, TeacherAssignment.subject_name == "Science P2/1") == 0


def test_only_teacher_accounts_can_teach(client, as_role, make, db):
    subject = make.subject("P1")
    student = make.student("P1/1")
    as_role("ADMIN")
    response = client.post(f"/subjects/{subject.id}/teachers", data={"teacher_id": student.id}, headers=HX)
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)  # only teachers are offered
    assert db.count(SubjectTeacher) == 0


def test_renaming_a_classroom_subject_renames_the_assignment(client, auth, make, db):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1/1", name="Maths", teachers=[teacher])
    make.assign(teacher, "P1/1", subject_name="Maths")
    auth.login(teacher)
    response = client.post(f"/subjects/{subject.id}/edit", data={
        "core_subject_id": subject.core_subject_id, "audience": f"classroom:{subject.classroom_id}",
        "name": "Mathematics", "description": "Numbers and shapes"})
    assert response.status_code == 303
    names = db.scalars(select(TeacherAssignment.subject_name).where(TeacherAssignment.role == "SUBJECT"))
    assert names == ["Mathematics"]
    assert db.get(Subject, subject.id).description == "Numbers and shapes"


def test_archiving_hides_a_subject_from_students(client, auth, make, db):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    student = make.student("P1/1")
    auth.login(teacher)
    assert client.post(f"/subjects/{subject.id}/archive", data={"archived": "1"}).status_code == 303
    assert db.get(Subject, subject.id).archived
    auth.logout()
    auth.login(student)
    assert client.get(f"/subjects/{subject.id}").status_code == 404
    assert "Mathematics P1" not in client.get("/subjects").get_data(as_text=True)


# --- visibility -------------------------------------------------------------------------------


def test_who_sees_which_subject(client, auth, make):
    teacher = make.teacher("P1/1")
    p1 = make.subject("P1", name="Maths P1", teachers=[teacher])
    p1_1 = make.subject("P1/1", name="Thai P1/1", core="Thai")
    p1_2 = make.subject("P1/2", name="Thai P1/2", core="Thai")
    p2 = make.subject("P2", name="Maths P2")
    student = make.student("P1/1")
    parent = make.parent_of(student)
    expected = {
        teacher: {p1.id},
        student: {p1.id, p1_1.id},
        parent: {p1.id, p1_1.id},
    }
    for user, visible in expected.items():
        auth.login(user)
        for subject in (p1, p1_1, p1_2, p2):
            status = client.get(f"/subjects/{subject.id}").status_code
            assert status == (200 if subject.id in visible else 404), (user.role, subject.name)
        listing = client.get("/subjects").get_data(as_text=True)
        for subject in (p1, p1_1, p1_2, p2):
            assert (subject.name in listing) == (subject.id in visible)
        auth.logout()


def test_students_and_parents_cannot_edit(client, auth, make):
    subject = make.subject("P1")
    student = make.student("P1/1")
    auth.login(student)
    assert client.get(f"/subjects/{subject.id}/edit").status_code == 403
    assert client.post(f"/subjects/{subject.id}/units", data={"title": "X"}).status_code == 403


def test_a_teacher_who_does_not_teach_a_visible_subject_is_refused_edits(client, auth, make, db):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    other = make.teacher("P1/1", role="SUBJECT")  # sees the classroom, does not teach the subject
    auth.login(other)
    assert client.get(f"/subjects/{subject.id}").status_code == 404
    assert client.post(f"/subjects/{subject.id}/units", data={"title": "X"}).status_code == 404


def test_list_filters_and_htmx_fragment(client, as_role, make, db):
    make.subject("P1", name="Maths P1")
    make.subject("P2", name="Maths P2")
    make.subject("P1", core="Thai", name="Thai P1")
    make.subject("P1", name="Old maths", archived=True)
    as_role("ADMIN")
    page = client.get(f"/subjects?level={level_id(db, 'P1')}").get_data(as_text=True)
    assert "Maths P1" in page and "Thai P1" in page and "Maths P2" not in page and "Old maths" not in page
    core = db.scalar(select(CoreSubject.id).where(CoreSubject.name == "Thai"))
    fragment = client.get(f"/subjects?core={core}", headers=HX)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'id="subject-list"' in body
    assert "Thai P1" in body and "Maths P1" not in body
    assert "Old maths" in client.get("/subjects?archived=only").get_data(as_text=True)
    assert "Maths P2" in client.get("/subjects?q=p2").get_data(as_text=True)


def test_list_filters_by_teacher(client, as_role, make):
    teacher = make.teacher(full_name="Filter Teacher")
    make.subject("P1", name="Taught", teachers=[teacher])
    make.subject("P1", name="Untaught subject")
    as_role("ADMIN")
    page = client.get(f"/subjects?teacher={teacher.id}").get_data(as_text=True)
    assert "Taught" in page and "Untaught subject" not in page


def test_subject_list_query_count_does_not_grow(client, as_role, make, count_queries):
    teacher = make.teacher()
    for n in range(2):
        make.subject("P1", name=f"Subject {n}", teachers=[teacher])
    as_role("ADMIN")
    client.get("/subjects")
    with count_queries() as few:
        client.get("/subjects")
    for n in range(2, 12):
        make.subject("P2", name=f"Subject {n}", teachers=[teacher])
    with count_queries() as many:
        assert "Subject 11" in client.get("/subjects").get_data(as_text=True)
    assert many.count == few.count


def test_classroom_page_lists_its_subjects(client, as_role, make):
    room = make.classroom("P1/1")
    make.subject("P1", name="Level-wide maths")
    make.subject("P1/1", name="Own Thai", core="Thai")
    make.subject("P1/2", name="Other room Thai", core="Thai")
    as_role("ADMIN")
    page = client.get(f"/classrooms/{room.id}").get_data(as_text=True)
    assert 'id="classroom-subjects"' in page
    assert "Level-wide maths" in page and "Own Thai" in page and "Other room Thai" not in page
