"""Background work: the one enqueue helper and the job decorator.

* With ``REDIS_URL`` set, a job asked for is a row of the job outbox (``lms.outbox``) written in
  the caller's transaction; after the commit it is pushed to the instance's RQ queue
  (``QUEUE_NAME``), or, if Redis does not answer within 0.2 s, left for the sweep that runs every
  minute.  Runs are retried on failure, and a job runs once in effect (idempotency key).
* Without it (the embedded default) the same functions run inline.

Jobs take ids, never ORM objects (their arguments are stored as JSON), and always run in their own
app context and database session, so a failing job cannot roll back the request that asked for
it.  A job enqueued while the caller's transaction has writes is dispatched only after that
transaction commits (and dropped if it rolls back): a worker never looks for a row that is not
committed yet.
"""

from __future__ import annotations

import logging
import time
from functools import wraps

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.common.types import utcnow
from lms.extensions import db, redis_connection

log = logging.getLogger(__name__)

_worker_app = None


def prepare_worker_app():
    """The app used by jobs running outside a request (an RQ worker), built once per process."""
    global _worker_app
    if _worker_app is None:
        from lms import create_app  # the worker builds the app (composition root)

        _worker_app = create_app()
    return _worker_app


def background_job(func):
    """Decorate a job function: it runs in a fresh app context and DB session.

    Pushed from the outbox, it gets the row's key (``lms_outbox_key``): the row is claimed before
    the run and recorded done after it, so a second push of the same row does not run it again.
    """

    @wraps(func)
    def wrapper(*args, lms_outbox_key: str | None = None, **kwargs):
        app = current_app._get_current_object() if has_app_context() else prepare_worker_app()
        with app.app_context():
            try:
                if lms_outbox_key is None:
                    return func(*args, **kwargs)
                from lms.outbox import run_once  # import cycle: outbox imports this module

                return run_once(lms_outbox_key, func, args, kwargs)
            finally:
                db.session.remove()

    wrapper.is_background_job = True
    return wrapper


def committed(result, logger: logging.Logger | None = None, message: str = ""):
    """End a job: commit its work and return ``result``; when ``result`` is not zero (empty),
    ``logger`` logs ``message % result``."""
    db.session.commit()
    if logger is not None and result:
        logger.info(message, result)
    return result


def enqueue(job, *args, job_id: str | None = None, retry: bool = True, **kwargs):
    """Run ``job(*args, **kwargs)`` in the background (or inline without Redis).

    With Redis, the job is a row of the job outbox committed with the caller's transaction;
    ``job_id``, if given, is its idempotency key (a second enqueue with the same key is ignored).
    Returns the RQ job when it was queued now, else None (after the commit, or by the sweep).
    Never waits on Redis and never fails because Redis is down.
    """
    if not getattr(job, "is_background_job", False):
        raise TypeError(f"{job!r} is not decorated with @background_job")
    session = db.session()
    deferred = bool(session.info.get("lms_has_writes") or session.new or session.dirty or session.deleted)
    if not current_app.config.get("REDIS_URL"):
        if deferred:
            session.info.setdefault("lms_after_commit", []).append((job, args, kwargs))
            return None
        _run_inline(job, args, kwargs)
        return None
    from lms import outbox  # import cycle: outbox imports this module

    entry = outbox.new_entry(job, args, kwargs, key=job_id, retry=retry)
    if job_id and outbox.key_exists(job_id):
        return None
    if deferred:
        session.add(entry.row())
        session.info.setdefault("lms_outbox_after_commit", []).append(entry)
        return None
    outbox.insert_now(entry)
    return outbox.relay([entry])


def _run_inline(job, args, kwargs):
    try:
        job(*args, **kwargs)
    except Exception:  # inline mode has no retry: log it, never fail the caller
        log.exception("inline job %s failed", getattr(job, "__name__", job))


@event.listens_for(Session, "after_flush", propagate=True)
def _mark_writes(session, flush_context):
    session.info["lms_has_writes"] = True


@event.listens_for(Session, "do_orm_execute", propagate=True)
def _mark_bulk_writes(orm_execute_state):
    """``session.execute(insert/update/delete(...))`` writes too (no flush event fires for it)."""
    if orm_execute_state.is_insert or orm_execute_state.is_update or orm_execute_state.is_delete:
        orm_execute_state.session.info["lms_has_writes"] = True


def _run_deferred(session):
    inline = session.info.pop("lms_after_commit", [])
    entries = session.info.pop("lms_outbox_after_commit", [])
    session.info.pop("lms_has_writes", None)
    for job, args, kwargs in inline:
        _run_inline(job, args, kwargs)
    if entries:
        from lms.outbox import relay  # import cycle: outbox imports this module

        try:
            relay(entries)
        except Exception:  # the rows are committed: the sweep pushes them
            log.exception("could not relay %d jobs after commit", len(entries))


@event.listens_for(Session, "after_commit", propagate=True)
def _after_commit(session):
    if session.in_nested_transaction():
        return  # a savepoint was released: the work is not committed yet
    if session.info.get("lms_after_commit") or session.info.get("lms_outbox_after_commit"):
        _run_deferred(session)
    else:
        session.info.pop("lms_has_writes", None)


@event.listens_for(Session, "after_soft_rollback", propagate=True)
def _after_rollback(session, previous_transaction):
    if not session.in_transaction():
        session.info.pop("lms_after_commit", None)
        session.info.pop("lms_outbox_after_commit", None)  # the rows went with the transaction
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
    from lms.periodic import PERIODIC_JOBS  # import cycle: periodic imports this module

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
