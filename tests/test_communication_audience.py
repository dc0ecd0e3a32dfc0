"""The four SQL views of "who is an announcement for" agree with each other, for every target kind."""

from sqlalchemy import select

from lms.auth.models import User
from lms.communication import audience
from lms.communication.models import Announcement
from lms.extensions import db as sa_db


def test_every_view_of_the_audience_agrees(app, make):
    make.school()
    p1, p1b, p2 = make.classroom("P1/1"), make.classroom("P1/2"), make.classroom("P2/1")
    a1, a2, b1, c1 = (make.student(p1), make.student(p1), make.student(p1b), make.student(p2))
    loner = make.student(None)  # in no classroom
    both = make.parent_of(a1, c1)       # children in P1/1 and P2/1
    p_only = make.parent_of(b1)
    teacher = make.teacher(p1)
    admin = make.user(role="ADMIN")
    inactive = make.user(role="STUDENT", active=False)
    people = [a2, both, teacher]
    users = [a1, a2, b1, c1, loner, both, p_only, teacher, admin, inactive]
    for announcement in [
        make.announcement(admin, target_kind="EVERYONE"),
        make.announcement(admin, target_kind="TEACHERS"),
        make.announcement(admin, target_kind="STUDENTS"),
        make.announcement(admin, target_kind="PARENTS"),
        make.announcement(admin, target_kind="LEVEL", level_code="P1"),
        make.announcement(admin, target_kind="LEVEL", level_code="P1", include_parents=True),
        make.announcement(admin, target_kind="CLASSROOM", classroom=p1),
        make.announcement(admin, target_kind="CLASSROOM", classroom=p2, include_parents=True),
        make.announcement(admin, target_kind="PEOPLE", people=people),
    ]:
        assert announcement.status == "PUBLISHED"
    with app.app_context():
        rows = list(sa_db.session.scalars(select(Announcement).order_by(Announcement.id)))
        sizes = audience.audience_sizes(rows)
        for announcement in rows:
            members = set(sa_db.session.scalars(audience.audience_members(announcement).with_only_columns(User.id)))
            seen_by = {u.id for u in users if u.active and sa_db.session.scalar(
                select(Announcement.id).where(Announcement.id == announcement.id, audience.visible_to(u)))}
            contained = set(sa_db.session.scalars(
                select(User.id).join(Announcement, Announcement.id == announcement.id)
                .where(audience.contains(User))))
            label = (announcement.target_kind, announcement.include_parents)
            assert members == seen_by == contained, label
            assert sizes[announcement.id] == len(members), label
        by_kind = {(a.target_kind, a.include_parents, a.target_classroom_id): a.id for a in rows}
        members_of = {key: set(sa_db.session.scalars(audience.audience_members(
            sa_db.session.get(Announcement, aid)).with_only_columns(User.id))) for key, aid in by_kind.items()}
        sa_db.session.remove()
    assert members_of[("LEVEL", False, None)] == {a1.id, a2.id, b1.id}
    assert members_of[("LEVEL", True, None)] == {a1.id, a2.id, b1.id, both.id, p_only.id}
    assert members_of[("CLASSROOM", True, p2.id)] == {c1.id, both.id}
    assert members_of[("PEOPLE", False, None)] == {a2.id, both.id, teacher.id}
    assert inactive.id not in members_of[("EVERYONE", False, None)]
