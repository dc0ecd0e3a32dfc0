"""The job outbox: a job asked for is a row written in the same transaction as the change.

``lms.jobs.enqueue`` (with ``REDIS_URL``) adds a ``job_outbox`` row to the caller's transaction.
After the commit the **relay** pushes it to RQ through a Redis connection that gives up within
0.2 s, and stops trying for a few seconds after a failure, so a request never waits on Redis.
A row the relay could not push (Redis down, the process died) stays *waiting*: the **sweep**
(``relay_job_outbox``, every minute from ``rq cron``) pushes it once Redis answers.

Delivery is at least once; the idempotency key makes it once in effect: the RQ job carries the
row's key, and the job wrapper (``lms.jobs.background_job``) claims the row before running the
job and records it done afterwards, so a second push of the same row finds it done and skips.

A row's life: waiting (``enqueued_at`` empty) → queued (``enqueued_at``, ``rq_job_id``) →
running (``started_at``, ``run_by``, ``attempts`` + 1) → done (``done_at``).  A failed run leaves the row
queued with ``last_error`` (RQ retries it); a row whose RQ job is gone while it is not done
(a killed worker, a lost Redis) is pushed again by the sweep, up to ``MAX_RUNS`` runs.
A done row keeps no arguments (an email's text carries its reset or invitation link); done rows
are deleted after a week, rows never done after a month (``clean_job_outbox``).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import import_module

from flask import current_app
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Index,
    Integer,
    String,
    delete,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from lms.common.models import CreatedAt, IdKey
from lms.common.types import UTCDateTime, utcnow
from lms.extensions import db, redis_connection, relay_redis_connection
from lms.jobs import background_job

log = logging.getLogger(__name__)

KEY_KWARG = "lms_outbox_key"   # the keyword argument that carries the key into the job wrapper
RETRY_INTERVALS = [10, 60, 300]  # RQ retries a failed run after these many seconds
MAX_RUNS = 8                     # runs started (all pushes together) before the outbox gives up
LEASE = timedelta(seconds=240)   # a run older than this is dead (RQ kills a job after 180 s)
REQUEUE_AFTER = timedelta(minutes=5)  # a queued row not done: is its RQ job still there?
RELAY_PAUSE_SECONDS = 5.0        # after Redis failed a push, requests leave rows to the sweep
SWEEP_BATCH = 500
KEEP_DONE = timedelta(days=7)
KEEP_NOT_DONE = timedelta(days=30)
_ERROR_LENGTH = 500


class JobOutbox(IdKey, CreatedAt, db.Model):
    """A background job asked for, written in the transaction of the change that asked for it."""

    __tablename__ = "job_outbox"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        Index("ix_job_outbox_state", "done_at", "enqueued_at"),
    )

    job: Mapped[str] = mapped_column(String(200))               # "module:function", a @background_job
    args: Mapped[list] = mapped_column(JSON, default=list)
    kwargs: Mapped[dict] = mapped_column(JSON, default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    retry: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # pushed to RQ (empty: waiting)
    rq_job_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())   # the current (or last) run
    run_by: Mapped[str | None] = mapped_column(String(64))  # the RQ job of that run
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # runs started
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(_ERROR_LENGTH))


@dataclass
class Entry:
    """What the relay needs of a row, as plain values (ORM objects are expired after the commit)."""

    job: str
    args: list
    kwargs: dict
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    retry: bool = True

    def row(self) -> JobOutbox:
        return JobOutbox(job=self.job, args=self.args, kwargs=self.kwargs, idempotency_key=self.key,
                         retry=self.retry)


def job_path(job) -> str:
    return f"{job.__module__}:{job.__qualname__}"


def new_entry(job, args, kwargs, *, key: str | None = None, retry: bool = True) -> Entry:
    """The entry for ``job(*args, **kwargs)``; arguments must be JSON (ids, strings, numbers, lists)."""
    try:
        args, kwargs = json.loads(json.dumps([list(args), kwargs]))
    except (TypeError, ValueError) as err:
        raise TypeError(f"arguments of job {job_path(job)} must be JSON values (ids, not objects): {err}") from err
    entry = Entry(job_path(job), args, kwargs, retry=retry)
    if key:
        entry.key = key
    return entry


def key_exists(key: str) -> bool:
    return db.session.scalar(select(JobOutbox.id).where(JobOutbox.idempotency_key == key)) is not None


def insert_now(entry: Entry) -> None:
    """Store the row in its own transaction (the caller's session has nothing to commit)."""
    with db.engine.begin() as conn:
        conn.execute(JobOutbox.__table__.insert().values(
            job=entry.job, args=entry.args, kwargs=entry.kwargs, idempotency_key=entry.key, retry=entry.retry,
            created_at=utcnow(), attempts=0))


# --- pushing rows to RQ ---------------------------------------------------------------------------------

_relay_paused_until: dict[str, float] = {}


def relay(entries: list[Entry]):
    """Push rows just committed, unless Redis failed a moment ago.  Never raises, never waits on Redis
    for more than its 0.2 s timeouts; a row not pushed waits for the sweep.  Returns the last RQ job."""
    url = current_app.config.get("REDIS_URL") or ""
    if _relay_paused_until.get(url, 0.0) > time.monotonic():
        return None
    pushed = None
    for entry in entries:
        try:
            pushed = _push(relay_redis_connection(), entry, expected_rq_job_id=None)
        except _RedisDown as err:
            _relay_paused_until[url] = time.monotonic() + RELAY_PAUSE_SECONDS
            log.warning("Redis unreachable: job %s waits in the outbox for the sweep (%s)", entry.job, err)
            return None
        except Exception:
            log.exception("could not relay job %s; it waits in the outbox", entry.job)
    return pushed


class _RedisDown(Exception):
    pass


def _push(conn, entry: Entry, *, expected_rq_job_id: str | None):
    """Mark the row queued (only if nobody else did), then put its RQ job on the queue.

    Marking first means the relay and the sweep never both push a row; if Redis fails, the mark
    is undone and the row is waiting again.
    """
    from redis.exceptions import RedisError
    from rq import Queue, Retry

    rq_job_id = uuid.uuid4().hex
    table = JobOutbox.__table__
    with db.engine.begin() as sql:
        marked = sql.execute(
            update(table)
            .where(table.c.idempotency_key == entry.key, table.c.done_at.is_(None),
                   table.c.rq_job_id.is_(None) if expected_rq_job_id is None
                   else table.c.rq_job_id == expected_rq_job_id)
            .values(enqueued_at=utcnow(), rq_job_id=rq_job_id)).rowcount
    if not marked:
        return None  # pushed by someone else, done, or rolled back
    sync = current_app.config.get("RQ_RUN_SYNC", False)
    queue = Queue(current_app.config["QUEUE_NAME"], connection=conn, is_async=not sync)
    options = {"job_id": rq_job_id}
    if entry.retry:
        options["retry"] = Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS)
    try:
        func = resolve(entry.job)
        return queue.enqueue(func, args=entry.args, kwargs={**entry.kwargs, KEY_KWARG: entry.key}, **options)
    except RedisError as err:
        _unmark(entry.key, rq_job_id, err)
        raise _RedisDown(str(err)) from err
    except Exception as err:
        if sync:
            # Synchronous test mode runs the job inside enqueue(): a job failure must look to
            # the caller as it would with a real worker (queued; the row records the error).
            log.exception("job %s failed", entry.job)
            return None
        _unmark(entry.key, rq_job_id, err, give_up=isinstance(err, (ImportError, AttributeError)))
        raise


