"""Retention of logs: the organization's settings and the periodic job, around the limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from lms.audit.models import AuditLog
from lms.auth.models import AccountToken, Invitation, LoginAttempt, UserSession
from lms.common.types import utcnow
from lms.communication.models import Notification
from lms.core.models import Organization
from lms.digest.models import DigestDelivery
from lms.extensions import db as _db
from lms.periodic import PERIODIC_JOBS
from lms.privacy.retention import apply_retention

HX = {"HX-Request": "true"}
SETTINGS = {"name": "Wat School", "timezone": "Asia/Bangkok", "locale": "en", "academic_year": "2026",
            "session_timeout_minutes": "10", "heartbeat_seconds": "60", "classes_per_level": "6",
            "invitation_days": "7"}
MINUTE = timedelta(minutes=1)


def _insert(app, model, rows):
    with app.app_context():
        _db.session.execute(insert(model), rows)
        _db.session.commit()
        _db.session.remove()


def _run(app, now):
    with app.app_context():
        counts = apply_retention(now)
        _db.session.commit()
        _db.session.remove()
    return counts


@pytest.fixture
def now():
    return utcnow().replace(microsecond=0)


def _logs_around(app, make, now, days):
    """For each kind of log: one row just past the limit (goes), one just inside it (stays)."""
    user = make.user(role="STUDENT")
    old, recent = now - timedelta(days=days) - MINUTE, now - timedelta(days=days) + MINUTE
    _insert(app, LoginAttempt, [
        {"email": user.email, "user_id": user.id, "ip": "192.0.2.1", "success": False, "reason": "WRONG_PASSWORD",
         "created_at": when} for when in (old, recent)])
    _insert(app, UserSession, [
        {"user_id": user.id, "started_at": when - timedelta(hours=1), "last_active_at": when, "ended_at": when,
         "duration_seconds": 3600, "end_reason": "LOGOUT", "ip": "192.0.2.2", "user_agent": "Firefox"}
        for when in (old, recent)] + [
        # still open (started long ago): never stripped while open
        {"user_id": user.id, "started_at": old - timedelta(hours=1), "last_active_at": now, "ip": "192.0.2.3",
         "user_agent": "Open"}])
    _insert(app, Notification, [
        {"user_id": user.id, "kind": "work_graded", "params": {}, "created_at": when - timedelta(days=1),
         "read_at": when} for when in (old, recent)] + [
        {"user_id": user.id, "kind": "work_graded", "params": {}, "created_at": old - timedelta(days=9),
         "read_at": None}])  # unread: kept however old
    _insert(app, AccountToken, [
        {"user_id": user.id, "purpose": "RESET_PASSWORD", "token_hash": f"{i}" * 64, "expires_at": when,
         "created_at": when - timedelta(hours=1)} for i, when in enumerate((old, recent))])
    _insert(app, Invitation, [
        {"email": f"x{i}@example.org", "role": "STUDENT", "grants": {}, "token_hash": f"{i + 5}" * 64,
         "status": status, "expires_at": when}
        for i, (status, when) in enumerate((("EXPIRED", old), ("REVOKED", recent), ("ACCEPTED", old)))])
    parent = make.user(role="PARENT")
    _insert(app, DigestDelivery, [
        {"parent_id": parent.id, "week": week, "status": "SENT", "created_at": when}
        for week, when in (("2020-W01", old), ("2020-W02", recent))])
    return user


def test_the_job_deletes_exactly_the_logs_older_than_the_setting(app, make, db, now):
    make.school()
    user = _logs_around(app, make, now, 365)
    counts = _run(app, now)
    assert counts == {"login_attempts": 1, "login_sessions_stripped": 1, "notifications": 1, "account_tokens": 1,
                      "invitations": 1, "digest_deliveries": 1, "audit_entries": 0}
    limit = now - timedelta(days=365)
    assert [a.created_at > limit for a in db.scalars(select(LoginAttempt))] == [True]
    sessions = {s.user_agent: s for s in db.scalars(select(UserSession).where(UserSession.user_id == user.id))}
    assert set(sessions) == {None, "Firefox", "Open"} and db.count(UserSession) == 3  # rows kept, for analytics
    assert sessions[None].ip is None and sessions[None].ended_at < limit
    assert sessions["Firefox"].ended_at > limit and sessions["Firefox"].ip == "192.0.2.2"
    assert db.count(Notification) == 2 and db.count(Notification, Notification.read_at.is_(None)) == 1
    assert db.count(AccountToken) == 1
    assert sorted(i.status for i in db.scalars(select(Invitation))) == ["ACCEPTED", "REVOKED"]
    assert [d.week for d in db.scalars(select(DigestDelivery))] == ["2020-W02"]
    # Idempotent: a second run finds nothing more.
    assert set(_run(app, now).values()) == {0}


def test_a_shorter_setting_deletes_more(app, make, db, now):
    make.organization(log_retention_days=30)
    _logs_around(app, make, now, 30)
    assert _run(app, now)["login_attempts"] == 1
    assert db.count(LoginAttempt) == 1


def test_audit_entries_follow_their_own_longer_setting(app, make, db, now):
    make.organization(log_retention_days=30, audit_retention_days=400)
    _insert(app, AuditLog, [{"action": f"test.{i}", "details": {}, "created_at": when} for i, when in enumerate(
        (now - timedelta(days=400) - MINUTE, now - timedelta(days=400) + MINUTE, now - timedelta(days=31)))])
    assert _run(app, now)["audit_entries"] == 1
    assert sorted(a.action for a in db.scalars(select(AuditLog))) == ["test.1", "test.2"]
    assert _run(app, now)["audit_entries"] == 0


def test_without_an_organization_row_the_defaults_apply(app, db, now):
    _insert(app, AuditLog, [{"action": "old", "details": {}, "created_at": now - timedelta(days=1826)},
                            {"action": "kept", "details": {}, "created_at": now - timedelta(days=1824)}])
    assert _run(app, now)["audit_entries"] == 1
    assert [a.action for a in db.scalars(select(AuditLog))] == ["kept"]


def test_the_job_is_declared_as_a_periodic_job_and_runs(app, make, db, now):
    job = next(j for j in PERIODIC_JOBS if j.name == "privacy-retention")
    make.school()
    _logs_around(app, make, now, 365)
    with app.app_context():
        counts = job.resolve()()
    assert counts["login_attempts"] == 1 and db.count(LoginAttempt) == 1


# --- the settings ---------------------------------------------------------------------------------------


def test_admin_sets_the_retention_and_it_is_audited(client, as_role, make, db):
    make.school()
    as_role("ADMIN")
    page = client.get("/admin/organization").get_data(as_text=True)
    assert 'name="log_retention_days"' in page and 'value="365"' in page and 'value="1825"' in page
    response = client.post("/admin/organization", data={**SETTINGS, "log_retention_days": "90",
                                                        "audit_retention_days": "730"})
    assert response.status_code == 303
    org = db.scalar(select(Organization))
    assert (org.log_retention_days, org.audit_retention_days) == (90, 730)
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "organization.update"))
    assert entry.details["changes"]["log_retention_days"] == [365, 90]
    # Left out of a post: unchanged.
    client.post("/admin/organization", data=SETTINGS)
    assert db.scalar(select(Organization.log_retention_days)) == 90


def test_bad_retention_settings_are_refused_and_nothing_is_stored(client, as_role, make, db):
    make.school()
    as_role("ADMIN")
    for values, message in [
        ({"log_retention_days": "29"}, "between 30 and 3650"),
        ({"log_retention_days": "3651"}, "between 30 and 3650"),
        ({"log_retention_days": "abc"}, "Not a valid integer value"),
        ({"audit_retention_days": "364"}, "between 365 and 3650"),
        ({"log_retention_days": "800", "audit_retention_days": "700"}, "at least as long as the other logs"),
        ({"log_retention_days": "2000"}, "at least as long as the other logs"),  # audit stays at 1825
    ]:
        response = client.post("/admin/organization", data={**SETTINGS, "name": "Changed", **values}, headers=HX)
        assert response.status_code == 422, values
        assert message in response.get_data(as_text=True), values
    org = db.scalar(select(Organization))
    assert (org.log_retention_days, org.audit_retention_days) == (365, 1825) and org.name != "Changed"
    assert db.count(AuditLog, AuditLog.action.notin_(("user.login", "user.logout"))) == 0  # sign-ins aside


@pytest.mark.parametrize("values", [{"log_retention_days": 29}, {"audit_retention_days": 3651},
                                    {"log_retention_days": 400, "audit_retention_days": 399}])
def test_the_database_refuses_retention_out_of_range(app, make, values):
    make.school()
    with app.app_context():
        with pytest.raises(IntegrityError):
            _db.session.execute(update(Organization).values(**values))
            _db.session.flush()
        _db.session.rollback()
        _db.session.remove()
