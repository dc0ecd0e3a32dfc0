"""A student's pages on a 390×844 phone: every tap target is at least 44×44 CSS px (WCAG 2.5.5),
apart from links inside sentences; nothing widens the page (wide Markdown tables and code blocks
scroll in their own box); a Markdown heading is smaller than the page title; the subject page
says where each assessment is and what the student has to do about it."""

from datetime import timedelta

from lms.common.types import utcnow
from lms.curriculum.models import Section
from lms.extensions import db as _db
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import TEST_PASSWORD
from tests.factories import ONE_OF_EACH

MIN = 44
TARGETS = "a, button, input, select, textarea, summary, [role=button], label"

WIDE_CONTENT = """# A heading inside the text

Read [the number line](https://example.org/number-line) before you start.

| Number | Tens | Ones | Written in words | Written in Thai digits | Doubled | Halved | Squared |
|--------|------|------|------------------|------------------------|---------|--------|---------|
| 42 | 4 | 2 | forty-two | ๔๒ | 84 | 21 | 1764 |
| 57 | 5 | 7 | fifty-seven | ๕๗ | 114 | 28.5 | 3249 |

```
for number in range(10, 100, 10): print(number, "is", number // 10, "tens and", number % 10, "ones")
```
"""

# Tap targets too small, with what they are; a link is exempt when it sits in a sentence
# (a paragraph with more text than the link) or in Markdown prose. A checkbox or radio counts
# with its label's box.
SMALL_TARGETS = """([selector, minimum]) => {
    const small = [];
    const inSentence = a => {
        if (a.closest('.user-content')) return true;
        const p = a.closest('p');
        return !!p && p.textContent.trim().length > a.textContent.trim().length;
    };
    for (const el of document.querySelectorAll(selector)) {
        if (el.tagName === 'A' && inSentence(el)) continue;
        let box = el;
        if (el.matches('input[type=checkbox], input[type=radio]') && el.labels && el.labels.length) box = el.labels[0];
        const r = box.getBoundingClientRect();
        const style = getComputedStyle(box);
        if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
        if (r.right <= 0 || r.left >= window.innerWidth) continue;  // the skip link, until focused
        if (r.width <= 1 || r.height <= 1) continue;  // visually hidden text for screen readers
        if (r.width < minimum || r.height < minimum) {
            small.push(`${Math.round(r.width)}×${Math.round(r.height)} ${el.outerHTML.slice(0, 140)}`);
        }
    }
    return small;
}"""


def assert_fits_a_phone(page, what: str):
    small = page.evaluate(SMALL_TARGETS, [TARGETS, MIN])
    assert small == [], f"{what}: tap targets under {MIN}×{MIN} px:\n" + "\n".join(small)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"{what}: the page is {width}px wide"


def _student_with_content(make, app):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Numbers": {"Tens": ["Counting in tens", "Place value"]}})
    with app.app_context():
        _db.session.get(Section, ids["Place value"]).content = WIDE_CONTENT
        _db.session.commit()
        _db.session.remove()
    student = make.student("P1/1")
    now = utcnow()
    quiz = make.assessment(teacher, title="Tens quiz", questions=ONE_OF_EACH[:4], section_id=ids["Counting in tens"],
                           publish=True, due_at=now + timedelta(days=3))
    done = make.assessment(teacher, title="Warm-up", section_id=ids["Counting in tens"], publish=True)
    make.attempt(student, done, {0: "1"})
    make.assessment(teacher, title="Last week's check", section_id=ids["Place value"], publish=True,
                    opens_at=now - timedelta(days=9), due_at=now - timedelta(days=2))
    make.notification(student)
    return subject, ids, student, quiz


def test_a_students_pages_have_large_tap_targets_on_a_phone(phone, live_server, live_app, make):
    subject, ids, student, quiz = _student_with_content(make, live_app)
    sign_in(phone, live_server, student.email, TEST_PASSWORD)

    assert_fits_a_phone(phone, "home")
    phone.click(".nav-compact summary")  # the menu, open
    assert_fits_a_phone(phone, "home with the menu open")
    phone.keyboard.press("Escape")

    for path in ("/subjects", f"/sections/{ids['Counting in tens']}", "/assessments", "/my/progress",
                 "/notifications", "/me"):
        phone.goto(f"{live_server}{path}")
        assert_fits_a_phone(phone, path)

    phone.goto(f"{live_server}/subjects/{subject.id}")
    assert_fits_a_phone(phone, "the subject page")
    assert_accessible(phone)
    states = phone.locator(".attached-assessment").all_inner_texts()
    assert any("Tens quiz" in s and "Counting in tens" in s and "Due" in s for s in states), states
    assert any("Warm-up" in s and "Done" in s for s in states), states
    assert any("Last week's check" in s and "Place value" in s and "Late: not accepted" in s for s in states), states

    phone.goto(f"{live_server}/sections/{ids['Place value']}")
    assert_fits_a_phone(phone, "a section with a wide table and a code block")
    assert_accessible(phone)
    for box in (".user-content table", ".user-content pre"):
        scrolls = phone.evaluate(f"""() => {{ const el = document.querySelector('{box}');
        return el.scrollWidth > el.clientWidth && getComputedStyle(el).overflowX === 'auto'; }}""")
        assert scrolls, f"{box} does not scroll in its own box"
    title, heading = (phone.evaluate(f"() => parseFloat(getComputedStyle(document.querySelector('{sel}')).fontSize)")
                      for sel in ("main h1", ".user-content h1"))
    assert heading < title, (title, heading)

    phone.goto(f"{live_server}/assessments/{quiz.id}")
    phone.click("button:has-text('Start')")
    phone.wait_for_selector("text=Question 1 of 4")
    assert_fits_a_phone(phone, "the take page")
