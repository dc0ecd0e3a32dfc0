"""Bulk actions on the students list: move, status, parents, export; all or nothing, audited."""

import csv
import io

import pytest
from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.auth.models import Invitation
from lms.school.models import ClassroomMembership, StudentProfile
from tests.conftest import email_link

HX = {"HX-Request": "true"}


def memberships(db, student_id):
    return [(m.classroom.name, m.status) for m in db.scalars(
        select(ClassroomMembership).where(ClassroomMembership.student_id == student_id)
        .order_by(ClassroomMembership.id))]


def bulk_audits(db):
    return [a for a in db.scalars(select(AuditLog).order_by(AuditLog.id)) if a.action.startswith("student.bulk_")]


def test_the_list_has_labelled_checkboxes_and_the_actions(client, as_role, make):
    student = make.student("P1/1", full_name="Alpha One")
    as_role("ADMIN")
    page = client.get("/students").get_data(as_text=True)
    assert f'name="student_id" value="{student.id}"' in page
    assert 'aria-label="Select Alpha One"' in page and 'aria-label="Select all on this page"' in page
    assert "the 1 matching the filter" in page
    assert 'value="move"' in page and 'value="set_status"' in page and 'value="export"' in page
    # "Prepare sign-in" is enabled (lms.school.views_cards registers the handler).
    assert 'value="prepare_sign_in"' in page and 'value="prepare_sign_in" disabled' not in page


def test_move_asks_first_then_moves_everyone_with_one_audit_entry(client, as_role, make, db):
    p1, p2 = make.classroom("P1/1"), make.classroom("P1/2")
    a = make.student(p1, full_name="Alpha One")
    b = make.student(full_name="Beta Two", status="LEFT")
    c = make.student(p2, full_name="Gamma Three")
    as_role("ADMIN")
    data = {"action": "move", "target_classroom": p2.id, "student_id": [a.id, b.id, c.id]}
    ask = client.post("/students/bulk", data=data, headers=HX)
    assert ask.status_code == 200
    body = ask.get_data(as_text=True)
    assert "<html" not in body and "Move 3 students to P1/2?" in body and "Alpha One, Gamma Three, Beta Two" in body
    assert memberships(db, a.id) == [("P1/1", "ACTIVE")]  # nothing yet

    done = client.post("/students/bulk", data={**data, "confirm": "1"}, headers=HX)
    assert done.status_code == 204 and done.headers["HX-Redirect"].startswith("/students")
    assert memberships(db, a.id) == [("P1/1", "MOVED"), ("P1/2", "ACTIVE")]
    assert memberships(db, b.id) == [("P1/2", "ACTIVE")]
    assert memberships(db, c.id) == [("P1/2", "ACTIVE")]
    assert db.get(StudentProfile, b.id).status == "ACTIVE"  # placed again: active, as a single move
    [audit] = bulk_audits(db)
    assert audit.action == "student.bulk_move" and audit.details["count"] == 3
    assert sorted(audit.details["student_ids"]) == sorted([a.id, b.id, c.id]) and audit.details["moved"] == 2
    assert "3 students are now in P1/2" in client.get("/students").get_data(as_text=True)


def test_without_javascript_the_confirmation_is_a_page_and_the_answer_a_redirect(client, as_role, make, db):
    p1 = make.classroom("P1/1")
    student = make.student(full_name="Plain Form")
    as_role("ADMIN")
    data = {"action": "move", "target_classroom": p1.id, "scope": "page", "page_id": [student.id]}
    page = client.post("/students/bulk", data=data)
    assert page.status_code == 200 and b"<html" in page.data and b"Move 1 student to P1/1?" in page.data
    assert b'name="page_id" value="%d"' % student.id in page.data
    done = client.post("/students/bulk", data={**data, "confirm": "1"})
    assert done.status_code == 303
    assert memberships(db, student.id) == [("P1/1", "ACTIVE")]


def test_an_archived_or_missing_classroom_moves_nobody(client, as_role, make, db):
    archived = make.classroom("P1/3", archived=True)
    student = make.student("P1/1")
    as_role("ADMIN")
    for target in (archived.id, 999999, ""):
        response = client.post("/students/bulk", data={"action": "move", "target_classroom": target,
                                                       "student_id": [student.id], "confirm": "1"}, headers=HX)
        assert response.status_code == 422
        assert b"Nothing was changed" in response.data
    assert b"is archived" in client.post("/students/bulk", data={
        "action": "move", "target_classroom": archived.id, "student_id": [student.id], "confirm": "1"}).data
    assert memberships(db, student.id) == [("P1/1", "ACTIVE")]
    assert bulk_audits(db) == []


