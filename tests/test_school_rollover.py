"""Year-end rollover: preview, repeaters, one transaction with history, and same-day undo."""

import re
from datetime import timedelta

from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.core.models import Organization
from lms.school.models import (
    Classroom,
    ClassroomMembership,
    PromotionBatch,
    StudentProfile,
    TeacherAssignment,
)

HX = {"HX-Request": "true"}


def snapshot(db):
    """Everything a rollover touches, in a comparable form."""
    return {
        "memberships": sorted((m.student_id, m.classroom_id, m.academic_year, m.status, m.ended_on)
                              for m in db.scalars(select(ClassroomMembership))),
        "classrooms": sorted((c.id, c.name, c.academic_year, c.archived) for c in db.scalars(select(Classroom))),
        "statuses": sorted((p.user_id, p.status) for p in db.scalars(select(StudentProfile))),
        "assignments": sorted((a.teacher_id, a.classroom_id, a.role) for a in db.scalars(select(TeacherAssignment))),
        "year": db.scalar(select(Organization.academic_year)),
    }


def current(db, student_id):
    m = db.scalar(select(ClassroomMembership).where(ClassroomMembership.student_id == student_id,
                                                    ClassroomMembership.status == "ACTIVE"))
    return (m.classroom.name, m.academic_year) if m else None


def wizard_form(page: str, *, untick=()) -> dict:
    """The form as a browser would post it, with some students unticked."""
    data = {"to_year": re.search(r'name="to_year"[^>]*value="([^"]*)"', page).group(1), "copy_teachers": "y",
            "from_year": re.search(r'name="from_year" value="([^"]*)"', page).group(1),
            "students": re.findall(r'name="students" value="([^"]*)"', page),
            "promote": [v for v in re.findall(r'name="promote" value="(\d+)"', page) if int(v) not in untick]}
    return data


def test_rollover_acceptance_moves_up_keeps_a_repeater_and_undo_restores(client, as_role, make, db):
    make.school(academic_year="2026")
    p1 = make.classroom("P1/1")
    make.classroom("P2/1")
    movers = [make.student(p1, full_name=f"Mover {i}") for i in range(3)]
    repeater = make.student(p1, full_name="Rita Repeater")
    make.teacher(p1, full_name="Homeroom P1")
    as_role("ADMIN")
    before = snapshot(db)

    page = client.get("/classrooms/rollover").get_data(as_text=True)
    assert 'value="2027"' in page  # the next year is proposed
    assert "P1/1</strong> →" in page and "<strong>P2/1</strong>" in page and "Rita Repeater" in page
    response = client.post("/classrooms/rollover", data=wizard_form(page, untick={repeater.id}))
    assert response.status_code == 303
    summary = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 students moved up" in summary and "1 student repeats the year" in summary
    assert "Undo this rollover" in summary

    for mover in movers:
        assert current(db, mover.id) == ("P2/1", "2027")
    assert current(db, repeater.id) == ("P1/1", "2027")
    assert db.scalar(select(Organization.academic_year)) == "2027"
    old = {c.name: c.archived for c in db.scalars(select(Classroom).where(Classroom.academic_year == "2026"))}
    assert old == {"P1/1": True, "P2/1": True}
    history = [(m.academic_year, m.status) for m in db.scalars(
        select(ClassroomMembership).where(ClassroomMembership.student_id == repeater.id)
        .order_by(ClassroomMembership.id))]
    assert history == [("2026", "REPEATED"), ("2027", "ACTIVE")]
    # The homeroom teacher keeps "P1/1" in the new year.
    assignment = db.scalar(select(TeacherAssignment).join(Classroom).where(Classroom.academic_year == "2027"))
    assert assignment.classroom.name == "P1/1"

    batch_id = db.scalar(select(PromotionBatch.id))
    undo = client.post(f"/classrooms/rollover/{batch_id}/undo", follow_redirects=True)
    assert "The rollover was undone" in undo.get_data(as_text=True)
    assert snapshot(db) == before
    assert [e.action for e in db.scalars(select(AuditLog).order_by(AuditLog.id))][-2:] == [
        "school.rollover", "school.rollover_undo"]


