"""Issue 18.1: who belongs to a centre (teachers, students, later supervisors): the search, adding
many at once or a whole classroom, removing, the CSV; a person's centres on their admin page."""

import csv
import io

from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.centres.models import CentreMembership

HTMX = {"HX-Request": "true"}


def _members(db, centre) -> set[int]:
    return set(db.scalars(select(CentreMembership.user_id).where(CentreMembership.centre_id == centre.id)))


def test_an_admin_finds_and_adds_teachers_and_students(client, as_role, make, db):
    centre = make.centre("North")
    teacher = make.user(role="TEACHER", full_name="Tida Teacher")
    students = [make.user(role="STUDENT", full_name=f"Somchai {i}") for i in range(3)]
    parent = make.user(role="PARENT", full_name="Somchai's mother")
    as_role("ADMIN")
    page = client.get(f"/admin/centres/{centre.id}/members").get_data(as_text=True)
    assert f'name="user_ids" value="{teacher.id}"' in page
    assert f'value="{parent.id}"' not in page  # parents and admins do not belong to centres
    # The search swaps only its results.
    found = client.get(f"/admin/centres/{centre.id}/members?q=somchai&role=STUDENT", headers=HTMX).get_data(as_text=True)
    assert found.lstrip().startswith('<form id="picker-results"') and "Somchai 0" in found and "Tida" not in found
    response = client.post(f"/admin/centres/{centre.id}/members",
                           data={"user_ids": [teacher.id, students[0].id, students[1].id]}, headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<div id="centre-people"')
    assert "3 people were added." in body and "3 members" in body
    assert _members(db, centre) == {teacher.id, students[0].id, students[1].id}
    assert db.count(AuditLog, AuditLog.action == "centre.add_members") == 1
    # Again: who was there already is said, nobody is added twice.
    body = client.post(f"/admin/centres/{centre.id}/members", data={"user_ids": [teacher.id, students[2].id]},
                       headers=HTMX).get_data(as_text=True)
    assert "1 person was added." in body and "Already members: Tida Teacher." in body
    assert len(_members(db, centre)) == 4


def test_adding_a_parent_or_an_unknown_id_adds_nobody(client, as_role, make, db):
    centre = make.centre("North")
    student = make.user(role="STUDENT")
    parent = make.user(role="PARENT")
    admin = as_role("ADMIN")
    for ids in ([student.id, parent.id], [student.id, admin.id], [student.id, 999999], ["x"], []):
        response = client.post(f"/admin/centres/{centre.id}/members", data={"user_ids": ids}, headers=HTMX)
        assert response.status_code == 422, ids
    assert _members(db, centre) == set()


def test_removing_a_member_and_the_csv(client, as_role, make, db):
    student = make.user(role="STUDENT", full_name="=Ploy", email="ploy@school.example.org")
    teacher = make.user(role="TEACHER", full_name="Krit")
    centre = make.centre("North", members=[student, teacher])
    as_role("ADMIN")
    response = client.get(f"/admin/centres/{centre.id}/members/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:2] == ["Name", "Role"]
    assert {r[0]: r[1] for r in rows[1:]} == {"'=Ploy": "Student", "Krit": "Teacher"}  # a formula is defused
    assert ["'=Ploy", "Student", "ploy@school.example.org"] in [r[:3] for r in rows]
    response = client.post(f"/admin/centres/{centre.id}/members/{student.id}/remove", headers=HTMX)
    assert response.status_code == 200 and "is no longer a member of the centre." in response.get_data(as_text=True)
    assert _members(db, centre) == {teacher.id}
    response = client.post(f"/admin/centres/{centre.id}/members/{student.id}/remove", headers=HTMX)
    assert response.status_code == 422 and "not a member of this centre" in response.get_data(as_text=True)


def test_a_whole_classroom_joins_a_centre(client, as_role, make, db):
    make.school()
    pupils = [make.student("P1/1") for _ in range(3)]
    already = pupils[0]
    centre = make.centre("North", members=[already])
    as_role("ADMIN")
    page = client.get(f"/admin/centres/{centre.id}/classrooms").get_data(as_text=True)
    assert 'name="classroom"' in page
    classroom_id = make.classroom("P1/1").id
    response = client.post(f"/admin/centres/{centre.id}/classrooms", data={"classroom": classroom_id})
    assert response.status_code == 303
    assert _members(db, centre) == {p.id for p in pupils}
    assert "2 people were added. 1 was a member already." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.post(f"/admin/centres/{centre.id}/classrooms", data={"classroom": ""}).status_code == 422
    assert client.post(f"/admin/centres/{centre.id}/classrooms", data={"classroom": "999999"}).status_code == 404


def test_a_persons_admin_page_lists_their_centres_only_with_several(client, as_role, make):
    student = make.user(role="STUDENT")
    make.centre("Lonely centre", members=[student])
    as_role("ADMIN")
    assert "Lonely centre" not in client.get(f"/admin/users/{student.id}").get_data(as_text=True)
    make.centre("Second centre")
    page = client.get(f"/admin/users/{student.id}").get_data(as_text=True)
    assert "Lonely centre" in page and "Second centre" not in page


def test_the_search_is_paginated(client, as_role, make):
    centre = make.centre("North")
    for i in range(30):
        make.user(role="STUDENT", full_name=f"Pupil {i:02d}")
    as_role("ADMIN")
    first = client.get(f"/admin/centres/{centre.id}/members?q=pupil", headers=HTMX).get_data(as_text=True)
    second = client.get(f"/admin/centres/{centre.id}/members?q=pupil&found=2", headers=HTMX).get_data(as_text=True)
    assert "Pupil 00" in first and "Pupil 29" not in first and "found=2" in first
    assert "Pupil 29" in second and "Pupil 00" not in second
