import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from lms import create_app
from lms.audit.models import AuditLog
from lms.audit.services import record
from lms.extensions import db as sa_db
from lms.jobs import background_job, enqueue, last_worker_heartbeat, record_worker_heartbeat
from lms.periodic import PERIODIC_JOBS
from tests.conftest import TEST_REDIS_URL, make_test_config

ROOT = Path(__file__).resolve().parent.parent


@background_job
def write_audit_entry(label: str):
    record(None, "test.job", label=label)
    sa_db.session.commit()


@background_job
def failing_job():
    raise RuntimeError("boom")


def _labels(db):
    return [e.details["label"] for e in db.scalars(select(AuditLog).where(AuditLog.action == "test.job"))]


@pytest.fixture
def inline_app(database_url):
    return create_app(make_test_config(database_url, ""))


def test_without_redis_jobs_run_inline(inline_app, db):
    with inline_app.app_context():
        assert enqueue(write_audit_entry, "inline") is None
    assert _labels(db) == ["inline"]


def test_with_redis_jobs_go_through_the_queue(app, db):
    with app.app_context():
        job = enqueue(write_audit_entry, "queued")
        assert job is not None and job.func_name.endswith("write_audit_entry")
    assert _labels(db) == ["queued"]


def test_a_job_enqueued_with_pending_writes_waits_for_the_commit(app, db, make):
    user = make.user()
    with app.app_context():
        u = sa_db.session.get(type(user), user.id)
        u.full_name = "Changed"
        enqueue(write_audit_entry, "after-commit")
        assert _labels(db) == []
        sa_db.session.commit()
    assert _labels(db) == ["after-commit"]


def test_a_job_enqueued_in_a_rolled_back_transaction_never_runs(app, db, make):
    user = make.user()
    with app.app_context():
        u = sa_db.session.get(type(user), user.id)
        u.full_name = "Changed"
        enqueue(write_audit_entry, "rolled-back")
        sa_db.session.rollback()
        sa_db.session.commit()
    assert _labels(db) == []


def test_a_failing_job_does_not_fail_the_caller(app, inline_app):
    for an_app in (app, inline_app):
        with an_app.app_context():
            enqueue(failing_job)


def test_only_background_jobs_can_be_enqueued(app):
    with app.app_context(), pytest.raises(TypeError):
        enqueue(print, "x")


def test_periodic_jobs_resolve_to_background_jobs():
    names = [job.name for job in PERIODIC_JOBS]
    assert len(names) == len(set(names))
    for job in PERIODIC_JOBS:
        assert getattr(job.resolve(), "is_background_job", False), job.func


def test_worker_heartbeat_is_shown_on_healthz(app, client):
    with app.app_context():
        record_worker_heartbeat()
    assert client.get("/healthz").get_json()["worker_heartbeat"]


@pytest.mark.redis_server
@pytest.mark.committed  # the worker and cron processes have their own connections
@pytest.mark.skipif(not TEST_REDIS_URL, reason="needs LMS_TEST_REDIS_URL (a real Redis server)")
def test_rq_worker_and_cron_run_the_periodic_heartbeat_end_to_end(app, database_url, client):
    """PM2's processes (rq worker --with-scheduler, rq cron lms.cron_config) against real Redis."""
    env = {
        **os.environ,
        "LMS_ENV": "development",
        "DATABASE_URL": database_url,
        "REDIS_URL": TEST_REDIS_URL,
        "QUEUE_NAME": app.config["QUEUE_NAME"],
        "PYTHONPATH": str(ROOT),
    }
    env.pop("LMS_INSTANCE", None)
    rq = str(Path(sys.executable).with_name("rq"))
    worker = subprocess.Popen(
        [rq, "worker", "--with-scheduler", "--worker-class", "lms.worker.Worker", "--url", TEST_REDIS_URL,
         "--max-jobs", "50", app.config["QUEUE_NAME"]],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    cron = subprocess.Popen([rq, "cron", "--url", TEST_REDIS_URL, "lms.cron_config"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 40
        heartbeat = None
        while time.monotonic() < deadline and not heartbeat:
            time.sleep(0.5)
            with app.app_context():
                heartbeat = last_worker_heartbeat()
        assert heartbeat, "the cron process did not get a heartbeat job run by the worker"
        assert client.get("/healthz").get_json()["worker_heartbeat"] == heartbeat

        # And a job the app enqueues (not RQ_RUN_SYNC) is picked up by the worker, in its own session.
        app.config["RQ_RUN_SYNC"] = False
        try:
            with app.app_context():
                enqueue(write_audit_entry, "worker")
        finally:
            app.config["RQ_RUN_SYNC"] = True
        from tests.conftest import DatabaseHelper

        helper = DatabaseHelper(app)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _labels(helper) != ["worker"]:
            time.sleep(0.3)
        assert _labels(helper) == ["worker"]
    finally:
        for proc in (cron, worker):
            proc.terminate()
        for proc in (cron, worker):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_the_worker_looks_for_abandoned_jobs_every_minute(monkeypatch):
    """A job whose worker was killed mid-run is retried within minutes, not RQ's default ten."""
    import fakeredis

    import lms.jobs
    from lms.worker import Worker

    monkeypatch.setattr(lms.jobs, "prepare_worker_app", lambda: None)
    worker = Worker(["lms-test"], connection=fakeredis.FakeStrictRedis())
    assert worker.maintenance_interval == 60


def test_the_worker_looks_for_abandoned_jobs_every_minute_even_when_started_by_rq_worker(monkeypatch):
    """`rq worker` passes --maintenance-interval 600 unless told otherwise; a job a killed worker
    had just taken (left in RQ's intermediate queue) is only retried after maintenance runs."""
    from datetime import timedelta

    import fakeredis
    from rq import Queue
    from rq.defaults import DEFAULT_MAINTENANCE_TASK_INTERVAL
    from rq.utils import now

    from lms import jobs
    from lms.worker import MAINTENANCE_INTERVAL, Worker

    monkeypatch.setattr(jobs, "prepare_worker_app", lambda: None)
    connection = fakeredis.FakeStrictRedis()
    queue = Queue("lms-test", connection=connection)
    as_the_cli_does = Worker([queue], connection=connection, maintenance_interval=DEFAULT_MAINTENANCE_TASK_INTERVAL)
    assert as_the_cli_does.maintenance_interval == MAINTENANCE_INTERVAL == 60
    as_the_cli_does.last_cleaned_at = now() - timedelta(seconds=61)
    assert as_the_cli_does.should_run_maintenance_tasks
    chosen = Worker([queue], connection=connection, maintenance_interval=120)
    assert chosen.maintenance_interval == 120
