"""Login sessions: started at sign-in, heartbeat, sign-out, expiry after the organization's timeout."""

from datetime import timedelta

from sqlalchemy import insert, select, update

from lms.auth.login_sessions import LOGIN_SESSION_KEY, close_inactive_login_sessions, describe_device
from lms.auth.models import LoginAttempt, User, UserSession
from lms.common.types import utcnow
from lms.extensions import db as sa_db
from lms.periodic import PERIODIC_JOBS
from tests.conftest import TEST_PASSWORD

PHONE_UA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"


def _sessions(db, user):
    return db.scalars(select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id))


def _login_session_id(client) -> int:
    with client.session_transaction() as flask_session:
        return flask_session[LOGIN_SESSION_KEY]


def _age(db, login_session_id, *, idle: timedelta, started_before: timedelta | None = None):
    """Move a login session into the past: last activity ``idle`` ago."""
    now = utcnow()
    values = {"last_active_at": now - idle}
    if started_before is not None:
        values["started_at"] = now - started_before
    with db.ctx() as session:
        session.execute(update(UserSession).where(UserSession.id == login_session_id).values(**values))
        session.commit()


def test_signing_in_starts_a_login_session_with_ip_and_user_agent(client, make, db):
    user = make.user()
    client.post("/auth/login", data={"login": user.email, "password": TEST_PASSWORD},
                headers={"User-Agent": PHONE_UA})
    [login_session] = _sessions(db, user)
    assert login_session.ended_at is None and login_session.user_agent == PHONE_UA
    assert login_session.ip == "127.0.0.1"
    assert _login_session_id(client) == login_session.id
    assert db.get(User, user.id).last_login_at is not None
    attempt = db.scalar(select(LoginAttempt).where(LoginAttempt.user_id == user.id))
    assert attempt.success and attempt.reason == "OK" and attempt.user_agent == PHONE_UA


def test_sign_in_rotates_the_cookie_session(client, make):
    user = make.user()
    client.get("/auth/login")
    with client.session_transaction() as flask_session:
        flask_session["planted"] = "by an attacker"
    client.post("/auth/login", data={"login": user.email, "password": TEST_PASSWORD})
    with client.session_transaction() as flask_session:
        assert "planted" not in flask_session
        assert flask_session["_user_id"].startswith(f"{user.id}:")


def test_ping_answers_204_signed_in_and_401_signed_out(client, auth, make):
    assert client.post("/api/session/ping").status_code == 401
    user = make.user()
    auth.login(user)
    response = client.post("/api/session/ping")
    assert response.status_code == 204 and response.data == b""
    auth.logout()
    response = client.post("/api/session/ping")
    assert response.status_code == 401
    assert response.get_json()["errorCode"] == "UNAUTHORIZED"


