"""Issue 18.4 in a real browser: an admin builds a cohort across classrooms with the student picker
(htmx, and the confirmations), a tutor enrols it into their session in one step and reads who was
skipped; the pages are axe-clean in the dark theme too."""

from sqlalchemy import select, update

from lms.auth.models import User
from lms.school.models import CohortMembership
from lms.teaching.models import CourseSessionEnrollment
from tests.browser.conftest import DESKTOP, assert_accessible, sign_in
from tests.conftest import TEST_PASSWORD


def test_an_admin_builds_a_cohort_and_a_tutor_enrols_it(open_page, live_server, make, db):
    make.school()
    tutor = make.teacher("P1/1", full_name="Tess Tutor")
    course_session = make.course_session(tutor, name="Olympiad Saturday")
    anna = make.student("P1/1", full_name="Anna Maths")
    ben = make.student("P2/1", full_name="Ben Maths")
    make.student("P2/1", full_name="Cara Music")  # not found by "maths"
    make.enrollment(course_session, anna)  # already in the session: skipped, with the reason
    admin = make.user(role="ADMIN")
    with db.ctx() as session:
        session.execute(update(User).where(User.id == admin.id).values(theme="DARK"))
        session.commit()

    page = open_page(DESKTOP)
    sign_in(page, live_server, admin.email, TEST_PASSWORD)
    page.goto(f"{live_server}/cohorts")
    assert_accessible(page)
    page.click("summary:has-text('New cohort')")
    page.fill("#name", "Olympiad maths")
    page.click("button:has-text('Create the cohort')")
    page.wait_for_selector("h1:has-text('Olympiad maths')")
    page.evaluate("() => { window.lmsNoReload = true; }")
    page.fill("#picker-q", "maths")
    page.locator("#picker-results >> text=Cara Music").wait_for(state="detached")
    page.check("#picker-results label:has-text('Anna Maths') input")
    page.check("#picker-results label:has-text('Ben Maths') input")
    page.click("button:has-text('Add the chosen students')")
    page.locator("#members-heading:has-text('2 students')").wait_for()
    assert page.evaluate("() => window.lmsNoReload === true"), "the page was reloaded"
    assert_accessible(page)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[aria-label='Remove Ben Maths']")
    page.locator("#members-heading:has-text('1 student')").wait_for()
    page.fill("#picker-q", "ben")
    page.check("#picker-results label:has-text('Ben Maths') input")
    page.click("button:has-text('Add the chosen students')")
    page.locator("#members-heading:has-text('2 students')").wait_for()
    page.click("text=Membership history")
    assert page.locator("#cohort-history tbody tr").count() == 3  # Ben in, out and in again; Anna in
    assert_accessible(page)
    page.watcher.assert_no_horizontal_scroll()

    tutor_page = open_page(DESKTOP)
    sign_in(tutor_page, live_server, tutor.email, TEST_PASSWORD)
    tutor_page.goto(f"{live_server}/sessions/{course_session.id}/enrollments")
    tutor_page.select_option("select[name=cohort_id]", label="Olympiad maths (2 students)")
    tutor_page.click("button:has-text('Enrol the cohort')")
    result = tutor_page.locator(".cohort-result")
    result.wait_for()
    assert "1 student of “Olympiad maths” was enrolled." in result.inner_text()
    assert "Anna Maths — already in the session (Enrolled)" in result.inner_text()
    assert_accessible(tutor_page)
    enrolled = set(db.scalars(select(CourseSessionEnrollment.student_id).where(
        CourseSessionEnrollment.course_session_id == course_session.id)))
    assert enrolled == {anna.id, ben.id}
    assert db.count(CohortMembership, CohortMembership.removed_at.is_(None)) == 2
