"""The subject tree: add, rename, delete, publish, reorder and move — positions always dense."""

import pytest
from sqlalchemy import select

from lms.curriculum.models import Part, Section, Unit
from lms.resources.models import Resource, SectionResource

HX = {"HX-Request": "true"}


@pytest.fixture
def setup(make, auth):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {
        "Numbers": {"Counting": ["Ones", "Tens", "Hundreds"], "Adding": ["Sums"]},
        "Shapes": {"Flat": ["Circles"]},
    }, published=False)
    auth.login(teacher)
    return teacher, subject, ids


def titles(db, model, parent_attr, parent_id):
    rows = db.scalars(select(model).where(getattr(model, parent_attr) == parent_id).order_by(model.position))
    assert [r.position for r in rows] == list(range(len(rows))), "positions are not dense"
    return [r.title for r in rows]


def test_add_unit_part_and_section_answer_the_tree_fragment(client, setup, db):
    _teacher, subject, ids = setup
    response = client.post(f"/subjects/{subject.id}/units", data={"title": "  Time  "}, headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'id="subject-tree"' in body and "Time" in body
    assert "Added unit “Time”." in body  # the message region, out of band
    assert titles(db, Unit, "subject_id", subject.id) == ["Numbers", "Shapes", "Time"]
    unit = db.scalar(select(Unit).where(Unit.title == "Time"))
    assert client.post(f"/units/{unit.id}/parts", data={"title": "Clocks"}, headers=HX).status_code == 200
    part = db.scalar(select(Part).where(Part.title == "Clocks"))
    assert client.post(f"/parts/{part.id}/sections", data={"title": "O'clock"}, headers=HX).status_code == 200
    assert titles(db, Section, "part_id", part.id) == ["O'clock"]
    assert not db.scalar(select(Section).where(Section.title == "O'clock")).published


def test_an_empty_title_is_refused_and_nothing_is_added(client, setup, db):
    _teacher, subject, _ids = setup
    response = client.post(f"/subjects/{subject.id}/units", data={"title": "   "}, headers=HX)
    assert response.status_code == 422
    assert "Give a title." in response.get_data(as_text=True)
    assert db.count(Unit) == 2
    too_long = client.post(f"/subjects/{subject.id}/units", data={"title": "x" * 301}, headers=HX)
    assert too_long.status_code == 422 and db.count(Unit) == 2


def test_plain_form_posts_redirect_to_the_subject(client, setup):
    _teacher, subject, _ids = setup
    response = client.post(f"/subjects/{subject.id}/units", data={"title": "Plain"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/subjects/{subject.id}")


def test_rename(client, setup, db):
    _teacher, _subject, ids = setup
    response = client.post(f"/sections/{ids['Tens']}/rename", data={"title": "Counting in tens"}, headers=HX)
    assert response.status_code == 200 and "Counting in tens" in response.get_data(as_text=True)
    assert db.get(Section, ids["Tens"]).title == "Counting in tens"


def test_the_rename_form_is_loaded_into_the_row_on_demand(client, setup):
    _teacher, subject, ids = setup
    form = client.get(f"/parts/{ids['Counting']}/rename", headers=HX)
    body = form.get_data(as_text=True)
    assert form.status_code == 200 and "<html" not in body
    assert 'value="Counting"' in body and f'hx-post="/parts/{ids["Counting"]}/rename"' in body
    plain = client.get(f"/parts/{ids['Counting']}/rename")
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"/subjects/{subject.id}")


def test_delete_says_what_goes_with_it_and_keeps_positions_dense(client, setup, db, make):
    teacher, subject, ids = setup
    make.resource(teacher, section_id=ids["Ones"])
    page = client.get(f"/subjects/{subject.id}").get_data(as_text=True)
    assert "It contains 2 parts, 4 sections, 1 resource attachment, which will be deleted too" in page
    response = client.post(f"/units/{ids['Numbers']}/delete", headers=HX)
    assert response.status_code == 200
    assert "Deleted unit “Numbers” with 2 parts, 4 sections, 1 resource attachment." in response.get_data(as_text=True)
    assert titles(db, Unit, "subject_id", subject.id) == ["Shapes"]
    assert db.count(Section) == 1 and db.count(SectionResource) == 0
    assert db.count(Resource) == 1  # the resource stays in the library
    response = client.post(f"/sections/{ids['Circles']}/delete", headers=HX)
    assert "Deleted section “Circles”." in response.get_data(as_text=True)


def test_publish_and_publish_with_everything(client, setup, db):
    _teacher, _subject, ids = setup
    client.post(f"/sections/{ids['Ones']}/publish", data={"published": "1"}, headers=HX)
    assert db.get(Section, ids["Ones"]).published and not db.get(Part, ids["Counting"]).published
    client.post(f"/units/{ids['Numbers']}/publish", data={"published": "1", "with_children": "1"}, headers=HX)
    assert db.get(Unit, ids["Numbers"]).published
    assert db.get(Part, ids["Adding"]).published and db.get(Section, ids["Sums"]).published
    assert not db.get(Unit, ids["Shapes"]).published
    client.post(f"/units/{ids['Numbers']}/publish", data={"published": "0"}, headers=HX)
    assert not db.get(Unit, ids["Numbers"]).published and db.get(Section, ids["Sums"]).published


def test_drop_reorders_within_a_part(client, setup, db):
    _teacher, _subject, ids = setup
    response = client.post(f"/sections/{ids['Hundreds']}/move", data={"index": "0"}, headers=HX)
    assert response.status_code == 200
    assert titles(db, Section, "part_id", ids["Counting"]) == ["Hundreds", "Ones", "Tens"]


def test_drop_moves_a_section_to_another_part_and_a_part_to_another_unit(client, setup, db):
    _teacher, _subject, ids = setup
    client.post(f"/sections/{ids['Tens']}/move", data={"parent_id": ids["Flat"], "index": "1"}, headers=HX)
    assert titles(db, Section, "part_id", ids["Counting"]) == ["Ones", "Hundreds"]
    assert titles(db, Section, "part_id", ids["Flat"]) == ["Circles", "Tens"]
    client.post(f"/parts/{ids['Adding']}/move", data={"parent_id": ids["Shapes"], "index": "0"}, headers=HX)
    assert titles(db, Part, "unit_id", ids["Numbers"]) == ["Counting"]
    assert titles(db, Part, "unit_id", ids["Shapes"]) == ["Adding", "Flat"]
    # An index past the end puts it last.
    client.post(f"/units/{ids['Numbers']}/move", data={"index": "99"}, headers=HX)
    assert titles(db, Unit, "subject_id", _subject.id) == ["Shapes", "Numbers"]


def test_a_drop_into_another_subject_is_refused(client, setup, db, make):
    teacher, _subject, ids = setup
    other = make.subject("P1", name="Other", teachers=[teacher])
    other_ids = make.tree(other, {"U": {"P": ["S"]}})
    response = client.post(f"/sections/{ids['Tens']}/move", data={"parent_id": other_ids["P"], "index": "0"},
                           headers=HX)
    assert response.status_code == 404
    assert db.get(Section, ids["Tens"]).part_id == ids["Counting"]
    bad = client.post(f"/sections/{ids['Tens']}/move", data={"index": "x"}, headers=HX)
    assert bad.status_code == 422 and "Say where to move it." in bad.get_data(as_text=True)


def test_up_and_down_buttons_cross_into_the_neighbouring_part(client, setup, db):
    _teacher, _subject, ids = setup
    client.post(f"/sections/{ids['Tens']}/move", data={"direction": "up"}, headers=HX)
    assert titles(db, Section, "part_id", ids["Counting"]) == ["Tens", "Ones", "Hundreds"]
    # Down from the last section of "Counting" goes to the start of "Adding".
    client.post(f"/sections/{ids['Hundreds']}/move", data={"direction": "down"}, headers=HX)
    assert titles(db, Section, "part_id", ids["Counting"]) == ["Tens", "Ones"]
    assert titles(db, Section, "part_id", ids["Adding"]) == ["Hundreds", "Sums"]
    # Up from the first section of "Flat" (first part of "Shapes") goes to the end of "Adding".
    client.post(f"/sections/{ids['Circles']}/move", data={"direction": "up"}, headers=HX)
    assert titles(db, Section, "part_id", ids["Adding"]) == ["Hundreds", "Sums", "Circles"]
    # The first unit cannot go further up.
    client.post(f"/units/{ids['Numbers']}/move", data={"direction": "up"}, headers=HX)
    assert titles(db, Unit, "subject_id", _subject.id) == ["Numbers", "Shapes"]
    client.post(f"/parts/{ids['Flat']}/move", data={"direction": "up"}, headers=HX)
    assert titles(db, Part, "unit_id", ids["Numbers"]) == ["Counting", "Adding", "Flat"]


def test_another_teacher_and_students_cannot_change_the_tree(client, setup, auth, make, db):
    _teacher, subject, ids = setup
    auth.logout()
    stranger = make.teacher()
    auth.login(stranger)
    assert client.post(f"/sections/{ids['Tens']}/rename", data={"title": "X"}).status_code == 404
    auth.logout()
    auth.login(make.student("P1/1"))
    assert client.post(f"/sections/{ids['Tens']}/rename", data={"title": "X"}).status_code == 403
    assert db.get(Section, ids["Tens"]).title == "Tens"


def test_admin_edits_any_subject(client, setup, auth, make, db):
    _teacher, subject, ids = setup
    auth.logout()
    auth.login(make.user(role="ADMIN"))
    assert client.post(f"/units/{ids['Shapes']}/move", data={"direction": "up"}, headers=HX).status_code == 200
    assert titles(db, Unit, "subject_id", subject.id) == ["Shapes", "Numbers"]


def test_subject_page_query_count_does_not_grow_with_the_tree(client, make, auth, count_queries):
    teacher = make.teacher("P1/1")
    small = make.subject("P1", name="Small", teachers=[teacher])
    big = make.subject("P1", name="Big", teachers=[teacher])
    make.tree(small, {"U": {"P": ["S"]}})
    make.tree(big, {f"Unit {u}": {f"Part {u}.{p}": [f"Section {u}.{p}.{s}" for s in range(4)] for p in range(3)}
                    for u in range(4)})
    auth.login(teacher)
    client.get(f"/subjects/{small.id}")
    with count_queries() as few:
        client.get(f"/subjects/{small.id}")
    with count_queries() as many:
        page = client.get(f"/subjects/{big.id}").get_data(as_text=True)
    assert "Section 3.2.3" in page
    assert many.count == few.count
    student = make.student("P1/1")
    auth.logout()
    auth.login(student)
    with count_queries() as few:
        client.get(f"/subjects/{small.id}")
    with count_queries() as many:
        assert "Section 3.2.3" in client.get(f"/subjects/{big.id}").get_data(as_text=True)
    assert many.count == few.count