@pytest.mark.parametrize("ids", [["999999"], ["abc"], []])
def test_unknown_or_bad_ids_change_nothing(client, as_role, make, db, ids):
    student = make.student("P1/1")
    as_role("ADMIN")
    response = client.post("/students/bulk", data={"action": "set_status", "target_status": "LEFT",
                                                   "student_id": [student.id, *ids] if ids else [],
                                                   "confirm": "1"}, headers=HX)
    assert response.status_code == 422 and b"Nothing was changed" in response.data
    assert db.get(StudentProfile, student.id).status == "ACTIVE" and bulk_audits(db) == []


def test_ids_of_teachers_or_parents_are_not_students(client, as_role, make, db):
    p1 = make.classroom("P1/1")
    student = make.student(p1)
    teacher = make.teacher(p1)
    as_role("ADMIN")
    response = client.post("/students/bulk", data={"action": "move", "target_classroom": p1.id,
                                                   "student_id": [student.id, teacher.id], "confirm": "1"}, headers=HX)
    assert response.status_code == 422 and b"not students you can see" in response.data
    assert db.count(ClassroomMembership) == 1


def test_set_status_left_takes_them_out_of_their_classroom(client, as_role, make, db):
    a, b = make.student("P1/1"), make.student("P1/1")
    as_role("ADMIN")
    ask = client.post("/students/bulk", data={"action": "set_status", "target_status": "LEFT",
                                              "student_id": [a.id, b.id]}, headers=HX)
    assert b"taken out of their classroom" in ask.data
    client.post("/students/bulk", data={"action": "set_status", "target_status": "LEFT",
                                        "student_id": [a.id, b.id], "confirm": "1"})
    assert memberships(db, a.id) == [("P1/1", "LEFT")] and db.get(StudentProfile, b.id).status == "LEFT"
    [audit] = bulk_audits(db)
    assert audit.details["status"] == "LEFT" and audit.details["count"] == 2
    bad = client.post("/students/bulk", data={"action": "set_status", "target_status": "EXPELLED",
                                              "student_id": [a.id], "confirm": "1"}, headers=HX)
    assert bad.status_code == 422 and b"Choose a valid status" in bad.data


def test_all_matching_reruns_the_filter_on_the_server(client, as_role, make, db, monkeypatch):
    p1, p2 = make.classroom("P1/1"), make.classroom("P2/1")
    inside = make.students(3, p1)
    outside = make.student(p2)
    as_role("ADMIN")
    data = {"action": "set_status", "target_status": "GRADUATED", "scope": "all", "filter_classroom": p1.id,
            # ids sent along are ignored for "all matching"
            "student_id": [outside.id], "confirm": "1"}
    assert client.post("/students/bulk", data=data).status_code == 303
    assert {db.get(StudentProfile, s.id).status for s in inside} == {"GRADUATED"}
    assert db.get(StudentProfile, outside.id).status == "ACTIVE"
    assert bulk_audits(db)[0].details["all_matching"] is True

    from lms.school import bulk
    monkeypatch.setattr(bulk, "MAX_SELECTION", 2)
    too_many = client.post("/students/bulk", data={**data, "target_status": "LEFT", "filter_classroom": "",
                                                   "filter_q": "bulk student"}, headers=HX)
    assert too_many.status_code == 422 and b"At most 2 students at a time" in too_many.data
    assert {db.get(StudentProfile, s.id).status for s in inside} == {"GRADUATED"}


def test_export_is_exactly_the_selection_in_the_export_columns(client, as_role, make, db):
    p1 = make.classroom("P1/1")
    a = make.student(p1, full_name="สมชาย ใจดี", number="T-1")
    make.student(p1, full_name="Not Chosen", number="T-2")
    as_role("ADMIN")
    response = client.post("/students/bulk", data={"action": "export", "student_id": [a.id], "confirm": "1"})
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Student number", "Full name", "Email", "Username", "Classroom", "Date of birth", "Status"]
    assert [r[:2] for r in rows[1:]] == [["T-1", "สมชาย ใจดี"]]
    assert bulk_audits(db)[0].action == "student.bulk_export"