def test_p6_moves_to_m1_and_m6_graduates(app, make, db):
    from lms.auth.models import User
    from lms.extensions import db as sa_db
    from lms.school.rollover import run_rollover

    make.school()
    p6 = make.student("P6/2")
    m6 = make.student("M6/1")
    m6_repeats = make.student("M6/1")
    admin = make.user(role="ADMIN")
    with app.test_request_context():
        batch = run_rollover(sa_db.session.get(User, admin.id), "2027", repeaters={m6_repeats.id})
        sa_db.session.commit()
        assert (batch.promoted_count, batch.repeated_count, batch.graduated_count) == (1, 1, 1)
    assert current(db, p6.id) == ("M1/2", "2027")
    assert current(db, m6.id) is None
    assert db.get(StudentProfile, m6.id).status == "GRADUATED"
    assert current(db, m6_repeats.id) == ("M6/1", "2027")
    # The new year has this year's classrooms, plus M1/2 for the P6/2 students.
    assert {c.name for c in db.scalars(select(Classroom).where(Classroom.academic_year == "2027"))} == {
        "P6/2", "M1/2", "M6/1"}


def test_undo_restores_graduates_and_the_created_classrooms(app, make, db):
    from lms.auth.models import User
    from lms.extensions import db as sa_db
    from lms.school.rollover import run_rollover, undo_rollover

    make.school()
    graduate = make.student("M6/1", status="ACTIVE")
    make.student("P1/1")
    make.classroom("P3/1")  # empty: archived, and created again for the new year
    admin = make.user(role="ADMIN")
    before = snapshot(db)
    with app.test_request_context():
        actor = sa_db.session.get(User, admin.id)
        batch = run_rollover(actor, "2027/28")
        sa_db.session.commit()
        assert db.get(StudentProfile, graduate.id).status == "GRADUATED"
        undo_rollover(actor, sa_db.session.get(PromotionBatch, batch.id))
        sa_db.session.commit()
    assert snapshot(db) == before


