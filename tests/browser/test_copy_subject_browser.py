"""Copying a subject in a real browser: a teacher copies this year's subject to next year's
classroom, reads the preview, confirms and lands on the copy; the same preview confirmed again in
a second tab lands on the same copy, and Back to the preview says the copy was made."""

from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import TEST_PASSWORD
from tests.factories import ONE_OF_EACH


def test_teacher_copies_a_subject_to_next_year(desktop, live_server, make, db):
    from sqlalchemy import select

    from lms.curriculum.models import Subject

    this_year = make.classroom("P1/1")
    next_year = make.classroom("P1/1", academic_year="2027")
    teacher = make.teacher(this_year)
    make.assign(teacher, next_year)
    subject = make.subject("P1/1", name="Maths P1/1", teachers=[teacher])
    ids = make.tree(subject, {"Numbers": {"Counting": ["Ones", "Tens"]}, "Shapes": {"Flat shapes": ["Squares"]}})
    make.resource(teacher, section_id=ids["Ones"], title="Dots")
    make.assessment(teacher, title="Counting quiz", questions=ONE_OF_EACH[:3], section_id=ids["Tens"], publish=True)

    sign_in(desktop, live_server, teacher.email, TEST_PASSWORD)
    desktop.goto(f"{live_server}/subjects/{subject.id}")
    desktop.get_by_role("button", name="Copy this subject").click()
    desktop.wait_for_selector("h1:has-text('Copy Maths P1/1')")
    assert desktop.get_by_label("Name of the copy").input_value() == "Maths P1/1 (copy)"
    desktop.get_by_label("Copy to").select_option(label="P1/1 of 2027 only")
    desktop.get_by_label("Name of the copy").fill("Maths P1/1 2027")
    assert_accessible(desktop)
    with desktop.expect_response(lambda r: "/copy?" in r.url):
        desktop.get_by_role("button", name="Preview the copy").click()
    preview = desktop.locator("#copy-preview")
    preview.wait_for()
    text = preview.inner_text()
    assert "A new subject “Maths P1/1 2027” for P1/1 of 2027 only" in text
    assert "2 units, 2 parts, 3 sections" in text
    assert "Resource links in sections: 1" in text and "Counting quiz — 3 questions" in text
    assert "the assessments arrive as drafts" in text
    assert_accessible(desktop)

    second_tab = desktop.context.new_page()
    second_tab.goto(desktop.url)  # the preview's address (htmx put it in the address bar)
    second_tab.locator("#copy-preview").wait_for()

    desktop.get_by_role("button", name="Copy the subject").click()
    desktop.wait_for_selector("h1:has-text('Maths P1/1 2027')")
    assert "Its assessments are drafts" in desktop.locator("body").inner_text()
    copy_url = desktop.url
    titles = [t.strip() for t in desktop.locator(".tree-section .node-title").all_inner_texts()]
    assert titles == ["Ones", "Tens", "Squares"]

    # The other tab confirms the same preview: the same copy, not a second one.
    second_tab.get_by_role("button", name="Copy the subject").click()
    second_tab.wait_for_selector("text=This copy was already made")
    assert second_tab.url == copy_url
    # Back to the preview: it says the copy was made, and opens it.
    desktop.go_back()
    desktop.wait_for_selector("text=This form has already made the copy “Maths P1/1 2027”.")
    desktop.get_by_role("button", name="Open the copy").click()
    desktop.wait_for_url(copy_url)
    assert db.count(Subject, Subject.name == "Maths P1/1 2027") == 1
    assert db.scalar(select(Subject.classroom_id).where(Subject.name == "Maths P1/1 2027")) == next_year.id
