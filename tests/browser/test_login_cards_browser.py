"""Login cards in a real browser: an admin prints a class's cards (desktop); a pupil signs in by QR
on a phone (390×844), chooses a password, signs out and in again with username + new password."""

import re

from sqlalchemy import update

from lms.auth.models import User
from lms.extensions import db as _db
from tests.browser.conftest import PHONE, assert_accessible, sign_in


def test_admin_prints_cards_and_a_pupil_signs_in_by_qr(desktop, open_page, live_server, live_app, make):
    make.organization(picture_password_levels="")  # this class signs in with passwords, not pictures
    classroom = make.classroom("P1/1")
    pupils = [make.student(classroom, full_name=name) for name in ("Mali Card", "Niran Card", "สมศรี ดีใจ")]
    with live_app.app_context():
        for i, pupil in enumerate(pupils, 1):
            _db.session.execute(update(User).where(User.id == pupil.id).values(email=None, username=f"card{i:02d}"))
        _db.session.commit()
    admin = make.user(role="ADMIN")
    sign_in(desktop, live_server, admin.email, "correct-horse-battery")
    desktop.goto(f"{live_server}/classrooms/{classroom.id}")
    desktop.click("text=Prepare sign-in / login cards")
    assert_accessible(desktop)
    desktop.click("#prepare-sign-in-form button[type=submit]")
    desktop.wait_for_selector("text=3 login cards made")
    assert desktop.locator(".login-card").count() == 3
    assert_accessible(desktop)
    # Printed: no menus, cards only, A4.
    desktop.emulate_media(media="print")
    assert not desktop.locator(".site-header").is_visible() and not desktop.locator(".site-footer").is_visible()
    assert not desktop.locator("#prepare-sign-in-form").is_visible()
    assert desktop.locator(".login-card").first.is_visible()
    pdf = desktop.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    desktop.emulate_media(media="screen")
    card = desktop.locator(".login-card", has_text="Mali Card")
    assert "card01" in card.inner_text()
    # The QR's link (the same the PDF's QR code encodes; decoded in tests/test_login_cards.py).
    svg = card.locator("svg").inner_html()
    assert svg
    with live_app.app_context():
        from lms.auth.login_cards import batch_cards, current_batch

        admin_user = _db.session.get(User, admin.id)
        cards = batch_cards(current_batch(admin_user, classroom))
        link = next(c.link for c in cards if c.username == "card01")
        _db.session.rollback()
    path = re.sub(r"^https?://[^/]+", "", link)

    phone = open_page(PHONE)
    phone.goto(f"{live_server}{path}")
    phone.wait_for_selector("text=Sign in as Mali?")
    assert_accessible(phone)
    phone.click("#qr-sign-in-form button[type=submit]")
    phone.wait_for_selector("text=Choose your own password")
    assert_accessible(phone)
    phone.watcher.assert_no_horizontal_scroll()
    phone.fill("input[name=password]", "mali-own-password")
    phone.fill("input[name=confirm]", "mali-own-password")
    phone.click("#choose-password-form button[type=submit]")
    phone.wait_for_selector("text=Your new password is saved")
    phone.goto(f"{live_server}/")
    phone.click("summary")
    phone.click("text=Sign out")
    phone.wait_for_selector("input[name=login]")
    sign_in(phone, live_server, "card01", "mali-own-password")
    assert "/auth/login" not in phone.url and "/auth/new-password" not in phone.url
    # The card was used: scanning it again changes nothing.
    phone.goto(f"{live_server}{path}")
    phone.wait_for_selector("text=This link cannot be used")