def test_wizard_previews_the_chosen_year_as_a_fragment(client, as_role, make):
    make.school()
    make.student("P1/1")
    make.classroom("P2/1", academic_year="2030")
    as_role("ADMIN")
    fragment = client.get("/classrooms/rollover?to_year=2030&copy_teachers=y", headers=HX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body and 'id="rollover-preview"' in body
    assert "2026 → 2030" in body
    assert "Every classroom needed in 2030 already exists" not in body  # P1/1 of 2030 is still missing
    assert "P1/1" in body and 'badge-info">new' not in body  # P2/1 of 2030 exists


def test_same_year_or_empty_year_is_refused(client, as_role, make, db):
    make.school()
    make.student("P1/1")
    as_role("ADMIN")
    same = client.get("/classrooms/rollover?to_year=2026").get_data(as_text=True)
    assert "must differ from the current one" in same
    response = client.post("/classrooms/rollover", data={"to_year": "", "students": [], "promote": []},
                           headers=HX)
    assert response.status_code == 422
    assert db.count(PromotionBatch) == 0 and db.scalar(select(Organization.academic_year)) == "2026"


def test_a_stale_preview_is_refused_and_nothing_moves(client, as_role, make, db):
    make.school()
    make.student("P1/1")
    as_role("ADMIN")
    page = client.get("/classrooms/rollover").get_data(as_text=True)
    make.student("P1/1", full_name="Arrived Later")
    response = client.post("/classrooms/rollover", data=wizard_form(page), headers=HX)
    assert response.status_code == 422
    assert "changed since this preview" in response.get_data(as_text=True)
    assert db.count(PromotionBatch) == 0
    assert db.count(ClassroomMembership, ClassroomMembership.academic_year == "2027") == 0


def test_nothing_to_roll_over(client, as_role, make, db):
    make.school()
    make.classroom("P1/1")
    as_role("ADMIN")
    page = client.get("/classrooms/rollover").get_data(as_text=True)
    assert "nothing to roll over" in page and "Run the rollover" not in page
    response = client.post("/classrooms/rollover", data={"to_year": "2027"}, headers=HX)
    assert response.status_code == 422 and db.count(PromotionBatch) == 0


def test_students_already_placed_next_year_keep_their_place(app, make, db):
    from lms.auth.models import User
    from lms.extensions import db as sa_db
    from lms.school.rollover import run_rollover

    make.school()
    student = make.student("P1/1")
    elsewhere = make.classroom("P2/3", academic_year="2027")
    with app.app_context():
        from datetime import date

        sa_db.session.add(ClassroomMembership(student_id=student.id, classroom_id=elsewhere.id,
                                              academic_year="2027", started_on=date(2026, 12, 1)))
        sa_db.session.commit()
    admin = make.user(role="ADMIN")
    with app.test_request_context():
        run_rollover(sa_db.session.get(User, admin.id), "2027")
        sa_db.session.commit()
    assert current(db, student.id) == ("P2/3", "2027")


def test_undo_is_refused_after_later_changes_or_on_another_day(app, client, as_role, make, db):
    from lms.extensions import db as sa_db

    make.school()
    student = make.student("P1/1")
    as_role("ADMIN")
    page = client.get("/classrooms/rollover").get_data(as_text=True)
    client.post("/classrooms/rollover", data=wizard_form(page))
    batch_id = db.scalar(select(PromotionBatch.id))

    # A student placed in next year's classes after the rollover blocks the undo.
    late = make.student(make.classroom("P1/1", academic_year="2027"))
    summary = client.get(f"/classrooms/rollover/{batch_id}").get_data(as_text=True)
    assert "can no longer be undone" in summary and "Undo this rollover" not in summary
    refused = client.post(f"/classrooms/rollover/{batch_id}/undo", follow_redirects=True)
    assert "can no longer be undone" in refused.get_data(as_text=True)
    assert current(db, student.id) == ("P2/1", "2027")

    with app.app_context():
        sa_db.session.execute(ClassroomMembership.__table__.delete().where(
            ClassroomMembership.__table__.c.student_id == late.id))
        batch = sa_db.session.get(PromotionBatch, batch_id)
        batch.created_at = batch.created_at - timedelta(days=2)
        sa_db.session.commit()
    yesterday = client.post(f"/classrooms/rollover/{batch_id}/undo", follow_redirects=True)
    assert "only be undone on the day it was run" in yesterday.get_data(as_text=True)
    assert current(db, student.id) == ("P2/1", "2027")


def test_only_admins_roll_over(client, make, db):
    p1 = make.classroom("P1/1")
    teacher = make.teacher(p1)
    client.post("/auth/login", data={"login": teacher.email, "password": "correct-horse-battery"})
    assert client.get("/classrooms/rollover").status_code == 403
    assert client.post("/classrooms/rollover", data={"to_year": "2027"}).status_code == 403
    assert db.count(PromotionBatch) == 0


def test_rollover_of_the_demo_school(client, demo, db):
    """The whole demo school in one go, through the wizard: every student moves."""
    client.post("/auth/login", data={"login": "admin@example.org", "password": "demo-pass-1234"})
    page = client.get("/classrooms/rollover").get_data(as_text=True)
    assert "still waiting for grading" in page   # the demo's essay: acknowledged below
    response = client.post("/classrooms/rollover", data={**wizard_form(page), "ungraded_acknowledged": "y"},
                           headers=HX)
    assert response.status_code == 204 and "/classrooms/rollover/" in response.headers["HX-Redirect"]
    assert current(db, demo["student@example.org"]) == ("P2/1", "2027")
    assert current(db, demo["student2@example.org"]) == ("P3/1", "2027")
    assert db.count(ClassroomMembership, ClassroomMembership.status == "ACTIVE",
                    ClassroomMembership.academic_year == "2026") == 0


def test_preview_mentions_students_in_no_classroom(client, as_role, make):
    make.school()
    make.student("P1/1")
    make.student(full_name="Nowhere Yet")
    as_role("ADMIN")
    page = client.get("/classrooms/rollover").get_data(as_text=True)
    assert "1 active student is in no classroom and is not affected." in page


def test_sending_the_wizard_twice_rolls_over_once(client, as_role, make, db):
    make.school()
    student = make.student("P1/1")
    as_role("ADMIN")
    form = wizard_form(client.get("/classrooms/rollover").get_data(as_text=True))
    assert client.post("/classrooms/rollover", data=form).status_code == 303
    again = client.post("/classrooms/rollover", data={**form, "to_year": "2028"}, headers=HX)
    assert again.status_code == 422 and "already in 2027" in again.get_data(as_text=True)
    assert db.count(PromotionBatch) == 1 and current(db, student.id) == ("P2/1", "2027")
