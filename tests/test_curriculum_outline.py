"""Table-of-contents import: parsing (numbers or indentation), preview, create, re-paste, errors."""

import pytest
from sqlalchemy import select

from lms.curriculum.models import Part, Section, Unit
from lms.curriculum.outline import parse

HX = {"HX-Request": "true"}

NUMBERED = """1 Numbers to 100
1.1 Counting
1.1.1 Counting in ones
1.1.2 Counting in tens
1.2) Comparing
1.2.1 Bigger or smaller
Unit 2: Shapes
2.1. Flat shapes
2.1.1 Circles"""

INDENTED = """Numbers to 100
    Counting
        Counting in ones
        Counting in tens
    Comparing
        Bigger or smaller
Shapes
    Flat shapes
        - Circles"""


def tree_of(outline):
    return [(n.depth, n.title) for n in outline.walk()]


EXPECTED = [(1, "Numbers to 100"), (2, "Counting"), (3, "Counting in ones"), (3, "Counting in tens"),
            (2, "Comparing"), (3, "Bigger or smaller"), (1, "Shapes"), (2, "Flat shapes"), (3, "Circles")]


@pytest.mark.parametrize("text", [NUMBERED, INDENTED, INDENTED.replace("    ", "\t"),
                                  INDENTED.replace("    ", "  ")])
def test_numbering_and_indentation_give_the_same_tree(app, text):
    with app.test_request_context():
        outline = parse(text)
    assert outline.errors == []
    assert tree_of(outline) == EXPECTED


def test_blank_lines_windows_newlines_and_thai_titles(app):
    with app.test_request_context():
        outline = parse("1 จำนวนนับ\r\n\r\n1.1 การนับ\r\n1.1.1 นับทีละสิบ\r\n")
    assert outline.errors == []
    assert tree_of(outline) == [(1, "จำนวนนับ"), (2, "การนับ"), (3, "นับทีละสิบ")]


@pytest.mark.parametrize("text, line, message", [
    ("1 Numbers\n1.1.1 Skipped a part", 2, "A level is skipped"),
    ("1 Numbers\n1.1 Counting\n1.1.1 Ones\n1.1.1.1 Too deep", 4, "Too deep"),
    ("Numbers\n    Counting\n  Crooked", 3, "The indentation does not line up"),
    ("Numbers\n  Counting\n\tTabbed", 3, "mixes tabs and spaces"),
    ("1 Numbers\n1.1\n1.2 Adding", 2, "The title is empty."),
    ("  First indented\nLess indented than the first", 2, "The indentation does not line up"),
])
def test_malformed_lines_are_reported_with_their_line_numbers(app, text, line, message):
    with app.test_request_context():
        outline = parse(text)
    assert [e.line for e in outline.errors] == [line]
    assert message in outline.errors[0].message


@pytest.mark.parametrize("text, lines, message", [
    ("Table of contents\n" + NUMBERED, [1], "This line has no number but the other lines are numbered"),
    (NUMBERED.replace("1.2) Comparing", "Comparing"), [5], "This line has no number"),
    ("Numbers\nShapes\n3 Measures", [3], "This line is numbered but the other lines are not"),
    ("Numbers\n  Counting\n   Comparing", [3], "indented one space more than the line above"),
])
def test_mixed_styles_are_errors_with_line_numbers_not_a_flat_outline(app, text, lines, message):
    with app.test_request_context():
        outline = parse(text)
    assert [e.line for e in outline.errors] == lines
    assert all(message in e.message for e in outline.errors)


@pytest.fixture
def subject_page(make, auth):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    auth.login(teacher)
    return subject


def test_preview_shows_the_tree_and_creates_nothing(client, subject_page, db):
    url = f"/subjects/{subject_page.id}/import-outline"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"outline": NUMBERED, "action": "preview"}, headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'id="outline-preview"' in body
    assert "Will create 2 units, 3 parts and 4 sections" in body and "Circles" in body
    assert db.count(Unit) == 0


def test_create_then_repaste_creates_nothing_new(client, subject_page, db):
    url = f"/subjects/{subject_page.id}/import-outline"
    response = client.post(url, data={"outline": NUMBERED, "action": "create"})
    assert response.status_code == 303
    assert (db.count(Unit), db.count(Part), db.count(Section)) == (2, 3, 4)
    sections = db.scalars(select(Section).order_by(Section.part_id, Section.position))
    assert [s.title for s in sections][:2] == ["Counting in ones", "Counting in tens"]
    assert not any(s.published for s in sections)
    # The same outline again (other spacing and case, indented this time): nothing new.
    again = INDENTED.replace("Counting in tens", "counting   IN tens")
    preview = client.post(url, data={"outline": again, "action": "preview"}, headers=HX).get_data(as_text=True)
    assert "Nothing new" in preview
    response = client.post(url, data={"outline": again, "action": "create"}, follow_redirects=True)
    assert "Nothing new" in response.get_data(as_text=True)
    assert (db.count(Unit), db.count(Part), db.count(Section)) == (2, 3, 4)
    # A longer outline adds only what is new, under the existing nodes.
    client.post(url, data={"outline": NUMBERED + "\n2.1.2 Squares\n3 Time", "action": "create"})
    assert (db.count(Unit), db.count(Part), db.count(Section)) == (3, 3, 5)
    flat = db.scalar(select(Part).where(Part.title == "Flat shapes"))
    assert [s.title for s in db.scalars(select(Section).where(Section.part_id == flat.id)
                                        .order_by(Section.position))] == ["Circles", "Squares"]


def test_malformed_outline_creates_nothing_and_lists_the_lines(client, subject_page, db):
    url = f"/subjects/{subject_page.id}/import-outline"
    text = "1 Numbers\n1.1.1 No part\n1.2 Fine\n1.2.1.1 Too deep"
    response = client.post(url, data={"outline": text, "action": "create"}, headers=HX)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Line 2" in body and "Line 4" in body and "nothing was created" in body
    assert db.count(Unit) == 0 and db.count(Part) == 0
    preview = client.post(url, data={"outline": text, "action": "preview"}, headers=HX)
    assert preview.status_code == 422 and "Line 2" in preview.get_data(as_text=True)


def test_an_empty_outline_is_refused(client, subject_page, db):
    response = client.post(f"/subjects/{subject_page.id}/import-outline", data={"outline": "  \n "}, headers=HX)
    assert response.status_code == 422
    assert "Paste an outline" in response.get_data(as_text=True)


def test_only_the_subjects_teachers_import(client, make, auth):
    subject = make.subject("P1")
    auth.login(make.teacher())
    assert client.post(f"/subjects/{subject.id}/import-outline", data={"outline": "1 X"}).status_code == 404
