"""Thumbnails as a person sees them on a phone (390×844) and a desktop: a video shows its poster and
keeps its shape before it plays, a PDF's card shows its first page, the library's grid shows the
pictures; nothing overflows the screen."""

import pytest

from tests import sample_files
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.conftest import TEST_PASSWORD


@pytest.fixture(scope="module")
def mp4_video(tmp_path_factory):
    return sample_files.ffmpeg_video(tmp_path_factory.mktemp("videos"), "clip.mp4", 2, "320x240")


LOADED = """(selector) => Array.from(document.querySelectorAll(selector)).map(img => {
    const box = img.getBoundingClientRect();
    return {src: img.getAttribute('src'), loaded: img.complete && img.naturalWidth > 0,
            width: box.width, height: box.height, alt: img.alt};
})"""


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_posters_and_first_pages_are_shown_on_phone_and_desktop(device, open_page, live_server, make, mp4_video):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    section_id = make.tree(subject, {"Unit": {"Part": ["Watch and read"]}})["Watch and read"]
    video = make.resource(teacher, mp4_video, "clip.mp4", title="Test pattern", section_id=section_id)
    sheet = make.resource(teacher, sample_files.pdf_pages((595, 842)), "sheet.pdf", title="Worksheet",
                          section_id=section_id)

    page = open_page(device)
    sign_in(page, live_server, make.student("P1/1").email, TEST_PASSWORD)
    page.goto(f"{live_server}/sections/{section_id}")
    player = page.locator(".section-resources video")
    assert player.get_attribute("poster") == f"/resources/{video.id}/thumbnail"
    box = player.bounding_box()
    assert box["width"] > 0 and abs(box["height"] / box["width"] - 240 / 320) < 0.05, box  # its shape, reserved
    poster = page.evaluate("(url) => fetch(url).then(r => [r.status, r.headers.get('Content-Type')])",
                           player.get_attribute("poster"))
    assert poster == [200, "image/jpeg"]
    card = page.locator(".section-resources a.document-card")
    card.scroll_into_view_if_needed()
    page.wait_for_function("() => { const img = document.querySelector('.document-page'); "
                           "return img && img.complete && img.naturalWidth > 0; }")
    [first_page] = page.evaluate(LOADED, ".document-page")
    assert first_page["src"] == f"/resources/{sheet.id}/thumbnail" and first_page["alt"] == "First page of “Worksheet”"
    assert card.bounding_box()["height"] >= 44  # a tap target
    page.watcher.assert_no_horizontal_scroll()

    teacher_page = open_page(device)
    sign_in(teacher_page, live_server, teacher.email, TEST_PASSWORD)
    teacher_page.goto(f"{live_server}/resources")
    teacher_page.wait_for_function("() => Array.from(document.querySelectorAll('img.resource-thumb'))"
                                   ".every(img => img.complete && img.naturalWidth > 0)")
    thumbs = teacher_page.evaluate(LOADED, "img.resource-thumb")
    assert {t["src"] for t in thumbs} == {f"/resources/{video.id}/thumbnail", f"/resources/{sheet.id}/thumbnail"}
    assert all(t["loaded"] and 56 <= t["width"] == t["height"] <= 96 for t in thumbs), thumbs  # 4rem squares
    teacher_page.watcher.assert_no_horizontal_scroll()
