"""Invitations that place a student in a classroom or link a parent to children (accounts × school)."""

from sqlalchemy import select

from lms.auth.models import Invitation, User
from lms.school.models import ClassroomMembership, ParentLink
from tests.conftest import TEST_PASSWORD, email_link


def _accept(app, path, name="New Person"):
    return app.test_client().post(path, data={
        "full_name": name, "password": TEST_PASSWORD, "confirm": TEST_PASSWORD})


def _link_from_outbox(outbox):
    return email_link(outbox[-1], "/auth/invite/")


def test_an_invited_student_joins_the_chosen_classroom_when_accepting(app, client, as_role, make, db, outbox):
    classroom = make.classroom("P1/1")
    as_role("ADMIN")
    response = client.post("/admin/invitations", data={"email": "kid@example.org", "role": "STUDENT",
                                                       "classroom_id": str(classroom.id)})
    assert response.status_code == 303
    invitation = db.scalar(select(Invitation).where(Invitation.email == "kid@example.org"))
    assert invitation.grants == {"classroom_id": classroom.id}
    assert b"P1/1" in client.get("/admin/invitations").data  # the list names the classroom

    assert _accept(app, _link_from_outbox(outbox)).status_code == 303
    kid = db.scalar(select(User).where(User.email == "kid@example.org"))
    membership = db.scalar(select(ClassroomMembership).where(ClassroomMembership.student_id == kid.id))
    assert membership.classroom_id == classroom.id and membership.status == "ACTIVE"


def test_an_invited_parent_follows_the_children_named_by_number(app, client, as_role, make, db, outbox):
    child = make.student("P2/1", number="S777")
    as_role("ADMIN")
    response = client.post("/admin/invitations", data={"email": "mum@example.org", "role": "PARENT",
                                                       "children": f"S777, {child.email}"})
    assert response.status_code == 303
    assert _accept(app, _link_from_outbox(outbox), "Mum").status_code == 303
    mum = db.scalar(select(User).where(User.email == "mum@example.org"))
    assert db.count(ParentLink, ParentLink.parent_id == mum.id, ParentLink.student_id == child.id) == 1


def test_unknown_children_are_refused_and_nothing_is_stored(client, as_role, make, db, outbox):
    as_role("ADMIN")
    response = client.post("/admin/invitations", data={"email": "dad@example.org", "role": "PARENT",
                                                       "children": "S404"}, headers={"HX-Request": "true"})
    assert response.status_code == 422 and b"S404" in response.data
    assert db.count(Invitation) == 0 and outbox == []


def test_a_teacher_invites_students_only_into_their_own_classrooms(client, as_role, make, db, outbox):
    mine, theirs = make.classroom("P1/1"), make.classroom("P2/1")
    teacher = as_role("TEACHER")
    make.assign(teacher, mine, role="HOMEROOM")
    page = client.get("/invitations").get_data(as_text=True)
    assert "P1/1" in page and "P2/1" not in page
    refused = client.post("/invitations", data={"email": "a@example.org", "role": "STUDENT",
                                                "classroom_id": str(theirs.id)}, headers={"HX-Request": "true"})
    assert refused.status_code == 422 and b"Choose one of your classrooms" in refused.data
    no_classroom = client.post("/invitations", data={"email": "b@example.org", "role": "STUDENT"},
                               headers={"HX-Request": "true"})
    assert no_classroom.status_code == 422
    assert db.count(Invitation) == 0
    ok = client.post("/invitations", data={"email": "c@example.org", "role": "STUDENT",
                                           "classroom_id": str(mine.id)})
    assert ok.status_code == 303 and db.count(Invitation) == 1


def test_bulk_invitations_take_a_classroom_or_children_column(client, as_role, make, db, outbox):
    make.classroom("P1/1")
    make.student("P1/1", number="S100")
    as_role("ADMIN")
    good = "email,name,role,extra\nk1@example.org,Kid One,STUDENT,P1/1\nm1@example.org,Mum One,PARENT,S100\n"
    preview = client.post("/admin/invitations/bulk", data={"text": good})
    assert preview.status_code == 200 and b"P1/1" in preview.data and db.count(Invitation) == 0
    sent = client.post("/admin/invitations/bulk", data={"text": good, "confirm": "1"})
    assert sent.status_code == 303 and db.count(Invitation) == 2
    bad = "k2@example.org,Kid Two,STUDENT,P9/9\nm2@example.org,Mum Two,PARENT,S100\n"
    refused = client.post("/admin/invitations/bulk", data={"text": bad, "confirm": "1"})
    assert b"Unknown classroom P9/9" in refused.data and db.count(Invitation) == 2


def test_the_student_page_offers_to_invite_a_parent(client, as_role, make):
    child = make.student("P1/1", number="S555")
    as_role("ADMIN")
    page = client.get(f"/students/{child.id}").get_data(as_text=True)
    assert "children=S555" in page
    form = client.get("/admin/invitations?role=PARENT&children=S555").get_data(as_text=True)
    assert 'value="S555"' in form
