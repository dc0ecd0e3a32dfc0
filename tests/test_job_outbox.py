"""The job outbox: a job asked for while Redis is down is committed with the change and runs once
Redis is back (fakeredis, or real Redis with LMS_TEST_REDIS_URL).  An outage is a Redis URL to a
port nobody listens on."""

import socket
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms import create_app, outbox
from lms.audit.models import AuditLog
from lms.audit.services import record
from lms.auth.models import AccountToken, User
from lms.common.types import utcnow
from lms.extensions import db as sa_db
from lms.extensions import redis_connection, relay_redis_connection
from lms.jobs import background_job, enqueue
from lms.outbox import JobOutbox, clean_job_outbox, relay_job_outbox
from tests.conftest import RUN_ID, make_test_config


@background_job
def write_audit_entry(label: str):
    record(None, "test.outbox", label=label)
    sa_db.session.commit()


_flaky_calls: list[str] = []


@background_job
def fails_the_first_time(label: str):
    _flaky_calls.append(label)
    if len(_flaky_calls) == 1:
        raise RuntimeError("SMTP server busy")
    record(None, "test.outbox", label=label)
    sa_db.session.commit()


def _labels(db):
    return [e.details["label"] for e in db.scalars(select(AuditLog).where(AuditLog.action == "test.outbox"))]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _fresh_relay(monkeypatch):
    monkeypatch.setattr(outbox, "_relay_paused_until", {})
    _flaky_calls.clear()


@pytest.fixture
def redis_down(app, monkeypatch):
    """Redis unreachable until ``recover()``; the queue is worked by a real (in-process) RQ worker."""
    working_url = app.config["REDIS_URL"]
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{_closed_port()}/0")
    monkeypatch.setitem(app.config, "RQ_RUN_SYNC", False)

    def recover():
        app.config["REDIS_URL"] = working_url

    return recover


@pytest.fixture
def queued(app, monkeypatch):
    """Jobs go to the queue and wait for a worker (not run inside enqueue as elsewhere in tests)."""
    monkeypatch.setitem(app.config, "RQ_RUN_SYNC", False)


def run_worker(app) -> None:
    """What ``rq worker`` does, in this process, until the queue is empty."""
    from rq import Queue, SimpleWorker

    with app.app_context():
        conn = redis_connection()
        queue = Queue(app.config["QUEUE_NAME"], connection=conn)
        SimpleWorker([queue], connection=conn, name=f"test-{RUN_ID}-{uuid.uuid4().hex[:6]}").work(burst=True)


def _rows(db) -> list[JobOutbox]:
    return db.scalars(select(JobOutbox).order_by(JobOutbox.id))


def _queued_job_ids(app) -> list[str]:
    from rq import Queue

    with app.app_context():
        return Queue(app.config["QUEUE_NAME"], connection=redis_connection()).get_job_ids()


def test_a_reset_email_asked_for_while_redis_is_down_is_sent_once_redis_is_back(
        app, client, make, db, outbox, redis_down):
    user = make.user(email="somchai@example.org")
    started = time.monotonic()
    response = client.post("/auth/forgot-password", data={"email": user.email})
    took = time.monotonic() - started
    assert response.status_code == 200
    assert took < 1.0, f"the request waited {took:.1f} s on Redis"
    [row] = _rows(db)  # the job is committed, waiting (the lookup happens in the job)
    assert row.job == "lms.auth.jobs:send_password_reset" and row.enqueued_at is None and row.done_at is None
    assert "Connection" in row.last_error or "refused" in row.last_error
    health = client.get("/healthz")
    assert health.status_code == 200  # the contract: status, db, redis (+ the backlog)
    assert health.get_json()["redis"] == "unavailable" and health.get_json()["db"] == "ok"
    assert health.get_json()["status"] == "degraded" and health.get_json()["jobs_waiting"] == 1
    assert outbox == []

    with app.app_context():  # still down: the sweep leaves the row waiting, and does not fail
        assert relay_job_outbox() == 0
    redis_down()
    with app.app_context():
        assert relay_job_outbox() == 1  # the periodic sweep (rq cron, every minute)
        assert relay_job_outbox() == 0  # pushed once
    assert client.get("/healthz").get_json()["jobs_waiting"] == 0
    run_worker(app)  # the reset job makes the token and asks for the email, which the worker then sends
    assert db.scalar(select(AccountToken.user_id)) == user.id
    [message] = outbox
    assert message["To"] == user.email
    rows = list(_rows(db))
    assert [r.job for r in rows] == ["lms.auth.jobs:send_password_reset", "lms.mail:deliver_email"]
    assert all(r.done_at is not None and r.attempts == 1 for r in rows)
    assert all(r.args == [] and r.kwargs == {} for r in rows)  # the address and the link are not kept


