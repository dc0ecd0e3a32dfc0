"""Issue 18.8: the light and dark themes in a real browser. Key pages have no serious or critical
axe violation (contrast included) in either theme; the header's toggle changes the theme at once
(htmx) or with a reload (no JavaScript); the chosen theme is there at the first paint."""

import pytest
from sqlalchemy import select, update

from lms.auth.models import User
from lms.curriculum.models import Subject, SubjectTeacher
from lms.demo import DEMO_PASSWORD
from lms.school.models import Classroom, Level
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, sign_in

DARK_BACKGROUND = "rgb(19, 23, 31)"  # Pico's dark --pico-background-color, rgb(19, 22.5, 30.5)
LIGHT_BACKGROUND = "rgb(255, 255, 255)"


def _background(page) -> str:
    return page.evaluate("() => getComputedStyle(document.documentElement).backgroundColor")


def _choose_for_everyone(db, theme: str) -> None:
    with db.ctx() as session:
        session.execute(update(User).values(theme=theme))
        session.commit()


def _teacher_pages(db, teacher_id: int) -> tuple[int, int]:
    """The demo teacher's P1 subject and the P1/1 classroom (its gradebook)."""
    with db.ctx() as session:
        subject_id = session.scalar(select(Subject.id).join(SubjectTeacher).join(Level)
                                    .where(SubjectTeacher.teacher_id == teacher_id, Level.code == "P1")
                                    .order_by(Subject.id))
        classroom_id = session.scalar(select(Classroom.id).join(Level)
                                      .where(Level.code == "P1", Classroom.number == 1))
    return subject_id, classroom_id


def _check(page, url: str, background: str):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert _background(page) == background, f"{url} is not in the expected theme"
    page.watcher.assert_no_horizontal_scroll()
    assert_accessible(page)


@pytest.mark.parametrize("theme", ["DARK", "LIGHT"])
def test_key_pages_are_accessible_in_both_themes(open_page, live_server, demo, db, theme):
    background = DARK_BACKGROUND if theme == "DARK" else LIGHT_BACKGROUND
    scheme = theme.lower()
    # Nobody is signed in on the login page: the device's setting decides.
    visitor = open_page({**PHONE, "color_scheme": scheme})
    _check(visitor, f"{live_server}/auth/login", background)

    # Signed in, the account's choice wins over the device's (the device says the opposite).
    _choose_for_everyone(db, theme)
    opposite = "light" if scheme == "dark" else "dark"
    student = open_page({**PHONE, "color_scheme": opposite})
    sign_in(student, live_server, "student@example.org", DEMO_PASSWORD)
    _check(student, f"{live_server}/", background)

    teacher = open_page({**DESKTOP, "color_scheme": opposite})
    sign_in(teacher, live_server, "teacher@example.org", DEMO_PASSWORD)
    subject_id, classroom_id = _teacher_pages(db, demo["teacher@example.org"])
    _check(teacher, f"{live_server}/subjects/{subject_id}", background)
    _check(teacher, f"{live_server}/classrooms/{classroom_id}/gradebook/{subject_id}", background)

    admin = open_page({**DESKTOP, "color_scheme": opposite})
    sign_in(admin, live_server, "admin@example.org", DEMO_PASSWORD)
    _check(admin, f"{live_server}/", background)
    _check(admin, f"{live_server}/analytics", background)  # the SVG charts
    _check(admin, f"{live_server}/admin/centres", background)

    # Tutoring centres and streams (issues 18 and 19), on the demo data.
    from lms.teaching.demo_tutoring import STUDY_GROUP
    from lms.teaching.models import CourseSession

    group = db.scalar(select(CourseSession.id).where(CourseSession.session_name == STUDY_GROUP))
    _check(teacher, f"{live_server}/sessions/{group}", background)
    _check(teacher, f"{live_server}/sessions/{group}/enrollments", background)
    _check(teacher, f"{live_server}/classrooms/{classroom_id}/stream", background)
    _check(student, f"{live_server}/my/sessions/{group}", background)
    _check(student, f"{live_server}/my/badges", background)
    supervisor = open_page({**DESKTOP, "color_scheme": opposite})
    sign_in(supervisor, live_server, "supervisor@example.org", DEMO_PASSWORD)
    _check(supervisor, f"{live_server}/supervision", background)
    parent = open_page({**PHONE, "color_scheme": opposite})
    sign_in(parent, live_server, "parent@example.org", DEMO_PASSWORD)
    _check(parent, f"{live_server}/my/children/{demo['student@example.org']}/sessions/{group}", background)
    _check(parent, f"{live_server}/messages", background)


def test_the_header_toggle_changes_the_theme_at_once_and_it_is_remembered(open_page, live_server, demo, db):
    _choose_for_everyone(db, "SYSTEM")
    page = open_page({**PHONE, "color_scheme": "light"})
    sign_in(page, live_server, "student@example.org", DEMO_PASSWORD)
    assert page.evaluate("() => document.documentElement.hasAttribute('data-theme')") is False
    page.evaluate("() => { window.lmsNoReload = true; }")
    page.click("#theme-toggle summary")
    page.click("#theme-choice-dark")
    page.wait_for_function("() => document.documentElement.dataset.theme === 'dark'")
    assert page.evaluate("() => window.lmsNoReload === true"), "the page was reloaded"
    assert page.locator("#theme-choice-dark").get_attribute("aria-pressed") == "true"
    assert page.locator("#theme-choice-dark").evaluate("(el) => el === document.activeElement")
    page.wait_for_function(f"() => getComputedStyle(document.documentElement).backgroundColor === '{DARK_BACKGROUND}'")
    assert_accessible(page)  # the open menu, in the new theme
    page.keyboard.press("Escape")
    # The next page is dark from its first byte: the server writes it on <html>.
    response = page.goto(f"{live_server}/my/sessions")
    assert 'data-theme="dark"' in response.text().split(">", 2)[1]
    page.click("#theme-toggle summary")
    page.click("#theme-choice-system")
    page.wait_for_function("() => !document.documentElement.hasAttribute('data-theme')")
    assert _background(page) == LIGHT_BACKGROUND  # the device is light


def test_the_toggle_and_the_profile_page_work_without_javascript(open_page, live_server, demo, db):
    _choose_for_everyone(db, "SYSTEM")
    page = open_page({**DESKTOP, "java_script_enabled": False})
    sign_in(page, live_server, "teacher@example.org", DEMO_PASSWORD)
    page.goto(f"{live_server}/me")
    page.click("#theme-toggle summary")
    page.click("#theme-choice-dark")
    page.wait_for_url(f"{live_server}/me")
    assert page.locator("html").get_attribute("data-theme") == "dark"
    assert page.locator('#theme-form input[value="DARK"]').is_checked()
    page.check('#theme-form input[value="LIGHT"]')
    page.click("#theme-form button[type=submit]")
    page.wait_for_url(f"{live_server}/me")
    assert page.locator("html").get_attribute("data-theme") == "light"
    assert "Theme: Light." in page.locator("#messages").inner_text()
