"""Issue 18.4: cohorts — named groups of students across classrooms, kept by admins and teachers,
with a student picker and a membership history; enrolling a whole cohort into a teaching session
is in tests/test_teaching_cohorts.py."""

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.audit.models import AuditLog
from lms.common.types import utcnow
from lms.extensions import db as _db
from lms.school.models import Cohort, CohortMembership, StudentProfile

HTMX = {"HX-Request": "true"}


@pytest.fixture
def school(make):
    make.school()
    return {"p1": [make.student("P1/1", full_name=f"Pim P1 {i}") for i in range(2)],
            "p2": [make.student("P2/1", full_name=f"Ploy P2 {i}") for i in range(2)]}


def _create(client, name="Olympiad maths", **extra):
    return client.post("/cohorts/new", data={"name": name, "description": "", **extra})


def _cohort(db, name="Olympiad maths") -> Cohort:
    return db.scalar(select(Cohort).where(Cohort.name == name))


def _current(db, cohort) -> set[int]:
    return set(db.scalars(select(CohortMembership.student_id).where(
        CohortMembership.cohort_id == cohort.id, CohortMembership.removed_at.is_(None))))


def test_an_admin_makes_a_cohort_across_classrooms_with_the_picker(client, as_role, school, db):
    as_role("ADMIN", full_name="Ada Admin")
    response = _create(client, "  Olympiad   maths ", description="Saturday mornings")
    cohort = _cohort(db)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/cohorts/{cohort.id}")
    assert cohort.description == "Saturday mornings"
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    for student in school["p1"] + school["p2"]:  # the picker offers every student an admin can see
        assert f'name="student_ids" value="{student.id}"' in page
    # Searching the picker (htmx) answers only its results.
    found = client.get(f"/cohorts/{cohort.id}?q=ploy", headers=HTMX).get_data(as_text=True)
    assert found.lstrip().startswith('<form id="picker-results"') and "Ploy P2 0" in found and "Pim" not in found
    chosen = [school["p1"][0].id, school["p2"][0].id]
    response = client.post(f"/cohorts/{cohort.id}/students", data={"student_ids": chosen}, headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<div id="cohort-people"')
    assert "2 students were added." in body and "2 students" in body
    assert f'name="student_ids" value="{school["p1"][0].id}"' not in body  # members leave the picker
    assert _current(db, cohort) == set(chosen)
    # Adding again says who was already there and adds nobody twice.
    client.post(f"/cohorts/{cohort.id}/students", data={"student_ids": [chosen[0], school["p1"][1].id]})
    assert "Already in the cohort: Pim P1 0." in client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert len(_current(db, cohort)) == 3
    listing = client.get("/cohorts").get_data(as_text=True)
    assert "Olympiad maths" in listing and "<td>3</td>" in listing


def _history(client, cohort) -> str:
    page = client.get(f"/cohorts/{cohort.id}/history").get_data(as_text=True)
    return page[page.index('<section id="cohort-history">'):page.index("</section>")]


def test_removing_keeps_the_history_with_who_and_when(client, as_role, school, db, auth, make):
    as_role("ADMIN", full_name="Ada Admin")
    _create(client)
    cohort = _cohort(db)
    pim = school["p1"][0]
    client.post(f"/cohorts/{cohort.id}/students", data={"student_ids": [pim.id]})
    response = client.post(f"/cohorts/{cohort.id}/students/{pim.id}/remove", headers=HTMX)
    assert response.status_code == 200 and "Pim P1 0 was removed from the cohort." in response.get_data(as_text=True)
    assert _current(db, cohort) == set()
    auth.logout()
    auth.login(make.user(role="ADMIN", full_name="Bea Admin"))
    client.post(f"/cohorts/{cohort.id}/students", data={"student_ids": [pim.id]})  # back again, by someone else
    rows = db.scalars(select(CohortMembership).where(CohortMembership.cohort_id == cohort.id)
                      .order_by(CohortMembership.id))
    assert len(rows) == 2 and rows[0].removed_at is not None and rows[1].removed_at is None
    history = _history(client, cohort)
    assert history.count("Pim P1 0") == 2 and history.count("Ada Admin") == 2 and history.count("Bea Admin") == 1
    assert "Still a member" in history
    assert history.index("Bea Admin") < history.index("Ada Admin")  # the latest change first
    # A student who leaves the school keeps their place in the history.
    with db.ctx() as session:
        session.get(StudentProfile, pim.id).status = "LEFT"
        session.commit()
    assert _history(client, cohort).count("Pim P1 0") == 2
    assert [a.action for a in db.scalars(select(AuditLog).where(AuditLog.entity_type == "Cohort")
                                         .order_by(AuditLog.id))] == [
        "cohort.create", "cohort.add_students", "cohort.remove_student", "cohort.add_students"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "olympiad MATHS", "Olympiad\tmaths"])