def test_requests_during_an_outage_do_not_each_try_redis(app, client, make, redis_down, monkeypatch):
    """After a failed push, requests leave their jobs to the sweep for a few seconds."""
    users = [make.user() for _ in range(3)]
    tries = []
    real = outbox._push

    def counting_push(*args, **kwargs):
        tries.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(outbox, "_push", counting_push)
    for user in users:
        assert client.post("/auth/forgot-password", data={"email": user.email}).status_code == 200
    assert len(tries) == 1
    with app.app_context():
        conn = relay_redis_connection()
        assert conn.connection_pool.connection_kwargs["socket_connect_timeout"] <= 0.2
        assert conn.connection_pool.connection_kwargs["socket_timeout"] <= 0.2


def test_a_job_pushed_twice_runs_once(app, db, queued):
    with app.app_context():
        job = enqueue(write_audit_entry, "once")
    [row] = _rows(db)
    assert job is not None and row.enqueued_at is not None
    with app.app_context():  # the same row pushed again (a relay that timed out after Redis got it)
        from rq import Queue

        Queue(app.config["QUEUE_NAME"], connection=redis_connection()).enqueue(
            write_audit_entry, "once", lms_outbox_key=row.idempotency_key)
    assert len(_queued_job_ids(app)) == 2
    run_worker(app)
    assert _labels(db) == ["once"]
    [row] = _rows(db)
    assert row.done_at is not None and row.attempts == 1


def test_a_job_enqueued_in_a_rolled_back_transaction_leaves_no_row_and_no_job(app, db, make, queued):
    user = make.user()
    with app.app_context():
        u = sa_db.session.get(User, user.id)
        u.full_name = "Changed"
        enqueue(write_audit_entry, "rolled-back")
        sa_db.session.rollback()
        sa_db.session.commit()
        assert relay_job_outbox() == 0
    assert _rows(db) == [] and _queued_job_ids(app) == []
    run_worker(app)
    assert _labels(db) == []


def test_a_job_enqueued_with_a_change_is_committed_with_it_and_queued_after_the_commit(app, db, make, queued):
    user = make.user()
    with app.app_context():
        u = sa_db.session.get(User, user.id)
        u.full_name = "Changed"
        enqueue(write_audit_entry, "with-change")
        assert _queued_job_ids(app) == []  # nothing for a worker before the commit
        sa_db.session.commit()
    assert len(_queued_job_ids(app)) == 1
    run_worker(app)
    assert _labels(db) == ["with-change"]


def test_a_failed_run_is_retried_and_then_done(app, db, queued):
    with app.app_context():
        enqueue(fails_the_first_time, "flaky")
    run_worker(app)
    [row] = _rows(db)
    assert row.done_at is None and row.started_at is None and "SMTP server busy" in row.last_error
    with app.app_context():  # what RQ's Retry does 10 s later: the same RQ job again
        from rq import Queue
        from rq.job import Job

        job = Job.fetch(row.rq_job_id, connection=redis_connection())
        Queue(app.config["QUEUE_NAME"], connection=redis_connection()).enqueue_job(job)
    run_worker(app)
    assert _labels(db) == ["flaky"]
    [row] = _rows(db)
    assert row.done_at is not None and row.attempts == 2


