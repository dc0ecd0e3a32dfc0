"""The weekly email to parents: when it goes, once per parent and week, what it says, opting
out on the profile page and with the one-click link, and the organization's day and time."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.common.types import utcnow
from lms.core.models import Organization
from lms.digest.models import DigestDelivery, DigestOptOut
from tests.conftest import AuthActions, email_link, email_text, make_test_config
from tests.factories import ONE_OF_EACH

HX = {"HX-Request": "true"}
BANGKOK = ZoneInfo("Asia/Bangkok")


def local(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BANGKOK).astimezone(UTC)


def run_job(app, now=None) -> int:
    from lms.digest.jobs import send_weekly_digests

    with app.app_context():
        return send_weekly_digests(now)


@pytest.fixture
def due_now(make):
    """The school sends the digest from today 00:00 (local), so it is due whenever the test runs."""
    today = datetime.now(BANGKOK)
    return make.school(digest_weekday=today.weekday(), digest_hour=0)


@pytest.fixture
def families(make, due_now):
    """Three parents: one whose child has work due, one whose child has nothing, one who opted out."""
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    nodes = make.tree(subject, {"Unit": {"Part": ["Section"]}})
    busy, hidden = (make.student("P1/1", full_name=name) for name in ("Busy Kid", "Other Kid"))
    make.assessment(teacher, title="Fractions homework", section_id=nodes["Section"], publish=True,
                    due_at=utcnow() + timedelta(days=2))
    parents = {
        "busy": make.parent_of(busy, full_name="Busy Parent"),
        "quiet": make.parent_of(make.student("P9/1", full_name="No Subjects Kid"), full_name="Quiet Parent"),
        "out": make.parent_of(hidden, full_name="Opted Out Parent"),
    }
    make.digest_opt_out(parents["out"])
    return {"teacher": teacher, "nodes": nodes, "busy_child": busy, **parents}


# --- when -----------------------------------------------------------------------------------------


def test_the_digest_is_due_from_the_configured_local_day_and_hour_until_the_week_ends(app, make):
    from lms.digest.services import due_week

    make.school()  # default: Friday 16:00, Asia/Bangkok
    with app.app_context():
        assert due_week(local(2026, 11, 27, 15, 59)) is None      # Friday, before 16:00
        assert due_week(local(2026, 11, 27, 16, 0)) == "2026-W48"  # Friday 16:00
        assert due_week(local(2026, 11, 29, 23, 0)) == "2026-W48"  # Sunday: catching up
        assert due_week(local(2026, 11, 30, 9, 0)) is None         # Monday: a new week, not yet
        assert due_week(local(2026, 12, 4, 16, 30)) == "2026-W49"
    make.organization(digest_weekday=0, digest_hour=7)
    with app.app_context():
        assert due_week(local(2026, 11, 30, 6, 59)) is None
        assert due_week(local(2026, 11, 30, 7, 0)) == "2026-W49"


def test_the_job_waits_for_the_send_moment(app, make, outbox, families):
    make.organization(digest_weekday=4, digest_hour=16)
    assert run_job(app, local(2026, 11, 26, 12)) == 0  # Thursday
    assert outbox == [] and families


# --- once per parent and week -----------------------------------------------------------------------


def test_running_the_job_twice_sends_one_email_per_parent_per_week(app, make, outbox, families, db):
    assert run_job(app) == 1
    assert run_job(app) == 0
    assert [m["To"] for m in outbox] == [families["busy"].email]
    rows = {(r.parent_id, r.status) for r in db.scalars(select(DigestDelivery))}
    assert rows == {(families["busy"].id, "SENT"), (families["quiet"].id, "EMPTY")}  # opted out: no row
    # Next week it goes again (the homework is now missing).
    assert run_job(app, utcnow() + timedelta(days=7)) == 1
    assert len(outbox) == 2 and "Missing work" in email_text(outbox[1])
    assert db.count(DigestDelivery) == 4


def test_a_delivery_row_written_by_another_run_means_no_email(app, make, outbox, families, db):
    from lms.digest.services import deliver, due_week

    with app.app_context():
        week = due_week()
    with db.ctx() as session:
        session.add(DigestDelivery(parent_id=families["busy"].id, week=week, status="SENT"))
        session.commit()
    assert run_job(app) == 0
    with app.app_context():
        assert deliver(families["busy"].id, week) is None
    assert outbox == []


def test_one_row_per_parent_and_week_is_a_database_rule(db, make):
    from sqlalchemy.exc import IntegrityError

    parent = make.user(role="PARENT")
    with db.ctx() as session:
        session.add(DigestDelivery(parent_id=parent.id, week="2026-W48", status="SENT"))
        session.commit()
        session.add(DigestDelivery(parent_id=parent.id, week="2026-W48", status="EMPTY"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_deactivated_parents_and_accounts_without_children_get_nothing(app, make, outbox, due_now, db):
    child = make.student("P1/1")
    make.parent_of(child, active=False)
    make.user(role="PARENT")
    assert run_job(app) == 0
    assert outbox == [] and db.count(DigestDelivery) == 0


def test_the_digest_has_a_list_unsubscribe_header(app, make, outbox, families):
    run_job(app)
    [message] = [m for m in outbox if m["To"] == families["busy"].email]
    header = str(message["List-Unsubscribe"]).strip()  # a long header is folded after its name
    assert header.startswith(f"<{app.config['BASE_URL'].rstrip('/')}/digest/unsubscribe/") and header.endswith(">")
    assert header[1:-1] in email_text(message)  # the same page as the link in the email
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_digest_goes_only_to_parents_of_children_still_at_school(app, make, outbox, families, db):
    left = make.student("P1/1", full_name="Left Kid", status="LEFT")
    graduated = make.student("P1/1", full_name="Graduated Kid", status="GRADUATED")
    deactivated = make.student("P1/1", full_name="Deactivated Kid", active=False)
    for child in (left, graduated, deactivated):
        make.parent_of(child, full_name=f"Parent of {child.full_name}")
    both = make.parent_of(families["busy_child"], left, full_name="Parent of Both")
    run_job(app)
    sent = {m["To"]: email_text(m) for m in outbox}
    assert set(sent) == {families["busy"].email, both.email}
    assert "Busy Kid" in sent[both.email] and "Left Kid" not in sent[both.email]
    assert "Left Kid" not in str(outbox[-1]["Subject"]) + str(outbox[0]["Subject"])


# --- what it says -------------------------------------------------------------------------------------


def test_the_email_lists_each_childs_work_grades_and_attendance(app, make, outbox, families):
    teacher, busy, nodes = families["teacher"], families["busy_child"], families["nodes"]
    sibling = make.student("P9/1", full_name="Little Sibling")  # a level without subjects
    from lms.school.models import ParentLink

    make._save(ParentLink(parent_id=families["busy"].id, student_id=sibling.id))
    quiz = make.assessment(teacher, title="Shapes quiz", section_id=nodes["Section"], publish=True)
    make.attempt(busy, quiz, {0: ["1"]})  # scored at once: 100%
    make.assessment(teacher, title="Old essay", questions=[ONE_OF_EACH[5]], section_id=nodes["Section"],
                    publish=True, due_at=utcnow() - timedelta(days=3))
    club = make.course_session(teacher, name="Chess club", attendance_tracking_enabled=True)
    make.enrollment(club, busy)
    present = make.meeting(club, starts_at=utcnow() - timedelta(days=2), code="AAAA")
    absent = make.meeting(club, starts_at=utcnow() - timedelta(days=1), code="BBBB")
    make.attendance(present, busy, "PRESENT")
    make.attendance(absent, busy, "ABSENT")
    run_job(app)
    (message,) = outbox
    text = email_text(message)
    assert message["Subject"] == "This week for Busy Kid, Little Sibling"
    assert "Hello Busy Parent," in text
    busy_part = text[text.index("== Busy Kid =="):text.index("== Little Sibling ==")]
    assert "Fractions homework" in busy_part and "Due in the next 7 days" in busy_part
    assert "Old essay" in busy_part and "Missing work" in busy_part
    assert "Shapes quiz (Mathematics P1): 100%" in busy_part
    assert "1 of 2 meetings attended" in busy_part and "absent on" in busy_part
    assert "Nothing to report this week." in text[text.index("== Little Sibling =="):]
    assert "/?child=" in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Fractions homework" in html and "/digest/unsubscribe/" in html


def test_the_email_is_in_the_parents_language(app, make, outbox, families):
    from lms.auth.models import User

    with app.app_context():
        from lms.extensions import db as _db

        _db.session.get(User, families["busy"].id).locale = "th"
        _db.session.commit()
    run_job(app)
    (message,) = outbox
    text = email_text(message)
    assert "สวัสดี" in text and "Fractions homework" in text
    assert "Due in the next 7 days" not in text and "Unsubscribe" not in text


# --- opting out ------------------------------------------------------------------------------------------


def test_a_parent_stops_and_restarts_the_digest_on_their_profile(app, client, make, outbox, families, db):
    parent = families["busy"]
    AuthActions(client).login(parent)
    page = client.get("/me").get_data(as_text=True)
    assert "Weekly email about your children" in page and "Stop the weekly email" in page
    response = client.post("/me/digest", data={"subscribe": "0"}, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and 'id="digest-preference"' in body
    assert "You will not get the weekly email any more." in body and "Send me the weekly email again" in body
    assert db.scalar(select(DigestOptOut.source).where(DigestOptOut.user_id == parent.id)) == "WEB"
    assert run_job(app) == 0 and outbox == []
    assert "on your profile" in client.get("/me").get_data(as_text=True)
    response = client.post("/me/digest", data={"subscribe": "1"})
    assert response.status_code == 303
    assert db.count(DigestOptOut, DigestOptOut.user_id == parent.id) == 0
    assert run_job(app) == 1 and len(outbox) == 1


def test_only_parents_have_the_setting(client, as_role):
    as_role("TEACHER")
    assert "Weekly email about your children" not in client.get("/me").get_data(as_text=True)
    assert client.post("/me/digest", data={"subscribe": "0"}).status_code == 403


def test_the_unsubscribe_link_asks_first_then_unsubscribes_without_signing_in(app, client, outbox, families, db):
    run_job(app)
    path = email_link(outbox[0], "/digest/unsubscribe/")
    parent = families["busy"]
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert parent.email in html and 'method="post"' in html and 'name="csrf_token"' in html
    assert db.count(DigestOptOut) == 1  # only the parent who had opted out already: GET changes nothing
    done = client.post(path)
    assert done.status_code == 200 and "will not get the weekly email any more" in done.get_data(as_text=True)
    assert db.scalar(select(DigestOptOut.source).where(DigestOptOut.user_id == parent.id)) == "EMAIL"
    assert "does not get the weekly email" in client.get(path).get_data(as_text=True)
    assert client.post(path).status_code == 200  # twice: still fine
    assert run_job(app, utcnow() + timedelta(days=7)) == 0


def test_a_tampered_or_foreign_unsubscribe_token_is_refused(app, client, make, outbox, families, db):
    from lms.digest.services import unsubscribe_token

    run_job(app)
    path = email_link(outbox[0], "/digest/unsubscribe/")
    token = path.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/digest/unsubscribe/{tampered}").status_code == 404
    assert client.post(f"/digest/unsubscribe/{tampered}").status_code == 404
    teacher = families["teacher"]
    with app.app_context():
        teachers_token = unsubscribe_token(teacher)  # well signed, but not a parent's
    assert client.post(f"/digest/unsubscribe/{teachers_token}").status_code == 404
    other_app_token = _token_from_another_instance(app, families["busy"])
    assert client.post(f"/digest/unsubscribe/{other_app_token}").status_code == 404
    assert db.count(DigestOptOut) == 1  # only the parent who had opted out before


def _token_from_another_instance(app, user) -> str:
    from itsdangerous import URLSafeSerializer

    from lms.digest.services import TOKEN_SALT

    return URLSafeSerializer("another-instance-secret-key-" + "y" * 32, salt=TOKEN_SALT).dumps({"u": user.id})


def test_the_unsubscribe_post_needs_no_csrf_token_but_a_valid_token(database_url, redis_url, make, families):
    """Before: the POST needed the page's CSRF token, so a mail program's one-click POST (RFC 8058)
    failed.  The signed token is the authority (it can only opt out)."""
    from lms import create_app
    from lms.digest.services import unsubscribe_token

    strict = create_app(make_test_config(database_url, redis_url, WTF_CSRF_ENABLED=True))
    with strict.app_context():
        token = unsubscribe_token(families["busy"])
    client = strict.test_client()
    assert client.post(f"/digest/unsubscribe/{token}x").status_code == 404
    assert client.post(f"/digest/unsubscribe/{token}").status_code == 200
    with strict.app_context():
        from lms.extensions import db as _db

        assert _db.session.get(DigestOptOut, families["busy"].id).source == "EMAIL"
        _db.session.remove()


# --- the organization's day and time ----------------------------------------------------------------------


SETTINGS = {"name": "Wat School", "timezone": "Asia/Bangkok", "locale": "en", "academic_year": "2026",
            "session_timeout_minutes": "10", "heartbeat_seconds": "60", "classes_per_level": "6",
            "invitation_days": "7"}


def test_admin_sets_the_digest_day_and_hour(client, as_role, make, db):
    make.school()
    as_role("ADMIN")
    page = client.get("/admin/organization").get_data(as_text=True)
    assert '<option selected value="4">Friday</option>' in page or '<option value="4" selected>Friday' in page
    assert client.post("/admin/organization", data={**SETTINGS, "digest_weekday": "0",
                                                    "digest_hour": "7"}).status_code == 303
    org = db.scalar(select(Organization))
    assert (org.digest_weekday, org.digest_hour) == (0, 7)
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "organization.update"))
    assert entry.details["changes"]["digest_hour"] == [16, 7]
    # Left out of a post: unchanged.
    assert client.post("/admin/organization", data=SETTINGS).status_code == 303
    assert db.scalar(select(Organization.digest_hour)) == 7


@pytest.mark.parametrize("field, value", [("digest_hour", "24"), ("digest_weekday", "7"), ("digest_hour", "x")])
def test_a_bad_digest_setting_is_refused_and_nothing_is_stored(client, as_role, make, db, field, value):
    make.school()
    as_role("ADMIN")
    response = client.post("/admin/organization", data={**SETTINGS, "name": "Changed", field: value}, headers=HX)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Choose a value from the list." in body or "Invalid Choice: could not coerce." in body
    org = db.scalar(select(Organization))
    assert org.name != "Changed" and (org.digest_weekday, org.digest_hour) == (4, 16)
