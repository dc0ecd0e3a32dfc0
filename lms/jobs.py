"""Background work: the one enqueue helper and the job decorator.

* With ``REDIS_URL`` set, jobs go to the instance's RQ queue (``QUEUE_NAME``)
  and are retried on failure.
* Without it (the embedded default) the same functions run inline.

Jobs take ids, never ORM objects, and always run in their own app context and
database session, so a failing job cannot roll back the request that asked for
it.  A job enqueued while the caller's transaction has writes is dispatched
only after that transaction commits (and dropped if it rolls back): a worker
never looks for a row that is not committed yet.
"""

from __future__ import annotations

import logging
import time
from functools import wraps

from flask import current_app, has_app_context
from rq import Queue, Retry
from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.common.types import utcnow
from lms.extensions import db, redis_connection

log = logging.getLogger(__name__)

RETRY_INTERVALS = [10, 60, 300]
_worker_app = None


def prepare_worker_app():
    """The app used by jobs running outside a request (an RQ worker), built once per process."""
    global _worker_app
    if _worker_app is None:
        from lms import create_app

        _worker_app = create_app()
    return _worker_app


def background_job(func):
    """Decorate a job function: it runs in a fresh app context and DB session."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        app = current_app._get_current_object() if has_app_context() else prepare_worker_app()
        with app.app_context():
            try:
                return func(*args, **kwargs)
            finally:
                db.session.remove()

    wrapper.is_background_job = True
    return wrapper


def enqueue(job, *args, job_id: str | None = None, retry: bool = True, **kwargs):
    """Run ``job(*args, **kwargs)`` in the background (or inline without Redis).

    Returns the RQ job when it was queued now, else None.
    """
    if not getattr(job, "is_background_job", False):
        raise TypeError(f"{job!r} is not decorated with @background_job")
    session = db.session()
    if session.info.get("lms_has_writes") or session.new or session.dirty or session.deleted:
        session.info.setdefault("lms_after_commit", []).append((job, args, kwargs, job_id, retry))
        return None
    return _dispatch(job, args, kwargs, job_id, retry)


def _dispatch(job, args, kwargs, job_id, retry):
    conn = redis_connection()
    if conn is None:
        try:
            job(*args, **kwargs)
        except Exception:  # inline mode has no retry: log it, never fail the caller
            log.exception("inline job %s failed", getattr(job, "__name__", job))
        return None
    queue = Queue(current_app.config["QUEUE_NAME"], connection=conn,
                  is_async=not current_app.config.get("RQ_RUN_SYNC", False))
    options = {"job_id": job_id}
    if retry:
        options["retry"] = Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS)
    try:
        return _enqueue_through_outage(queue, job, args, kwargs, options)
    except Exception:
        if not current_app.config.get("RQ_RUN_SYNC"):
            raise
        # Synchronous test mode runs the job inside enqueue(); a job failure
        # must look to the caller as it would with a real worker: queued.
        log.exception("job %s failed", getattr(job, "__name__", job))
        return None


# A Redis restart (or failover) takes a second or two: wait that long rather than lose the job.
ENQUEUE_RETRY_DELAYS = [0.2, 0.5, 1.0, 1.5, 2.0]


def _enqueue_through_outage(queue, job, args, kwargs, options):
    """``queue.enqueue``, tried again while Redis is briefly unreachable (about 5 s in all)."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    for delay in [*ENQUEUE_RETRY_DELAYS, None]:
        try:
            return queue.enqueue(job, args=args, kwargs=kwargs, **options)
        except (RedisConnectionError, RedisTimeoutError):
            if delay is None:
                raise
            log.warning("Redis unreachable while enqueuing %s; trying again in %s s",
                        getattr(job, "__name__", job), delay)
            time.sleep(delay)


@event.listens_for(Session, "after_flush", propagate=True)
def _mark_writes(session, flush_context):
    session.info["lms_has_writes"] = True


@event.listens_for(Session, "do_orm_execute", propagate=True)
def _mark_bulk_writes(orm_execute_state):
    """``session.execute(insert/update/delete(...))`` writes too (no flush event fires for it)."""
    if orm_execute_state.is_insert or orm_execute_state.is_update or orm_execute_state.is_delete:
        orm_execute_state.session.info["lms_has_writes"] = True


def _run_deferred(session):
    pending = session.info.pop("lms_after_commit", [])
    session.info.pop("lms_has_writes", None)
    for job, args, kwargs, job_id, retry in pending:
        try:
            _dispatch(job, args, kwargs, job_id, retry)
        except Exception:
            log.exception("could not dispatch job %s after commit", getattr(job, "__name__", job))


@event.listens_for(Session, "after_commit", propagate=True)
def _after_commit(session):
    if session.in_nested_transaction():
        return  # a savepoint was released: the work is not committed yet
    if session.info.get("lms_after_commit"):
        _run_deferred(session)
    else:
        session.info.pop("lms_has_writes", None)


@event.listens_for(Session, "after_soft_rollback", propagate=True)
def _after_rollback(session, previous_transaction):
    if not session.in_transaction():
        session.info.pop("lms_after_commit", None)
        session.info.pop("lms_has_writes", None)


# --- the worker heartbeat: proves the worker and the cron process are running ---

def heartbeat_key() -> str:
    return f"lms:{current_app.config['QUEUE_NAME']}:worker-heartbeat"


@background_job
def record_worker_heartbeat() -> str:
    conn = redis_connection()
    stamp = utcnow().isoformat()
    if conn is not None:
        conn.set(heartbeat_key(), stamp, ex=3600)
    return stamp


def last_worker_heartbeat() -> str | None:
    conn = redis_connection()
    if conn is None:
        return None
    value = conn.get(heartbeat_key())
    return value.decode() if isinstance(value, bytes) else value


# --- periodic jobs on the embedded default (no Redis, no rq cron) ---

_last_inline_run: dict[str, float] = {}


def run_due_periodic_jobs_inline() -> None:
    """Without Redis, run due periodic jobs from the web process (embedded default only)."""
    from lms.periodic import PERIODIC_JOBS

    now = time.monotonic()
    for periodic in PERIODIC_JOBS:
        if not periodic.inline:
            continue
        last = _last_inline_run.get(periodic.name)
        if last is not None and now - last < periodic.interval:
            continue
        _last_inline_run[periodic.name] = now
        try:
            periodic.resolve()()
        except Exception:
            log.exception("periodic job %s failed", periodic.name)
