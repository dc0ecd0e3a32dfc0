"""Curriculum in a real browser: a teacher drags sections into a new order (desktop); a student
reads a section with an image and marks it done (phone)."""

from tests.browser.conftest import sign_in
from tests.conftest import TEST_PASSWORD
from tests.factories import png_bytes


def _section_titles(page):
    return [t.strip() for t in page.locator(".tree-section .node-title").all_inner_texts()]


def test_teacher_reorders_sections_by_drag_and_drop(desktop, live_server, make):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    make.tree(subject, {"Numbers": {"Counting": ["Ones", "Tens", "Hundreds"]}})
    sign_in(desktop, live_server, teacher.email, TEST_PASSWORD)
    desktop.goto(f"{live_server}/subjects/{subject.id}")
    assert _section_titles(desktop) == ["Ones", "Tens", "Hundreds"]
    source = desktop.locator(".tree-section", has_text="Hundreds").locator(".drag-handle")
    target = desktop.locator(".tree-section", has_text="Ones").locator(".drag-handle")
    with desktop.expect_response(lambda r: "/move" in r.url and r.status == 200):
        source.drag_to(target, steps=12, target_position={"x": 4, "y": 2})
    desktop.wait_for_function(
        "() => document.querySelector('.tree-section .node-title').textContent.trim() === 'Hundreds'")
    desktop.reload()
    assert _section_titles(desktop) == ["Hundreds", "Ones", "Tens"]
    # The keyboard alternative: focus "down" on Hundreds and press Enter.
    desktop.get_by_role("button", name="Move down Hundreds").focus()
    with desktop.expect_response(lambda r: "/move" in r.url and r.status == 200):
        desktop.keyboard.press("Enter")
    desktop.wait_for_function(
        "() => document.querySelector('.tree-section .node-title').textContent.trim() === 'Ones'")
    # The tree was replaced, and the focus is back on the same button for the next press.
    desktop.wait_for_function("() => document.activeElement.matches('.node-actions button')")
    focused = desktop.evaluate("() => document.activeElement.getAttribute('aria-labelledby')")
    assert focused.startswith("tree-down ")
    assert desktop.evaluate(f"() => document.getElementById('{focused.split()[1]}').textContent.trim()") == "Hundreds"
    desktop.reload()
    assert _section_titles(desktop) == ["Ones", "Hundreds", "Tens"]
    # Rename loads its form into the row; saving answers the tree with the new title.
    desktop.locator(".tree-section", has_text="Tens").get_by_role("button", name="Rename").click()
    desktop.get_by_label("New title for “Tens”").fill("Counting in tens")
    with desktop.expect_response(lambda r: "/rename" in r.url and r.request.method == "POST"):
        desktop.get_by_role("button", name="Save").click()
    desktop.wait_for_function("() => document.body.textContent.includes('Counting in tens')")
    assert _section_titles(desktop) == ["Ones", "Hundreds", "Counting in tens"]


def test_student_reads_a_section_on_a_phone_and_marks_it_done(phone, live_server, make):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Numbers": {"Counting": ["Counting in tens", "Comparing"]}})
    wide = png_bytes(size=(1600, 900), color=(20, 90, 160))
    image = make.resource(teacher, wide, "wide.png", title="Rows of dots", section_id=ids["Counting in tens"])
    from lms.curriculum.models import Section
    from lms.extensions import db

    with make.app.app_context():
        section = db.session.get(Section, ids["Counting in tens"])
        section.content = (f"## Tens\n\nA long line: {'tentententen' * 12}\n\n"
                           f"![dots](/resources/{image.id}/download)\n\n| a | b | c | d | e | f |\n|---|---|---|---|---|---|\n"
                           "| one | two | three | four | five | six |\n")
        db.session.commit()
        db.session.remove()
    student = make.student("P1/1")
    sign_in(phone, live_server, student.email, TEST_PASSWORD)
    phone.goto(f"{live_server}/subjects/{subject.id}")
    phone.click("text=Counting in tens")
    phone.wait_for_selector("h1:has-text('Counting in tens')")
    images = phone.locator(".section-page img")
    assert images.count() == 1  # shown in the text, so not repeated below it
    phone.wait_for_function("() => [...document.querySelectorAll('.section-page img')].every(i => i.complete)")
    widths = phone.evaluate("() => [...document.querySelectorAll('.section-page img')].map(i => i.clientWidth)")
    assert all(0 < w <= 390 for w in widths), widths
    phone.watcher.assert_no_horizontal_scroll()
    phone.click("button:has-text('Mark as done')")
    phone.wait_for_selector("text=Mark as not done")
    phone.click("text=Comparing")
    phone.wait_for_selector("h1:has-text('Comparing')")
    phone.goto(f"{live_server}/subjects/{subject.id}")
    assert "1 of 2 sections done" in phone.locator("main").inner_text()
    phone.watcher.assert_no_horizontal_scroll()


def test_a_refused_upload_keeps_the_teacher_on_the_section_editor_with_the_file_chosen(desktop, live_server, make, db):
    from lms.resources.models import Resource

    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Numbers": {"Counting": ["Ones"]}})
    editor = f"{live_server}/sections/{ids['Ones']}/edit"
    sign_in(desktop, live_server, teacher.email, TEST_PASSWORD)
    desktop.goto(editor)
    desktop.click("text=Upload a file or add a link")
    desktop.set_input_files("#resource-form input[type=file]",
                            files=[{"name": "apples.png", "mimeType": "image/png", "buffer": png_bytes()}])
    desktop.fill("#resource-form input[name=label]", "two words")  # a label is one word
    desktop.click("#resource-form button[type=submit]")
    desktop.wait_for_selector("#resource-form .field-error")
    assert desktop.url == editor
    assert "one short word" in desktop.locator("#resource-form").inner_text()
    assert desktop.evaluate("() => document.querySelector('#resource-form input[type=file]').files.length") == 1
    assert db.count(Resource) == 0

    desktop.fill("#resource-form input[name=label]", "apples")
    with desktop.expect_navigation():
        desktop.click("#resource-form button[type=submit]")
    desktop.wait_for_load_state("networkidle")
    assert desktop.url == editor
    assert "apples" in desktop.locator("#section-resources .attached-resources").inner_text()
    assert db.count(Resource) == 1