def test_the_sweep_pushes_again_a_job_whose_queue_entry_was_lost(app, db, queued):
    """A worker killed mid-run, or a Redis that lost its data: the row is not done, RQ has no job."""
    with app.app_context():
        enqueue(write_audit_entry, "lost")
        enqueue(write_audit_entry, "still-queued")
        conn = redis_connection()
        lost, queued_row = sa_db.session.scalars(select(JobOutbox).order_by(JobOutbox.id)).all()
        from rq import Queue

        Queue(app.config["QUEUE_NAME"], connection=conn).remove(lost.rq_job_id)
        conn.delete(f"rq:job:{lost.rq_job_id}")
        long_ago = utcnow() - timedelta(minutes=10)
        lost.enqueued_at = queued_row.enqueued_at = long_ago
        sa_db.session.commit()
        assert relay_job_outbox() == 1  # the lost one only: the other is still in the queue
    run_worker(app)
    assert sorted(_labels(db)) == ["lost", "still-queued"]


def test_job_arguments_must_be_json(app):
    with app.app_context(), pytest.raises(TypeError, match="JSON"):
        enqueue(write_audit_entry, object())
    with app.app_context():
        assert sa_db.session.scalar(select(JobOutbox.id)) is None


def test_an_idempotency_key_given_twice_queues_the_job_once(app, db):
    with app.app_context():
        enqueue(write_audit_entry, "keyed", job_id=f"digest-{RUN_ID}")
        enqueue(write_audit_entry, "keyed", job_id=f"digest-{RUN_ID}")
    assert _labels(db) == ["keyed"] and len(_rows(db)) == 1


def test_without_redis_jobs_run_inline_after_the_commit_without_an_outbox_row(database_url, db, make):
    inline_app = create_app(make_test_config(database_url, ""))
    user = make.user()
    with inline_app.app_context():
        u = sa_db.session.get(User, user.id)
        u.full_name = "Changed"
        enqueue(write_audit_entry, "inline")
        assert _labels(db) == []
        sa_db.session.commit()
        assert _labels(db) == ["inline"]
    assert _rows(db) == []
    assert inline_app.test_client().get("/healthz").get_json()["jobs_waiting"] == 0


def test_old_outbox_rows_are_cleaned(app, db):
    now = utcnow()
    with app.app_context():
        for label, created, done in [("old-done", 8, 8), ("recent-done", 2, 1),
                                     ("never-done-old", 31, None), ("waiting", 2, None)]:
            sa_db.session.add(JobOutbox(job="tests.test_job_outbox:write_audit_entry", args=[label], kwargs={},
                                        idempotency_key=label, created_at=now - timedelta(days=created),
                                        done_at=done and now - timedelta(days=done)))
        sa_db.session.commit()
        assert clean_job_outbox() == 2
    assert sorted(r.idempotency_key for r in _rows(db)) == ["recent-done", "waiting"]


def test_a_job_whose_worker_died_mid_run_runs_when_rq_retries_it_but_not_twice_at_once(app, db, queued):
    with app.app_context():
        enqueue(write_audit_entry, "killed")
        row = sa_db.session.scalar(select(JobOutbox))
        # A worker took it and was killed (kill -9) mid-run: the row stays claimed by that RQ job.
        row.started_at, row.run_by, row.attempts = utcnow(), row.rq_job_id, 1
        sa_db.session.commit()
        from rq import Queue

        # Another push of the same row meanwhile (a second worker) does not run it a second time ...
        Queue(app.config["QUEUE_NAME"], connection=redis_connection()).enqueue(
            write_audit_entry, "killed", lms_outbox_key=row.idempotency_key)
    from rq import Queue

    with app.app_context():
        queue = Queue(app.config["QUEUE_NAME"], connection=redis_connection())
        queue.remove(row.rq_job_id)  # (the killed run's job is not in the queue any more)
    run_worker(app)
    assert _labels(db) == []
    # ... but RQ's retry of the killed run's own job (its maintenance found it abandoned) does.
    with app.app_context():
        from rq.job import Job

        queue.enqueue_job(Job.fetch(row.rq_job_id, connection=redis_connection()))
    run_worker(app)
    assert _labels(db) == ["killed"]
    [row] = _rows(db)
    assert row.done_at is not None and row.attempts == 2
