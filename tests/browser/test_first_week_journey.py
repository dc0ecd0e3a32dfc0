"""The acceptance journey of a school's first week without email addresses.

An administrator (desktop) imports 30 pupils without email into P1/1 and prints their login cards;
the PDF holds 30 cards whose QR codes decode to working sign-in links. A pupil on a phone signs in
by QR, sets a picture password (P1 uses them), signs out and in again with it. Another pupil signs
in with username + one-time password and must choose their own (picture) password before anything.
"""

import re

from sqlalchemy import func, select

from lms.auth.models import User
from lms.extensions import db as _db
from lms.school.models import ClassroomMembership
from tests.browser.conftest import PHONE, assert_accessible, sign_in
from tests.browser.test_picture_password_browser import _press
from tests.conftest import TEST_PASSWORD
from tests.test_login_cards import qr_links

PUPILS = 30


def _pupils_csv() -> bytes:
    rows = ["student_number,full_name,email,username,classroom,date_of_birth,status"]
    rows += [f",Pupil {i:02d} Week,,,P1/1,2019-05-{i % 28 + 1:02d}," for i in range(1, PUPILS + 1)]
    return ("\n".join(rows) + "\n").encode()


def _import_the_class(desktop, live_server):
    desktop.goto(f"{live_server}/students/import")
    desktop.set_input_files("input[type=file]", files=[
        {"name": "p1-1.csv", "mimeType": "text/csv", "buffer": _pupils_csv()}])
    desktop.click("#import-form button[type=submit]")
    desktop.wait_for_selector(f"text={PUPILS} students are ready to import.")
    desktop.click(f"text=Import {PUPILS} students")
    desktop.wait_for_selector(f"text={PUPILS} students were imported.")


def _print_the_cards(desktop, live_server, classroom):
    desktop.goto(f"{live_server}/classrooms/{classroom.id}")
    desktop.click("text=Prepare sign-in / login cards")
    desktop.click("#prepare-sign-in-form button[type=submit]")
    desktop.wait_for_selector(f"text={PUPILS} login cards made")
    assert desktop.locator(".login-card").count() == PUPILS
    assert_accessible(desktop)
    page = desktop.content()
    cards = dict(zip(re.findall(r"<strong>([a-z0-9._-]+)</strong>", page),
                     re.findall(r"<code>([a-z0-9]+)</code>", page), strict=True))
    pdf = desktop.request.get(f"{live_server}/classrooms/{classroom.id}/login-cards.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    return cards, qr_links(pdf.body())


def test_a_class_without_email_gets_signed_in_in_its_first_week(desktop, open_page, live_server, live_app, make):
    classroom = make.classroom("P1/1")
    admin = make.user(role="ADMIN")
    sign_in(desktop, live_server, admin.email, TEST_PASSWORD)
    _import_the_class(desktop, live_server)
    with live_app.app_context():
        placed = _db.session.scalar(select(func.count()).select_from(ClassroomMembership)
                                    .where(ClassroomMembership.classroom_id == classroom.id))
        without_email = _db.session.scalar(select(func.count()).select_from(User)
                                           .where(User.full_name.like("Pupil % Week"), User.email.is_(None)))
        _db.session.rollback()
    assert placed == PUPILS and without_email == PUPILS

    cards, links = _print_the_cards(desktop, live_server, classroom)
    assert len(cards) == PUPILS
    assert len(set(links)) == PUPILS and all("/auth/qr/" in link for link in links)
    with live_app.app_context():  # which decoded QR code is whose card
        from lms.auth.login_cards import batch_cards, current_batch

        batch = batch_cards(current_batch(_db.session.get(User, admin.id), classroom))
        owner = {card.link: card.username for card in batch}
        _db.session.rollback()
    assert set(owner) == set(links)

    # A pupil scans their card on a phone and chooses a picture password.
    link = sorted(links)[0]
    username = owner[link]
    phone = open_page(PHONE)
    phone.goto(f"{live_server}{re.sub(r'^https?://[^/]+', '', link)}")
    phone.click("#qr-sign-in-form button[type=submit]")
    phone.wait_for_url("**/auth/picture-password/setup")
    assert_accessible(phone)
    _press(phone, ["fish", "star", "apple"])
    _press(phone, ["fish", "star", "apple"], last_leaves=True)
    phone.wait_for_url(f"{live_server}/")
    phone.click("summary")
    phone.click("text=Sign out")
    phone.wait_for_url("**/auth/login")
    phone.get_by_role("button", name="Sign in with pictures").click()
    phone.fill("#picture-login-name", username)
    phone.get_by_role("button", name="Next").click()
    _press(phone, ["fish", "star", "apple"], last_leaves=True)
    phone.wait_for_url(f"{live_server}/")
    phone.watcher.assert_no_horizontal_scroll()
    # The card's one-time password stopped working when the pictures replaced it.
    other_phone = open_page(PHONE)
    sign_in(other_phone, live_server, username, cards[username])
    assert "/auth/login" in other_phone.url

    # Another pupil types the username and one-time password from the card: they must choose their
    # own (picture) password before they can open anything else.
    second = next(name for name in sorted(cards) if name != username)
    tablet = open_page(PHONE)
    sign_in(tablet, live_server, second, cards[second])
    assert tablet.url.endswith("/auth/picture-password/setup")
    tablet.goto(f"{live_server}/subjects")
    assert tablet.url.endswith("/auth/picture-password/setup")
    _press(tablet, ["moon", "car", "tree"])
    _press(tablet, ["moon", "car", "tree"], last_leaves=True)
    tablet.wait_for_url(f"{live_server}/")
    tablet.goto(f"{live_server}/subjects")
    assert tablet.url.endswith("/subjects")