def test_teachers_export_their_own_students_only_and_change_nothing(client, make, db, auth):
    p1, p2 = make.classroom("P1/1"), make.classroom("P2/1")
    mine, other = make.student(p1, full_name="Mine"), make.student(p2, full_name="Other")
    teacher = make.teacher(p1)
    auth.login(teacher)
    page = client.get("/students").get_data(as_text=True)
    assert 'value="export"' in page and 'value="move"' not in page
    ok = client.post("/students/bulk", data={"action": "export", "student_id": [mine.id], "confirm": "1"})
    assert ok.status_code == 200 and "Mine" in ok.data.decode("utf-8-sig")
    hidden = client.post("/students/bulk", data={"action": "export", "student_id": [other.id], "confirm": "1"},
                         headers=HX)
    assert hidden.status_code == 422 and b"not students you can see" in hidden.data
    everyone = client.post("/students/bulk", data={"action": "export", "scope": "all", "confirm": "1"})
    assert "Mine" in everyone.data.decode("utf-8-sig") and "Other" not in everyone.data.decode("utf-8-sig")
    for action in ("move", "set_status", "invite_parents"):
        assert client.post("/students/bulk", data={"action": action, "target_status": "LEFT",
                                                   "target_classroom": p2.id, "student_id": [mine.id],
                                                   "confirm": "1"}).status_code == 403
    assert memberships(db, mine.id) == [("P1/1", "ACTIVE")]


@pytest.mark.parametrize("role", ["STUDENT", "PARENT"])
def test_students_and_parents_cannot_use_bulk_actions(client, as_role, make, role):
    student = make.student("P1/1")
    as_role(role)
    assert client.post("/students/bulk", data={"action": "export", "student_id": [student.id]}).status_code == 403


def test_prepare_sign_in_needs_a_classroom_for_a_card(client, as_role, make, db):
    from lms.auth.models import SignInCard, User
    from lms.extensions import db as _db

    student = make.student(None)
    with client.application.app_context():
        _db.session.get(User, student.id).email, _db.session.get(User, student.id).username = None, "nobody01"
        _db.session.commit()
    as_role("ADMIN")
    response = client.post("/students/bulk", data={"action": "prepare_sign_in", "confirm": "1",
                                                   "student_id": [student.id]})
    assert b"put them in a classroom first" in response.data and db.count(SignInCard) == 0


def test_invite_parents_sends_their_pending_invitations_again(client, as_role, make, db, outbox):
    admin = as_role("ADMIN")
    a, b = make.student("P1/1"), make.student("P1/1")
    invitation, old = make.invitation(admin, email="mum@example.org", role="PARENT",
                                      grants={"student_ids": [a.id]}, expires_in_days=-1)
    data = {"action": "invite_parents", "student_id": [a.id, b.id]}
    ask = client.post("/students/bulk", data=data, headers=HX)
    assert b"Send 1 parent invitation again" in ask.data
    assert client.post("/students/bulk", data={**data, "confirm": "1"}).status_code == 303
    [message] = outbox
    assert message["To"] == "mum@example.org"
    refreshed = db.get(Invitation, invitation.id)
    assert refreshed.status == "PENDING" and refreshed.send_count == 2
    assert client.get(email_link(message, "/auth/invite/")).status_code == 200
    assert client.get(f"/auth/invite/{old}").status_code == 404
    [audit] = bulk_audits(db)
    assert audit.details["invitation_ids"] == [invitation.id] and audit.details["count"] == 2
    assert "invitation.resent" not in db.scalars(select(AuditLog.action))  # one entry for the action
    none = client.post("/students/bulk", data={"action": "invite_parents", "student_id": [b.id], "confirm": "1"},
                       headers=HX)
    assert none.status_code == 422 and b"no parent invitation" in none.data.lower().replace(b"has a", b"no")


def test_bulk_query_count_does_not_grow_with_the_selection(client, as_role, make, count_queries):
    source = make.classroom("P1/1")
    small, large = make.students(3, source), make.students(40, source)
    target_a, target_b = make.classroom("P1/2"), make.classroom("P1/3")
    as_role("ADMIN")
    counts = {}
    for action, extra in (("move", {}), ("set_status", {"target_status": "SUSPENDED"}), ("export", {})):
        for label, group, target in (("small", small, target_a), ("large", large, target_b)):
            data = {"action": action, "target_classroom": target.id, "student_id": [s.id for s in group],
                    "confirm": "1", **extra}
            with count_queries() as counter:
                response = client.post("/students/bulk", data=data)
            assert response.status_code in (200, 303)
            counts[(action, label)] = counter.count
        assert counts[(action, "small")] == counts[(action, "large")], (action, counts)
