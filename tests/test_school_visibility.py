"""Who sees which classrooms and students (the rules every later domain builds on)."""

import re

import pytest
from sqlalchemy import select

from lms.auth.models import User
from lms.demo import DEMO_PASSWORD
from lms.school import people, services
from lms.school.models import Classroom, Level


def sign_in(client, email):
    response = client.post("/auth/login", data={"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 303


def classroom_id(db, name, year="2026"):
    code, number = name.split("/")
    return db.scalar(select(Classroom.id).join(Level).where(Level.code == code, Classroom.number == int(number),
                                                            Classroom.academic_year == year))


# --- acceptance, from outside, with the demo data -----------------------------------------


def test_teacher_sees_p1_1_and_its_students_and_gets_404_for_p2_1(client, demo, db):
    sign_in(client, "teacher@example.org")
    p1_1, p2_1 = classroom_id(db, "P1/1"), classroom_id(db, "P2/1")
    listing = client.get("/classrooms").get_data(as_text=True)
    assert ">P1/1<" in listing and ">P2/1<" not in listing
    page = client.get(f"/classrooms/{p1_1}")
    assert page.status_code == 200
    assert "Sam Student" in page.get_data(as_text=True)
    assert client.get(f"/students/{demo['student@example.org']}").status_code == 200
    assert client.get(f"/classrooms/{p2_1}").status_code == 404
    assert client.get(f"/students/{demo['student2@example.org']}").status_code == 404


def test_teacher_my_classes_lists_the_homeroom(client, demo, db):
    sign_in(client, "teacher@example.org")
    page = client.get("/my/classes").get_data(as_text=True)
    assert "P1/1" in page and "Homeroom teacher" in page and "P2/1" not in page
    nav = client.get("/").get_data(as_text=True)
    assert "My classes" in nav and ">Students<" not in nav


def test_parent_sees_their_child_and_gets_404_for_another(client, demo):
    sign_in(client, "parent@example.org")
    mine = client.get(f"/students/{demo['student@example.org']}")
    assert mine.status_code == 200 and "Sam Student" in mine.get_data(as_text=True)
    assert client.get(f"/students/{demo['student2@example.org']}").status_code == 404
    # "My children" goes straight to the only child.
    response = client.get("/my/children")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/students/{demo['student@example.org']}")


def test_parent_with_several_children_switches_between_them(client, make):
    first = make.student("P1/1", full_name="First Child")
    second = make.student("P3/2", full_name="Second Child")
    other = make.student("P1/1", full_name="Not Mine")
    parent = make.parent_of(first, second)
    client.post("/auth/login", data={"login": parent.email, "password": "correct-horse-battery"})
    overview = client.get("/my/children").get_data(as_text=True)
    assert "First Child" in overview and "Second Child" in overview and "P3/2" in overview
    page = client.get(f"/students/{first.id}").get_data(as_text=True)
    assert 'class="child-switcher"' in page
    assert f'href="/students/{second.id}"' in page and "Not Mine" not in page
    assert client.get(f"/students/{other.id}").status_code == 404
    # Parents have no classroom pages.
    assert client.get("/classrooms").status_code == 403


def test_student_sees_only_themselves(client, demo):
    sign_in(client, "student@example.org")
    assert client.get(f"/students/{demo['student@example.org']}").status_code == 200
    assert client.get(f"/students/{demo['student2@example.org']}").status_code == 404
    assert client.get("/students").status_code == 403
    assert client.get("/classrooms").status_code == 403


def test_admin_sees_everything(client, demo, db):
    sign_in(client, "admin@example.org")
    listing = client.get("/classrooms").get_data(as_text=True)
    for name in ("P1/1", "P1/2", "P6/2", "M1/1", "M6/2"):
        assert f">{name}<" in listing
    assert client.get(f"/classrooms/{classroom_id(db, 'P2/1')}").status_code == 200
    assert client.get(f"/students/{demo['student2@example.org']}").status_code == 200


def test_unknown_ids_are_404_not_500(client, demo):
    sign_in(client, "admin@example.org")
    assert client.get("/classrooms/999999").status_code == 404
    assert client.get("/students/999999").status_code == 404
    assert client.get(f"/students/{demo['teacher@example.org']}").status_code == 404  # not a student


# --- the service functions ------------------------------------------------------------------


def test_visibility_functions(app, make):
    p1 = make.classroom("P1/1")
    p2 = make.classroom("P2/1")
    mine = make.student(p1, full_name="In P1")
    theirs = make.student(p2, full_name="In P2")
    teacher = make.teacher(p1)
    subject_teacher = make.teacher(p2, role="SUBJECT", subject_name="Science")
    parent = make.parent_of(mine)
    admin = make.user(role="ADMIN")
    with app.test_request_context():
        def ids(stmt):
            return {obj.id for obj in services.db.session.scalars(stmt)}

        get = services.db.session.get
        assert ids(services.visible_classrooms(get(User, admin.id))) == {p1.id, p2.id}
        assert ids(services.visible_classrooms(get(User, teacher.id))) == {p1.id}
        assert ids(services.visible_classrooms(get(User, subject_teacher.id))) == {p2.id}
        assert ids(services.visible_classrooms(get(User, mine.id))) == {p1.id}
        assert ids(services.visible_classrooms(get(User, parent.id))) == set()
        assert ids(services.visible_students(get(User, admin.id))) == {mine.id, theirs.id}
        assert ids(services.visible_students(get(User, teacher.id))) == {mine.id}
        assert ids(services.visible_students(get(User, subject_teacher.id))) == {theirs.id}
        assert ids(services.visible_students(get(User, mine.id))) == {mine.id}
        assert ids(services.visible_students(get(User, parent.id))) == {mine.id}

        assert services.get_classroom_for(get(User, teacher.id), p1.id).name == "P1/1"
        with pytest.raises(services.NotFound):
            services.get_classroom_for(get(User, teacher.id), p2.id)
        with pytest.raises(services.NotFound):
            services.get_student_for(get(User, parent.id), theirs.id)
        with pytest.raises(services.NotFound):
            services.get_classroom_for(get(User, teacher.id), "abc")
        assert [u.id for u in services.children_of(get(User, parent.id))] == [mine.id]
        assert [u.id for u in services.teachers_of_classroom(get(Classroom, p1.id))] == [teacher.id]
        assert services.current_classroom_of(get(User, mine.id)).id == p1.id
        assert services.current_classroom_of(get(User, teacher.id)) is None


def test_teacher_no_longer_sees_a_student_who_moved_away(app, client, make):
    p1 = make.classroom("P1/1")
    p2 = make.classroom("P2/1")
    student = make.student(p1)
    teacher = make.teacher(p1)
    with app.test_request_context():
        people.enroll_student(None, services.db.session.get(User, student.id),
                                services.db.session.get(Classroom, p2.id))
        services.db.session.commit()
    client.post("/auth/login", data={"login": teacher.email, "password": "correct-horse-battery"})
    assert client.get(f"/students/{student.id}").status_code == 404


def test_teacher_student_list_shows_only_their_students(client, make):
    p1 = make.classroom("P1/1")
    make.student(p1, full_name="Alice Mine")
    make.student("P2/1", full_name="Bob Other")
    teacher = make.teacher(p1)
    client.post("/auth/login", data={"login": teacher.email, "password": "correct-horse-battery"})
    page = client.get("/students").get_data(as_text=True)
    assert "Alice Mine" in page and "Bob Other" not in page
    export = client.get("/students/export.csv").get_data(as_text=True)
    assert "Alice Mine" in export and "Bob Other" not in export
    # The classroom filter offers only their classrooms.
    assert re.search(r"<option value=\"\d+\" >P2/1", page) is None and "P2/1" not in page


@pytest.mark.parametrize("email, shown, hidden", [
    ("admin@example.org", ["Classrooms", "Students", "Staff", "Organization"], ["My classes", "My children"]),
    ("teacher@example.org", ["My classes"], ["Staff", "Organization", "My children"]),
    ("parent@example.org", ["My children"], ["Classrooms", "My classes", "Staff"]),
    ("student@example.org", [], ["Classrooms", "My classes", "My children", "Staff"]),
])
def test_navigation_by_role(client, demo, email, shown, hidden):
    sign_in(client, email)
    page = client.get("/").get_data(as_text=True)
    nav = page[page.index('<nav class="container site-nav"'):page.index("</nav>", page.index('<nav class="container'))]
    for label in shown:
        assert f">{label}</a>" in nav
    for label in hidden:
        assert f">{label}</a>" not in nav
