"""Every kind of media a student meets, measured in a real browser on a phone (390×844) and a desktop:
files placed in a question by label (``[[media:label]]``), files attached to a section, and the
same question on the submitted attempt.  An audio player that renders 0 px tall cannot be played."""

import pytest
from sqlalchemy import select

from lms.assessments.models import Submission
from tests import sample_files
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.conftest import TEST_PASSWORD

MEASURE = """(selector) => Array.from(document.querySelectorAll(selector)).map(el => {
    const box = el.getBoundingClientRect();
    return {tag: el.tagName.toLowerCase(), width: box.width, height: box.height,
            controls: el.controls === undefined ? null : el.controls,
            visible: getComputedStyle(el).visibility !== 'hidden' && getComputedStyle(el).display !== 'none'};
})"""


def _media_course(make):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Sounds": {"Animals": ["Listen and choose"]}})
    section_id = ids["Listen and choose"]
    files = {
        "song": make.resource(teacher, sample_files.wav(), "song.wav", title="Cow song"),
        "clip": make.resource(teacher, sample_files.webm(), "clip.webm", title="Cow clip"),
        "pic": make.resource(teacher, None, "cow.png", title="Cow picture"),
        "sheet": make.resource(teacher, sample_files.pdf(), "sheet.pdf", title="Cow sheet"),
    }
    for name, data, filename in (("s-song", sample_files.wav(), "s-song.wav"),
                                 ("s-clip", sample_files.webm(), "s-clip.webm"),
                                 ("s-sheet", sample_files.pdf(), "s-sheet.pdf")):
        make.resource(teacher, data, filename, title=name, section_id=section_id)
    make.resource(teacher, None, "s-pic.png", title="s-pic", section_id=section_id)
    from tests.browser.test_user_content_browser import _web_link

    files["web"] = _web_link(make.app, teacher, "https://example.org/cows")
    text = "Listen: [[media:song]] Watch: [[media:clip]] Look: [[media:pic]] Read: [[media:sheet]] [[media:web]] Which animal?"
    quiz = make.assessment(teacher, title="Animal sounds", section_id=section_id, publish=True,
                           instructions="Play it first: [[media:song]]", media=list(files.items()),
                           questions=[{"type": "SHORT_ANSWER", "text": text, "key": {"accepted": ["cow"]},
                                       "points": 1}])
    return teacher, make.student("P1/1"), section_id, quiz


def _assert_media_usable(page, scope: str, *, links: int = 2):
    page.wait_for_load_state("networkidle")
    found = page.evaluate(MEASURE, f"{scope} audio, {scope} video, {scope} img")
    kinds = sorted(item["tag"] for item in found)
    assert {"audio", "video", "img"} <= set(kinds), found
    for item in found:
        assert item["visible"], item
        assert item["height"] > 0 and item["width"] > 0, f"{item['tag']} renders {item['width']}×{item['height']}px"
        if item["tag"] == "audio":
            assert item["height"] >= 24, f"audio player too short to tap: {item['height']}px"
        if item["tag"] in ("audio", "video"):
            assert item["controls"], item
    assert page.locator(f"{scope} a").count() >= links
    page.watcher.assert_no_horizontal_scroll()


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_kind_of_media_is_visible_and_playable_in_questions_sections_and_submissions(
        device, open_page, live_server, make, db):
    teacher, student, section_id, quiz = _media_course(make)
    page = open_page(device)
    sign_in(page, live_server, student.email, TEST_PASSWORD)

    page.goto(f"{live_server}/sections/{section_id}")
    _assert_media_usable(page, ".section-resources", links=1)

    page.goto(f"{live_server}/assessments/{quiz.id}")
    page.click("button:has-text('Start')")
    page.wait_for_selector(".take-question")
    _assert_media_usable(page, ".take-question .question-text")
    audio = page.locator(".take-question .question-text audio").first
    audio.scroll_into_view_if_needed()
    assert audio.is_visible()
    assert page.evaluate(MEASURE, ".instructions audio")[0]["height"] > 0

    page.locator(".take-question input[name=answer]").fill("cow")
    page.locator(".take-question .save-state .saved").wait_for()
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Submit my answers')")
    page.wait_for_selector("text=Your answers were submitted.")
    attempt = db.scalar(select(Submission))
    page.goto(f"{live_server}/submissions/{attempt.id}")
    _assert_media_usable(page, ".question-text")

    teacher_page = open_page(device)
    sign_in(teacher_page, live_server, teacher.email, TEST_PASSWORD)
    teacher_page.goto(f"{live_server}/submissions/{attempt.id}")
    _assert_media_usable(teacher_page, ".question-text")
    teacher_page.goto(f"{live_server}/assessments/{quiz.id}")
    _assert_media_usable(teacher_page, ".question-text")
