"""Issue 18.8: a light, dark or device theme per user, on <html> from the first byte."""

import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.auth.models import User
from lms.extensions import db as _db

HTMX = {"HX-Request": "true"}


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


def test_everyone_follows_their_device_until_they_choose(client, as_role):
    login_page = client.get("/auth/login").get_data(as_text=True)
    assert "data-theme" not in html_tag(login_page)  # anonymous pages: prefers-color-scheme decides
    assert '<meta name="color-scheme" content="light dark">' in login_page
    as_role("STUDENT")
    home = client.get("/").get_data(as_text=True)
    assert "data-theme" not in html_tag(home)
    assert 'id="theme-toggle"' in home and 'aria-pressed="true"' in home


def test_the_profile_page_remembers_the_choice_and_every_page_is_drawn_in_it(client, as_role, db):
    user = as_role("TEACHER")
    profile = client.get("/me").get_data(as_text=True)
    assert 'id="theme-form"' in profile and re.search(r'value="SYSTEM" checked', profile)
    response = client.post("/me/theme", data={"theme": "DARK", "next": "/me"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/me")
    assert db.get(User, user.id).theme == "DARK"
    profile = client.get("/me").get_data(as_text=True)
    assert html_tag(profile).endswith('data-theme="dark">') and re.search(r'value="DARK" checked', profile)
    assert '<meta name="color-scheme" content="dark">' in profile  # the browser's own canvas and controls too
    assert "Theme: Dark." in profile  # the flash says what was saved
    assert 'data-theme="dark"' in html_tag(client.get("/").get_data(as_text=True))
    client.post("/me/theme", data={"theme": "light"})  # any case
    assert 'data-theme="light"' in html_tag(client.get("/").get_data(as_text=True))
    client.post("/me/theme", data={"theme": "SYSTEM"})
    assert "data-theme" not in html_tag(client.get("/").get_data(as_text=True))


def test_the_header_toggle_answers_htmx_with_itself_and_the_theme_to_apply(client, as_role, db):
    user = as_role("PARENT")
    response = client.post("/me/theme", data={"theme": "DARK", "next": "/me"}, headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<li id="theme-toggle"') and "<details class=\"dropdown theme-menu\" open>" in body
    assert re.search(r'value="DARK" id="theme-choice-dark" class="[^"]*" aria-pressed="true"', body)
    assert 'name="next" value="/me"' in body  # a later choice without JavaScript comes back here
    assert json.loads(response.headers["HX-Trigger"]) == {"lms:theme": "dark"}
    assert db.get(User, user.id).theme == "DARK"
    response = client.post("/me/theme", data={"theme": "SYSTEM"}, headers=HTMX)
    assert json.loads(response.headers["HX-Trigger"]) == {"lms:theme": "system"}


@pytest.mark.parametrize("theme", ["", "PURPLE", "x" * 10_000, "system; DROP TABLE user"])
def test_a_theme_outside_the_three_is_refused_and_nothing_changes(client, as_role, db, theme):
    user = as_role("STUDENT")
    client.post("/me/theme", data={"theme": "LIGHT"})
    response = client.post("/me/theme", data={"theme": theme}, headers=HTMX)
    assert response.status_code == 422 and "HX-Trigger" not in response.headers
    assert "Choose light, dark or the same as this device." in response.get_data(as_text=True)
    plain = client.post("/me/theme", data={"theme": theme, "next": "/me"})
    assert plain.status_code == 303
    assert "Choose light, dark or the same as this device." in client.get("/me").get_data(as_text=True)
    assert db.get(User, user.id).theme == "LIGHT"


def test_a_nul_byte_is_refused_before_the_view(client, as_role, db):
    user = as_role("STUDENT")
    assert client.post("/me/theme", data={"theme": "DARK\x00"}, headers=HTMX).status_code == 400
    assert db.get(User, user.id).theme == "SYSTEM"


def test_next_only_follows_paths_of_this_site(client, as_role):
    as_role("STUDENT")
    response = client.post("/me/theme", data={"theme": "DARK", "next": "//evil.example.org/x"})
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_signed_out_visitors_cannot_choose(client):
    response = client.post("/me/theme", data={"theme": "DARK"})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_the_database_refuses_an_unknown_theme(app, make):
    user = make.user()
    with app.app_context():
        with pytest.raises(IntegrityError):
            _db.session.execute(sa.update(User).where(User.id == user.id).values(theme="PURPLE"))
            _db.session.flush()
        _db.session.rollback()
        assert _db.session.get(User, user.id).theme == "SYSTEM"  # the column's default


def test_an_admin_viewing_as_someone_keeps_their_own_theme_and_cannot_change_theirs(client, as_role, make, db):
    admin = as_role("ADMIN")
    client.post("/me/theme", data={"theme": "DARK"})
    student = make.user(role="STUDENT")
    assert client.post(f"/admin/users/{student.id}/view-as").status_code == 303
    page = client.get("/").get_data(as_text=True)
    assert 'data-theme="dark"' in html_tag(page) and 'id="theme-toggle"' not in page
    assert client.post("/me/theme", data={"theme": "LIGHT"}).status_code == 403
    assert db.get(User, student.id).theme == "SYSTEM" and db.get(User, admin.id).theme == "DARK"


def test_pages_for_printing_stay_light(client, as_role, make):
    make.school()
    classroom = make.classroom("P1/1")
    as_role("ADMIN")
    client.post("/me/theme", data={"theme": "DARK"})
    page = client.get(f"/classrooms/{classroom.id}/login-cards").get_data(as_text=True)
    assert 'data-theme="light"' in html_tag(page)


def test_the_chosen_dark_theme_and_the_devices_dark_theme_have_the_same_colours():
    css = (Path(__file__).parent.parent / "static/css/app.css").read_text()

    def declarations(block_start: str) -> list[str]:
        block = css[css.index(block_start) + len(block_start):]
        block = re.sub(r"/\*.*?\*/", "", block[:block.index("}")], flags=re.S)
        return sorted(d.strip() for d in block.split(";") if d.strip())

    chosen = declarations('[data-theme="dark"] {')
    device = declarations(":root:not([data-theme]) {")
    assert chosen and chosen == device
