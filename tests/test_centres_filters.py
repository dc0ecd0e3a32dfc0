"""Issue 18.1: lists and reports filter by centre (``?centre=<id>``), only once a second open centre
exists; a school with one site sees no centre filter anywhere."""

import csv
import io

from sqlalchemy import update

from lms.school.models import StudentProfile
from lms.teaching.models import CourseSession

FILTER = 'name="centre"'


def _csv_names(response) -> set[str]:
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    return {cell for row in rows[1:] for cell in row}


def test_one_site_has_no_centre_filter_two_sites_have_it(client, as_role, make):
    make.school()
    as_role("ADMIN")
    assert FILTER not in client.get("/students").get_data(as_text=True)
    make.centre("North")
    page = client.get("/students").get_data(as_text=True)
    assert FILTER not in page and ">Centres</th>" not in page  # one centre: one site
    south = make.centre("South")
    page = client.get("/students").get_data(as_text=True)
    assert FILTER in page and "All centres" in page and ">South</option>" in page
    # An archived second centre makes it one site again.
    client.post(f"/admin/centres/{south.id}/archive")
    page = client.get("/students").get_data(as_text=True)
    assert FILTER not in page
    for url in ("/staff", "/sessions", "/analytics/logins"):
        assert FILTER not in client.get(url).get_data(as_text=True), url


def test_students_and_staff_narrow_to_a_centre(client, as_role, make):
    make.school()
    ann, bee = make.student("P1/1", full_name="Ann North"), make.student("P1/1", full_name="Bee South")
    tom, tim = make.teacher(full_name="Tom North"), make.teacher(full_name="Tim South")
    north = make.centre("North", members=[ann, tom])
    make.centre("South", members=[bee, tim])
    as_role("ADMIN")
    page = client.get(f"/students?centre={north.id}").get_data(as_text=True)
    assert "Ann North" in page and "Bee South" not in page
    assert f'<option value="{north.id}" selected' in page
    names = _csv_names(client.get(f"/students/export.csv?centre={north.id}"))
    assert any("Ann North" in n for n in names) and not any("Bee South" in n for n in names)
    page = client.get(f"/staff?centre={north.id}").get_data(as_text=True)
    assert "Tom North" in page and "Tim South" not in page
    assert ">Centres</th>" in page and "<td>North</td>" in page
    page = client.get("/students").get_data(as_text=True)
    assert ">Centres</th>" in page and "<td>North</td>" in page and "<td>South</td>" in page
    # An id that is no centre is ignored: the whole list.
    for bad in ("999999", "abc", "-1", "99999999999999999999"):
        page = client.get(f"/students?centre={bad}").get_data(as_text=True)
        assert "Ann North" in page and "Bee South" in page, bad


def test_the_bulk_action_on_all_matching_keeps_the_centre(client, as_role, make, db):
    make.school()
    ann, bee = make.student("P1/1", full_name="Ann North"), make.student("P1/1", full_name="Bee South")
    north = make.centre("North", members=[ann])
    make.centre("South", members=[bee])
    as_role("ADMIN")
    page = client.get(f"/students?centre={north.id}").get_data(as_text=True)
    assert f'name="filter_centre" value="{north.id}"' in page
    data = {"action": "set_status", "target_status": "GRADUATED", "scope": "all", "filter_centre": north.id,
            "confirm": "1"}
    assert client.post("/students/bulk", data=data).status_code == 303
    assert db.get(StudentProfile, ann.id).status == "GRADUATED"
    assert db.get(StudentProfile, bee.id).status == "ACTIVE"


def test_teaching_sessions_and_login_sessions_narrow_to_a_centre(client, as_role, make, db):
    north, south = make.centre("North"), make.centre("South")
    alpha = make.course_session(name="Alpha north")
    beta = make.course_session(name="Beta south")
    with db.ctx() as session:
        session.execute(update(CourseSession).where(CourseSession.id == alpha.id).values(centre_id=north.id))
        session.execute(update(CourseSession).where(CourseSession.id == beta.id).values(centre_id=south.id))
        session.commit()
    admin = as_role("ADMIN")
    page = client.get(f"/sessions?centre={north.id}").get_data(as_text=True)
    assert "Alpha north" in page and "Beta south" not in page
    page = client.get("/sessions").get_data(as_text=True)
    assert "Alpha north" in page and "Beta south" in page and FILTER in page
    # Login sessions: the admin (in no centre) is left out when a centre is chosen.
    page = client.get("/analytics/logins").get_data(as_text=True)
    assert admin.full_name in page and FILTER in page
    assert admin.full_name not in client.get(f"/analytics/logins?centre={north.id}").get_data(as_text=True).split(
        'id="login-session-list"')[1]
    assert admin.full_name not in client.get(f"/analytics/logins.csv?centre={north.id}").get_data(as_text=True)


def test_the_analytics_overview_narrows_to_a_centre(client, as_role, make):
    admin = as_role("ADMIN", full_name="Ada Centre")  # signing in makes a login session
    north, south = make.centre("North", members=[admin]), make.centre("South")

    def overview(centre):
        page = client.get(f"/analytics?centre={centre.id}").get_data(as_text=True)
        return page.split('id="analytics-overview"')[1]

    def logins(centre):
        rows = list(csv.reader(io.StringIO(client.get(f"/analytics/export.csv?centre={centre.id}")
                                           .get_data(as_text=True).lstrip("\ufeff"))))
        return sum(int(row[2]) for row in rows[1:])

    assert "Ada Centre" in overview(north) and "Ada Centre" not in overview(south)
    assert logins(north) >= 1 and logins(south) == 0


def test_with_one_site_a_centre_in_the_address_is_ignored(client, as_role, make):
    make.school()
    ann = make.student("P1/1", full_name="Ann North")
    make.student("P1/1", full_name="Bee Nowhere")
    north = make.centre("North", members=[ann])
    as_role("ADMIN")
    page = client.get(f"/students?centre={north.id}").get_data(as_text=True)
    assert "Ann North" in page and "Bee Nowhere" in page and FILTER not in page