def test_ping_is_one_update_of_last_active_at(client, auth, make, db, count_queries, database_url):
    user = make.user()
    auth.login(user)
    login_session_id = _login_session_id(client)
    _age(db, login_session_id, idle=timedelta(minutes=3), started_before=timedelta(minutes=4))
    before = db.get(UserSession, login_session_id).last_active_at
    with count_queries() as counter:
        assert client.post("/api/session/ping").status_code == 204
    updates = [s for s in counter.statements if s.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1 and "user_session" in updates[0]
    # On PostgreSQL the heartbeat's transaction does not wait for its WAL flush (one SET LOCAL).
    relaxed = [s for s in counter.statements if s.startswith("SET LOCAL synchronous_commit TO OFF")]
    assert len(relaxed) == (1 if database_url.startswith("postgresql") else 0)
    # The only other statement is Flask-Login's user load (which also checks the login session).
    assert counter.count - len(relaxed) == 2
    assert db.get(UserSession, login_session_id).last_active_at > before


def test_ping_needs_no_csrf_token_but_other_posts_do(database_url, redis_url, make):
    from lms import create_app
    from tests.conftest import make_test_config

    csrf_app = create_app(make_test_config(database_url, redis_url, WTF_CSRF_ENABLED=True))
    client = csrf_app.test_client()
    assert client.post("/api/session/ping").status_code == 401  # not 400: the page must go to sign-in
    assert client.post("/auth/logout").status_code == 400


def test_sign_out_ends_the_login_session_with_reason_logout(client, auth, make, db):
    user = make.user()
    auth.login(user)
    login_session_id = _login_session_id(client)
    _age(db, login_session_id, idle=timedelta(seconds=30), started_before=timedelta(minutes=5))
    auth.logout()
    ended = db.get(UserSession, login_session_id)
    assert ended.end_reason == "LOGOUT" and ended.ended_at is not None
    assert 299 <= ended.duration_seconds <= 302  # from the start to the sign-out


def test_expiry_boundary_nine_fifty_nine_stays_open_ten_oh_one_closes(app, make, db):
    user = make.user()
    now = utcnow()
    fresh = make.login_session(user, started_at=now - timedelta(minutes=30),
                               last_active_at=now - timedelta(minutes=9, seconds=59))
    stale = make.login_session(user, started_at=now - timedelta(minutes=30),
                               last_active_at=now - timedelta(minutes=10, seconds=1))
    with app.app_context():
        closed = close_inactive_login_sessions(now=now)
        sa_db.session.commit()
    assert closed == 1
    assert db.get(UserSession, fresh.id).ended_at is None
    closed_row = db.get(UserSession, stale.id)
    assert closed_row.end_reason == "EXPIRED"
    assert closed_row.ended_at == stale.last_active_at


def test_expiry_uses_the_organization_timeout(app, make, db):
    make.organization(session_timeout_minutes=30)
    user = make.user()
    now = utcnow()
    twenty = make.login_session(user, last_active_at=now - timedelta(minutes=20), started_at=now - timedelta(hours=1))
    with app.app_context():
        from lms.auth.jobs import close_inactive_login_sessions as job

        assert job() == 0
    assert db.get(UserSession, twenty.id).ended_at is None


def test_expired_duration_runs_to_the_last_heartbeat_exactly(app, make, db):
    user = make.user()
    started = utcnow().replace(microsecond=0) - timedelta(hours=3)
    last_ping = started + timedelta(minutes=47, seconds=13)  # 2833 s
    login_session = make.login_session(user, started_at=started, last_active_at=last_ping)
    with app.app_context():
        close_inactive_login_sessions()
        sa_db.session.commit()
    row = db.get(UserSession, login_session.id)
    assert row.duration_seconds == 2833  # not "now - started": the duration runs to the last heartbeat
    assert row.ended_at == last_ping


def test_duration_is_exact_with_fractional_seconds(app, make, db):
    user = make.user()
    started = utcnow().replace(microsecond=250000) - timedelta(hours=2)
    sessions = {
        600: make.login_session(user, started_at=started, last_active_at=started + timedelta(seconds=600)),
        59: make.login_session(user, started_at=started, last_active_at=started + timedelta(seconds=59, microseconds=999000)),
        0: make.login_session(user, started_at=started, last_active_at=started),
    }
    with app.app_context():
        close_inactive_login_sessions()
        sa_db.session.commit()
    for seconds, login_session in sessions.items():
        assert db.get(UserSession, login_session.id).duration_seconds == seconds


def test_ping_after_expiry_is_401_and_the_session_shows_as_ended(app, client, auth, make, db):
    user = make.user()
    auth.login(user)
    login_session_id = _login_session_id(client)
    assert client.post("/api/session/ping").status_code == 204
    _age(db, login_session_id, idle=timedelta(minutes=11), started_before=timedelta(minutes=40))
    last_ping = db.get(UserSession, login_session_id).last_active_at
    with app.app_context():
        close_inactive_login_sessions()
        sa_db.session.commit()
    assert client.post("/api/session/ping").status_code == 401
    row = db.get(UserSession, login_session_id)
    assert row.end_reason == "EXPIRED" and row.ended_at == last_ping
    assert row.duration_seconds == int((last_ping - row.started_at).total_seconds())
    assert client.get("/").status_code == 302  # and the browser is signed out


def test_a_stale_login_session_is_refused_even_before_the_job_runs(client, auth, make, db):
    user = make.user()
    auth.login(user)
    login_session_id = _login_session_id(client)
    _age(db, login_session_id, idle=timedelta(minutes=10, seconds=30), started_before=timedelta(minutes=12))
    assert client.post("/api/session/ping").status_code == 401
    assert db.get(UserSession, login_session_id).last_active_at < utcnow() - timedelta(minutes=10)


def test_a_page_request_with_an_expired_login_session_signs_out_and_says_why(app, client, auth, make):
    user = make.user()
    auth.login(user)
    with app.app_context():
        sa_db.session.execute(update(UserSession).values(started_at=utcnow() - timedelta(minutes=20),
                                                         last_active_at=utcnow() - timedelta(minutes=15)))
        close_inactive_login_sessions()
        sa_db.session.commit()
    response = client.get("/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    assert b"signed out after a period without activity" in page.data
    assert client.get("/").status_code == 302


def test_remember_me_starts_a_new_login_session_after_expiry(app, client, make, db):
    user = make.user()
    client.post("/auth/login", data={"login": user.email, "password": TEST_PASSWORD, "remember": "y"})
    first = _login_session_id(client)
    with app.app_context():
        sa_db.session.execute(update(UserSession).values(started_at=utcnow() - timedelta(minutes=20),
                                                         last_active_at=utcnow() - timedelta(minutes=15)))
        close_inactive_login_sessions()
        sa_db.session.commit()
    assert client.get("/").status_code == 200  # the remember-me cookie signs the user back in
    second = _login_session_id(client)
    assert second != first
    assert db.get(UserSession, second).ended_at is None
    assert db.get(UserSession, first).end_reason == "EXPIRED"


def test_ten_thousand_stale_sessions_are_closed_by_one_statement(app, make, db, count_queries):
    users = [make.user() for _ in range(5)]
    now = utcnow().replace(microsecond=0)
    rows = [{"user_id": users[i % 5].id, "started_at": now - timedelta(hours=2, seconds=i % 600),
             "last_active_at": now - timedelta(minutes=30, seconds=i % 300)} for i in range(10_000)]
    rows.append({"user_id": users[0].id, "started_at": now - timedelta(hours=1), "last_active_at": now})
    with app.app_context():
        sa_db.session.execute(insert(UserSession), rows)
        sa_db.session.commit()
    with app.app_context(), count_queries() as counter:
        closed = close_inactive_login_sessions(timeout_minutes=10)
        sa_db.session.commit()
    assert closed == 10_000
    # One UPDATE closes them; their audit entries are written in bulk (batched INSERTs, not one per row).
    assert counter.statements[0].lstrip().upper().startswith("UPDATE")
    assert all(s.lstrip().upper().startswith("INSERT INTO AUDIT_LOG") for s in counter.statements[1:])
    assert len(counter.statements) <= 21
    assert db.count(UserSession, UserSession.ended_at.is_(None)) == 1
    with db.ctx() as session:
        bad = session.scalar(select(UserSession.id).where(
            UserSession.end_reason == "EXPIRED",
            (UserSession.ended_at != UserSession.last_active_at) | UserSession.duration_seconds.is_(None)).limit(1))
    assert bad is None
    sample = db.scalars(select(UserSession).where(UserSession.end_reason == "EXPIRED").limit(50))
    for row in sample:
        assert row.duration_seconds == int((row.last_active_at - row.started_at).total_seconds())


def test_the_expiry_index_matches_the_job_predicate(app):
    with app.app_context():
        index = next(i for i in UserSession.__table__.indexes if i.name == "ix_user_session_open_last_active")
        assert [c.name for c in index.columns] == ["last_active_at"]
        assert "ended_at IS NULL" in str(index.dialect_options["postgresql"]["where"])
        assert "ended_at IS NULL" in str(index.dialect_options["sqlite"]["where"])


def test_the_expiry_job_runs_every_minute():
    job = next(j for j in PERIODIC_JOBS if j.name == "close-inactive-login-sessions")
    assert job.interval == 60 and job.inline
    assert job.resolve().is_background_job


def test_signed_in_pages_load_the_heartbeat_script(client, auth, make):
    make.organization(heartbeat_seconds=45)
    assert b"heartbeat.js" not in client.get("/auth/login").data
    auth.login(make.user())
    html = client.get("/").get_data(as_text=True)
    assert 'name="lms-heartbeat" content="45" data-url="/api/session/ping"' in html
    assert "js/heartbeat.js" in html and "defer" in html


def test_device_descriptions():
    assert describe_device(PHONE_UA) == "Chrome · Android"
    assert describe_device("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Version/17.0 Mobile Safari/604.1") == \
        "Safari · iPhone"
    assert describe_device(None) == "?"


# --- the audit log: remembered sign-ins and timed-out login sessions --------------------------------


def test_a_timed_out_login_session_is_in_the_audit_log_once(app, make, db):
    from lms.audit.models import AuditLog

    user = make.user(full_name="Idle Ida")
    now = utcnow()
    stale = make.login_session(user, started_at=now - timedelta(minutes=30),
                               last_active_at=now - timedelta(minutes=11))
    with app.app_context():
        assert close_inactive_login_sessions(now=now) == 1
        assert close_inactive_login_sessions(now=now) == 0  # already closed: no second entry
        sa_db.session.commit()
    entries = db.scalars(select(AuditLog).where(AuditLog.action == "user.session_expired"))
    assert len(entries) == 1
    assert entries[0].actor_id == user.id and entries[0].entity_id == user.id
    assert entries[0].details["login_session_id"] == stale.id


def test_the_audit_log_page_reads_a_timeout(app, client, make, as_role, db):
    user = make.user(full_name="Idle Ida")
    now = utcnow()
    make.login_session(user, started_at=now - timedelta(minutes=30), last_active_at=now - timedelta(minutes=11))
    with app.app_context():
        close_inactive_login_sessions(now=now)
        sa_db.session.commit()
    as_role("ADMIN")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert 'title="user.session_expired">Signed out after a period without activity</td>' in page
    assert "Idle Ida" in page


def test_a_remember_me_sign_in_is_audited_once_per_restored_login_session(app, client, make, db):
    from lms.audit.models import AuditLog

    user = make.user()
    client.post("/auth/login", data={"login": user.email, "password": TEST_PASSWORD, "remember": "y"})
    with app.app_context():
        sa_db.session.execute(update(UserSession).values(started_at=utcnow() - timedelta(minutes=20),
                                                         last_active_at=utcnow() - timedelta(minutes=15)))
        close_inactive_login_sessions()
        sa_db.session.commit()
    for _ in range(3):
        assert client.get("/").status_code == 200  # the cookie signs back in on the first; the rest use it
    remembered = db.scalars(select(AuditLog).where(AuditLog.action == "user.login",
                                                   AuditLog.actor_id == user.id).order_by(AuditLog.id))
    methods = [entry.details.get("method") for entry in remembered]
    assert methods == ["password", "remembered"]
    assert remembered[1].details["login_session_id"] == _login_session_id(client)