def test_bad_names_are_refused_and_nothing_is_stored(client, as_role, db, name):
    as_role("TEACHER")
    _create(client)
    response = client.post("/cohorts/new", data={"name": name}, headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and body.lstrip().startswith('<form id="cohort-form"')
    assert 'aria-invalid="true"' in body
    if name.strip() and len(name) < 100:
        assert "There is already a cohort called" in body  # whatever the case or the spaces
    assert db.count(Cohort) == 1


def test_a_too_long_description_is_refused(client, as_role, db):
    as_role("ADMIN")
    response = client.post("/cohorts/new", data={"name": "Choir", "description": "x" * 501}, headers=HTMX)
    assert response.status_code == 422 and db.count(Cohort) == 0


def test_bad_student_lists_add_nobody(client, as_role, school, db, make):
    teacher = as_role("TEACHER")
    make.assign(teacher, "P1/1")
    _create(client)
    cohort = _cohort(db)
    mine, not_mine = school["p1"][0], school["p2"][0]
    for ids in ([], ["abc"], [mine.id, not_mine.id], ["99999999"], ["1" * 40]):
        response = client.post(f"/cohorts/{cohort.id}/students", data={"student_ids": ids}, headers=HTMX)
        assert response.status_code == 422, ids
        assert 'class="flash flash-error"' in response.get_data(as_text=True)
    assert _current(db, cohort) == set()
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert f'value="{mine.id}"' in page and f'value="{not_mine.id}"' not in page  # the picker: own students
    client.post(f"/cohorts/{cohort.id}/students", data={"student_ids": [mine.id]})
    assert _current(db, cohort) == {mine.id}


def test_who_may_see_and_change_cohorts(client, as_role, school, db, make, auth):
    admin = make.user(role="ADMIN")
    auth.login(admin)
    _create(client, "Choir")
    choir = _cohort(db, "Choir")
    client.post(f"/cohorts/{choir.id}/students", data={"student_ids": [school["p2"][0].id]})
    auth.logout()
    teacher = as_role("TEACHER")
    # A teacher sees the admin's cohort (to enrol it) but may not change it.
    page = client.get(f"/cohorts/{choir.id}").get_data(as_text=True)
    assert "Ploy P2 0" in page and "Delete the cohort" not in page and 'id="picker-results"' not in page
    for url, data in ((f"/cohorts/{choir.id}/edit", {"name": "Mine"}), (f"/cohorts/{choir.id}/delete", {}),
                      (f"/cohorts/{choir.id}/students", {"student_ids": [school["p1"][0].id]}),
                      (f"/cohorts/{choir.id}/students/{school['p2'][0].id}/remove", {})):
        assert client.post(url, data=data).status_code == 403, url
    assert _cohort(db, "Choir") is not None and _current(db, choir) == {school["p2"][0].id}
    # Their own cohort they rename and delete.
    _create(client, "Chess club")
    chess = _cohort(db, "Chess club")
    assert chess.created_by_id == teacher.id
    assert client.post(f"/cohorts/{chess.id}/edit", data={"name": "Chess team", "description": "Fridays"}).status_code == 303
    assert _cohort(db, "Chess team").description == "Fridays"
    assert client.post(f"/cohorts/{chess.id}/edit", data={"name": "choir"}, headers=HTMX).status_code == 422
    assert client.get("/cohorts/999999").status_code == 404
    auth.logout()
    for role in ("STUDENT", "PARENT"):
        as_role(role)
        assert client.get("/cohorts").status_code == 403
        assert client.get(f"/cohorts/{choir.id}").status_code == 403
        auth.logout()


def test_deleting_asks_first_and_removes_the_cohort_and_its_history(client, as_role, school, db):
    as_role("ADMIN")
    _create(client, "Choir")
    choir = _cohort(db, "Choir")
    client.post(f"/cohorts/{choir.id}/students", data={"student_ids": [s.id for s in school["p1"]]})
    page = client.get(f"/cohorts/{choir.id}").get_data(as_text=True)
    assert 'hx-confirm="Delete the cohort “Choir” and its history?' in page
    response = client.post(f"/cohorts/{choir.id}/delete", headers=HTMX)
    assert response.status_code == 204 and response.headers["HX-Redirect"].endswith("/cohorts")
    assert db.count(Cohort) == 0 and db.count(CohortMembership) == 0
    assert "“Choir” was deleted." in client.get("/cohorts").get_data(as_text=True)


def test_the_list_searches_and_pages(client, as_role, db):
    as_role("ADMIN")
    for i in range(30):
        _create(client, f"Group {i:02d}")
    _create(client, "Olympiad maths")
    client.get("/cohorts")  # (shows the flashed messages)
    first = client.get("/cohorts").get_data(as_text=True)
    assert "Group 00" in first and "Group 29" not in first and "Page 1 of 2" in first
    assert "Group 29" in client.get("/cohorts?page=2").get_data(as_text=True)
    found = client.get("/cohorts?q=OLYMPIAD", headers=HTMX).get_data(as_text=True)
    assert found.lstrip().startswith('<section id="cohort-list"') and "Olympiad maths" in found and "Group" not in found
    assert "No cohorts match." in client.get("/cohorts?q=%25").get_data(as_text=True)  # % is a letter here


def test_the_database_keeps_one_current_membership_and_ordered_dates(app, make):
    student = make.student()
    with app.app_context():
        cohort = Cohort(name="C", name_key="c")
        _db.session.add(cohort)
        _db.session.flush()
        _db.session.add(CohortMembership(cohort_id=cohort.id, student_id=student.id, added_at=utcnow()))
        _db.session.flush()
        for bad in (CohortMembership(cohort_id=cohort.id, student_id=student.id, added_at=utcnow()),
                    CohortMembership(cohort_id=cohort.id, student_id=student.id, added_at=utcnow(),
                                     removed_at=utcnow().replace(year=2000))):
            with pytest.raises(IntegrityError), _db.session.begin_nested():
                _db.session.add(bad)
                _db.session.flush()
        with pytest.raises(IntegrityError), _db.session.begin_nested():
            _db.session.execute(sa.insert(Cohort).values(name="c", name_key="c"))
        _db.session.rollback()


def test_the_list_and_a_cohort_take_the_same_queries_for_more_rows(client, as_role, make, db, count_queries):
    as_role("ADMIN")
    _create(client, "Choir")
    choir = _cohort(db, "Choir")
    client.post(f"/cohorts/{choir.id}/students", data={"student_ids": [make.student("P1/1").id]})
    client.get("/cohorts")  # (the flashed messages)
    with count_queries() as few_list:
        client.get("/cohorts")
    with count_queries() as few_members:
        client.get(f"/cohorts/{choir.id}")
    with count_queries() as few_history:
        client.get(f"/cohorts/{choir.id}/history")
    client.post(f"/cohorts/{choir.id}/students", data={"student_ids": [s.id for s in make.students(8, "P1/1")]})
    for i in range(5):
        _create(client, f"Group {i}")
    client.get("/cohorts")
    with count_queries() as many_list:
        client.get("/cohorts")
    with count_queries() as many_members:
        client.get(f"/cohorts/{choir.id}")
    with count_queries() as many_history:
        client.get(f"/cohorts/{choir.id}/history")
    assert (many_list.count, many_members.count, many_history.count) == (
        few_list.count, few_members.count, few_history.count)