def _unmark(key: str, rq_job_id: str, err: Exception, give_up: bool = False) -> None:
    table = JobOutbox.__table__
    values = {"enqueued_at": None, "rq_job_id": None, "last_error": _error_text(err)}
    if give_up:  # the function no longer exists: pushing again cannot help
        values["attempts"] = MAX_RUNS
    with db.engine.begin() as sql:
        sql.execute(update(table).where(table.c.idempotency_key == key, table.c.rq_job_id == rq_job_id)
                    .values(**values))


def resolve(path: str):
    module, _, attr = path.partition(":")
    func = import_module(module)
    for part in attr.split("."):
        func = getattr(func, part)
    if not getattr(func, "is_background_job", False):
        raise AttributeError(f"{path} is not a @background_job")
    return func


def _error_text(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"[:_ERROR_LENGTH]


# --- the job wrapper's side: run a row's job once -----------------------------------------------------

def run_once(key: str, func, args, kwargs):
    """Run ``func`` for the row ``key`` unless it is done or running elsewhere (called by the job
    wrapper in its own app context).

    A run holds the row for ``LEASE``; the same RQ job may take it back sooner: RQ runs a job again
    only once it considers the earlier run dead (a killed worker's job, retried by its maintenance).
    """
    from rq import get_current_job

    current = get_current_job()
    run_by = current.id if current is not None else None
    now = utcnow()
    free = [JobOutbox.started_at.is_(None), JobOutbox.started_at < now - LEASE]
    if run_by:
        free.append(JobOutbox.run_by == run_by)
    claimed = db.session.execute(
        update(JobOutbox)
        .where(JobOutbox.idempotency_key == key, JobOutbox.done_at.is_(None), or_(*free))
        .values(started_at=now, run_by=run_by, attempts=JobOutbox.attempts + 1)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if not claimed:
        log.info("job %s (outbox key %s) is done or running elsewhere: not run again", func.__name__, key)
        return None
    try:
        result = func(*args, **kwargs)
    except Exception as err:
        db.session.remove()
        try:
            _record(key, started_at=None, last_error=_error_text(err))
        except Exception:
            log.exception("could not record the failure of job %s (outbox key %s)", func.__name__, key)
        raise
    db.session.remove()  # what the job did not commit is not committed now either
    # Done: the arguments are not needed any more and are not kept (an email's text holds a reset link).
    _record(key, done_at=utcnow(), args=[], kwargs={})
    return result


def _record(key: str, **values) -> None:
    db.session.execute(update(JobOutbox).where(JobOutbox.idempotency_key == key).values(**values)
                       .execution_options(synchronize_session=False))
    db.session.commit()


# --- periodic: the sweep and the clean-up ---------------------------------------------------------------

_ACTIVE_RQ_STATES = {"queued", "started", "scheduled", "deferred"}


def _rq_job_active(conn, rq_job_id: str | None) -> bool:
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    if not rq_job_id:
        return False
    try:
        status = Job.fetch(rq_job_id, connection=conn).get_status()
    except NoSuchJobError:
        return False
    return getattr(status, "value", str(status)) in _ACTIVE_RQ_STATES


@background_job
def relay_job_outbox(limit: int = SWEEP_BATCH) -> int:
    """Push the rows still waiting (Redis was down, the process died after the commit), and again
    the rows queued long ago whose RQ job is gone while they are not done.  Returns the count pushed."""
    conn = redis_connection()
    if conn is None:
        return 0
    now = utcnow()
    not_done = [JobOutbox.done_at.is_(None), JobOutbox.attempts < MAX_RUNS]
    waiting = db.session.execute(
        select(JobOutbox).where(*not_done, JobOutbox.enqueued_at.is_(None)).order_by(JobOutbox.id).limit(limit)
    ).scalars().all()
    stale = db.session.execute(
        select(JobOutbox).where(*not_done, JobOutbox.enqueued_at < now - REQUEUE_AFTER,
                                or_(JobOutbox.started_at.is_(None), JobOutbox.started_at < now - LEASE))
        .order_by(JobOutbox.id).limit(limit)).scalars().all()
    todo = [(row, None) for row in waiting] + [(row, row.rq_job_id) for row in stale]
    entries = [(Entry(row.job, row.args, row.kwargs, row.idempotency_key, row.retry), expected)
               for row, expected in todo]
    db.session.commit()
    pushed = 0
    for entry, expected in entries:
        try:
            if expected is not None and _rq_job_active(conn, expected):
                continue
            if _push(conn, entry, expected_rq_job_id=expected) is not None:
                pushed += 1
        except _RedisDown as err:
            log.warning("outbox sweep: Redis unreachable (%s); %d rows pushed", err, pushed)
            break
        except Exception:
            log.exception("outbox sweep: could not push job %s (key %s)", entry.job, entry.key)
    if pushed:
        log.info("outbox sweep: %d jobs pushed to the queue", pushed)
    return pushed


@background_job
def clean_job_outbox() -> int:
    """Delete rows done more than a week ago and rows never done after a month."""
    now = utcnow()
    deleted = db.session.execute(
        delete(JobOutbox).where(or_(JobOutbox.done_at < now - KEEP_DONE,
                                    (JobOutbox.done_at.is_(None)) & (JobOutbox.created_at < now - KEEP_NOT_DONE)))
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return deleted


def waiting_count() -> int:
    """Rows not pushed to the queue yet: the backlog shown on /healthz as ``jobs_waiting``."""
    return db.session.scalar(select(func.count()).select_from(JobOutbox).where(
        JobOutbox.done_at.is_(None), JobOutbox.enqueued_at.is_(None), JobOutbox.attempts < MAX_RUNS)) or 0
