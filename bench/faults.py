"""Load with faults: simulated students keep answering an assessment while the infrastructure fails.

    .venv/bin/python bench/faults.py                          # both scenarios below
    .venv/bin/python bench/faults.py --quick                  # 30 s of load with faults
    .venv/bin/python bench/faults.py --only redis-outage      # the Redis outage alone (~3 min)

Seeds a smaller school in its own database (``lms_bench_faults``), starts what PM2 starts for an
instance — gunicorn, the RQ worker, rq cron (restarted when they exit, as PM2's autorestart does) —
with a private redis-server (never the machine's shared one), and runs N students, each a thread
with its own browser (cookie, CSRF token) and an attempt in progress.  Every ~3 s a student types a
new answer to one of two questions and saves it; every ~15 s the page sends its heartbeat.  A save
that fails is kept and sent again on the next tick with the latest value, as the take page's script
does (``static/js/take.js``).  Meanwhile a producer enqueues background jobs through the app's
``lms.jobs.enqueue`` (the login-session expiry job and the worker heartbeat) twice a second.

Scenario ``faults``, at fixed fractions of the run:
  (a) the RQ worker is killed (SIGKILL) and restarted a second later;
  (b) the private Redis is restarted (SIGTERM, down for 2 s, started again on the same port);
  (c) every PostgreSQL backend of the bench database is terminated (``pg_terminate_backend``), twice.

Reported: answers sent vs stored (each question's last value must be in the database), HTTP
statuses during and after the faults (no 500 after recovery), jobs enqueued vs finished.

Scenario ``redis-outage``: the private Redis is stopped for 60 s (``--outage``) while the students
keep answering, visitors ask for password resets (each a reset email: a background job) twice a
second and the producer keeps enqueuing.  Reported: jobs requested vs done once Redis is back (each
exactly once), the number of requests slower than 1 s (during the outage and, for comparison,
before it), the slowest request and enqueue during the outage, and ``jobs_waiting`` on /healthz.

Writes ``bench/results/faults-<date>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import signal
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.benchlib import (  # noqa: E402
    ROOT,
    USER_AGENT,
    Instance,
    PrivateRedis,
    bench_url,
    compile_bytecode,
    drop_database,
    http_request,
    json_dump,
    log,
    make_workdir,
    recreate_database,
    sign_in_browsers,
    terminate_backends,
)
from bench.seed import SMALL, prepare_attempts, seed  # noqa: E402

RESULTS = ROOT / "bench" / "results"
RECOVERY_SECONDS = 5  # after the last fault: every request must succeed from then on
SAVE_EVERY = 3.0
PING_EVERY = 15.0
DRAIN_SECONDS = 420  # at most, waiting for every job to finish after the load
SLOW_SECONDS = 1.0   # a request slower than this during the Redis outage is a miss
RESET_EVERY = 0.5    # a visitor asks for a password reset twice a second (redis-outage)
HEALTH_EVERY = 2.0
OUTAGE_LEAD = 15.0   # seconds of load before Redis stops, and after it is back
WARM_UP = 5.0        # the first seconds of load (every student's first requests at once): not "before"
PRODUCER_JOBS = ("lms.auth.jobs:close_inactive_login_sessions", "lms.jobs:record_worker_heartbeat")


class Events:
    """Every HTTP outcome (and enqueue) with its time and duration, thread-safe."""

    def __init__(self, t0: float):
        self.t0 = t0
        self.lock = threading.Lock()
        self.items: list[tuple[float, str, int | str, float | None]] = []

    def now(self) -> float:
        return time.monotonic() - self.t0

    def add(self, kind: str, status: int | str, seconds: float | None = None) -> None:
        with self.lock:
            self.items.append((self.now(), kind, status, seconds))


def timed_request(port: int, method: str, path: str, **kwargs) -> tuple[int | str, dict, bytes, float]:
    started = time.monotonic()
    try:
        status, headers, body = http_request(port, method, path, timeout=30, **kwargs)
    except OSError as err:
        return type(err).__name__, {}, b"", time.monotonic() - started
    return status, headers, body, time.monotonic() - started


class Student(threading.Thread):
    def __init__(self, port, browser, attempt, events: Events, stop_at: float, flush_until: float):
        super().__init__(daemon=True)
        self.port, self.browser, self.events = port, browser, events
        self.submission_id = attempt.id
        self.questions = [attempt.arr[6], attempt.arr[7]]  # the two short-answer questions
        self.stop_at, self.flush_until = stop_at, flush_until
        self.last_value: dict[int, str] = {}
        self.pending: dict[int, str] = {}
        self.sent = 0
        self.attempts = 0
        self.rng = random.Random(attempt.id)  # noqa: S311 - timing jitter

    def save(self, version_id: int, value: str) -> bool:
        self.attempts += 1
        status, _h, _b, took = timed_request(
            self.port, "POST", f"/submissions/{self.submission_id}/answers/{version_id}",
            headers=self.browser.headers(htmx=True, form=True), body=urlencode({"answer": value}))
        self.events.add("save", status, took)
        return status == 200

    def ping(self) -> None:
        status, _h, _b, took = timed_request(self.port, "POST", "/api/session/ping", headers=self.browser.headers())
        self.events.add("ping", status, took)

    def flush(self) -> None:
        for version_id, value in list(self.pending.items()):
            if self.save(version_id, value) and self.pending.get(version_id) == value:
                del self.pending[version_id]

    def run(self) -> None:
        time.sleep(self.rng.uniform(0, SAVE_EVERY))
        next_ping = time.monotonic() + self.rng.uniform(0, PING_EVERY)
        seq = 0
        while time.monotonic() < self.stop_at:
            seq += 1
            version_id = self.questions[seq % 2]
            value = f"s{self.submission_id}-q{version_id}-{seq}"
            self.last_value[version_id] = value
            self.pending[version_id] = value
            self.sent += 1
            self.flush()
            if time.monotonic() >= next_ping:
                self.ping()
                next_ping += PING_EVERY
            time.sleep(SAVE_EVERY * self.rng.uniform(0.8, 1.2))
        while self.pending and time.monotonic() < self.flush_until:  # the page stays open until saved
            self.flush()
            if self.pending:
                time.sleep(1)


class Resetter(threading.Thread):
    """Visitors asking for a password reset (the form, then its POST): each reset email is a
    background job.  Each visitor has its own address (``X-Forwarded-For``, as the proxy sets it)
    and asks for another student's account, so the rate limits are not what is measured."""

    def __init__(self, port: int, emails: list[str], events: Events, stop_at: float):
        super().__init__(daemon=True)
        self.port, self.emails, self.events, self.stop_at = port, emails, events, stop_at
        self.requested: list[tuple[float, str]] = []  # (time, address) of every reset answered 200

    def run(self) -> None:
        for i, email in enumerate(self.emails):
            if time.monotonic() >= self.stop_at:
                return
            headers = {"User-Agent": USER_AGENT, "X-Forwarded-For": f"10.{i // 62500 + 1}.{i // 250 % 250}.{i % 250 + 1}"}
            status, found, body, took = timed_request(self.port, "GET", "/auth/forgot-password", headers=headers)
            self.events.add("reset-form", status, took)
            token = re.search(rb'name="csrf-token" content="([^"]+)"', body)
            if status == 200 and token:
                status, _h, _b, took = timed_request(
                    self.port, "POST", "/auth/forgot-password",
                    headers={**headers, "Cookie": found.get("set-cookie", "").split(";")[0],
                             "Content-Type": "application/x-www-form-urlencoded"},
                    body=urlencode({"email": email, "csrf_token": token.group(1).decode()}))
                self.events.add("reset", status, took)
                if status == 200:
                    self.requested.append((self.events.now(), email))
            time.sleep(RESET_EVERY)


class HealthSampler(threading.Thread):
    """``GET /healthz`` every 2 s: status, Redis, and the job outbox's backlog (``jobs_waiting``)."""

    def __init__(self, port: int, events: Events, stop_at: float):
        super().__init__(daemon=True)
        self.port, self.events, self.stop_at = port, events, stop_at
        self.samples: list[dict] = []

    def run(self) -> None:
        while time.monotonic() < self.stop_at:
            status, _h, body, took = timed_request(self.port, "GET", "/healthz")
            self.events.add("healthz", status, took)
            try:
                data = json.loads(body)
            except ValueError:
                data = {}
            self.samples.append({"t": round(self.events.now(), 1), "http": status, "redis": data.get("redis"),
                                 "jobs_waiting": data.get("jobs_waiting")})
            time.sleep(HEALTH_EVERY)


class Supervisor(threading.Thread):
    """PM2's ``autorestart``: a process of the instance that exits is started again."""

    def __init__(self, instance: Instance, names: list[str]):
        super().__init__(daemon=True)
        self.instance, self.names = instance, names
        self.restarts: Counter = Counter()
        self.running = True
        self.lock = threading.Lock()

    def run(self) -> None:
        while self.running:
            with self.lock:
                for name in self.names:
                    proc = self.instance.processes.get(name)
                    if proc is not None and proc.poll() is not None:
                        log(f"  {name} exited ({proc.returncode}): restarting it")
                        time.sleep(1)
                        self.instance.start(name)
                        self.restarts[name] += 1
            time.sleep(0.25)


class Producer(threading.Thread):
    """Background jobs through the app's own enqueue helper, as requests and periodic jobs do."""

    def __init__(self, app, stop_at: float, events: Events):
        super().__init__(daemon=True)
        self.app, self.stop_at, self.events = app, stop_at, events
        self.requested = 0
        self.failures: list[str] = []

    def run(self) -> None:
        from lms.auth.jobs import close_inactive_login_sessions
        from lms.jobs import enqueue, record_worker_heartbeat

        jobs = [close_inactive_login_sessions, record_worker_heartbeat]
        n = 0
        while time.monotonic() < self.stop_at:
            n += 1
            with self.app.app_context():
                started = time.monotonic()
                try:
                    enqueue(jobs[n % 2])
                    self.requested += 1
                    self.events.add("enqueue", "ok", time.monotonic() - started)
                except Exception as err:  # noqa: BLE001 - counted and reported
                    self.failures.append(type(err).__name__)
                    self.events.add("enqueue", type(err).__name__, time.monotonic() - started)
            time.sleep(0.5)


# --- what the job outbox says (every job asked for is a row: done or not) --------------------------


def _sql(app, query: str, **params) -> list:
    from sqlalchemy import text

    from lms.extensions import db

    with app.app_context():
        try:
            return db.session.execute(text(query), params).all()
        finally:
            db.session.remove()


def outbox_marker(app) -> int:
    """The last outbox row before a scenario: its rows are those after it."""
    return int(_sql(app, "SELECT coalesce(max(id), 0) FROM job_outbox")[0][0])


def producer_rows(app, after_id: int) -> dict:
    [row] = _sql(app, "SELECT count(*), count(done_at), coalesce(sum(attempts), 0) FROM job_outbox "
                      "WHERE id > :after AND job = ANY(:jobs)", after=after_id, jobs=list(PRODUCER_JOBS))
    return {"rows": row[0], "done": row[1], "runs": int(row[2])}


def email_rows(app, after_id: int) -> dict:
    """The emails in the outbox since the marker: rows, done, runs (a done row keeps no text)."""
    [row] = _sql(app, "SELECT count(*), count(done_at), coalesce(sum(attempts), 0) FROM job_outbox "
                      "WHERE id > :after AND job = 'lms.mail:deliver_email'", after=after_id)
    return {"rows": row[0], "done": row[1], "runs": int(row[2])}


def reset_tokens(app, after_id: int = 0) -> tuple[int, int]:
    """(the last reset token's id, how many were issued after ``after_id``)."""
    [row] = _sql(app, "SELECT coalesce(max(id), 0), count(*) FILTER (WHERE id > :after) FROM account_token "
                      "WHERE purpose = 'RESET_PASSWORD'", after=after_id)
    return int(row[0]), int(row[1])


def unfinished_rows(app, after_id: int) -> list[dict]:
    """Outbox rows of the producer's jobs not done: where they are (for the report)."""
    rows = _sql(app, "SELECT id, job, enqueued_at, rq_job_id, started_at, attempts, last_error FROM job_outbox "
                     "WHERE id > :after AND job = ANY(:jobs) AND done_at IS NULL ORDER BY id",
                after=after_id, jobs=list(PRODUCER_JOBS))
    return [{"id": r.id, "job": r.job, "enqueued_at": str(r.enqueued_at), "rq_job_id": r.rq_job_id,
             "started_at": str(r.started_at), "attempts": r.attempts, "last_error": r.last_error} for r in rows[:20]]


def stored_answers(app, students: list[Student]) -> dict:
    rows = _sql(app, "SELECT submission_id, question_version_id, response FROM answer WHERE submission_id = ANY(:ids)",
                ids=[s.submission_id for s in students])
    stored = {(r.submission_id, r.question_version_id): (r.response or {}).get("text") for r in rows}
    expected = {(s.submission_id, v): value for s in students for v, value in s.last_value.items()}
    equal = sum(1 for key, value in expected.items() if stored.get(key) == value)
    return {"questions_answered": len(expected), "stored_equal_to_last_sent": equal,
            "mismatches": [f"{k}: sent {v!r}, stored {stored.get(k)!r}" for k, v in expected.items()
                           if stored.get(k) != v][:10]}


def answers_summary(students: list[Student], answers: dict) -> dict:
    return {"values_typed": sum(s.sent for s in students), "save_requests": sum(s.attempts for s in students),
            "still_pending": sum(len(s.pending) for s in students), **answers}


# --- scenario "faults": a killed worker, a Redis restart, terminated database connections ------------


def run_faults(app, ctx: dict, duration: float) -> dict:
    instance, redis, supervisor, url = ctx["instance"], ctx["redis"], ctx["supervisor"], ctx["url"]
    marker = outbox_marker(app)
    restarts_before = Counter(supervisor.restarts)
    t0 = time.monotonic()
    events = Events(t0)
    stop_at, flush_until = t0 + duration, t0 + duration + 60
    students = [Student(instance.port, ctx["browsers"][a.student_id], a, events, stop_at, flush_until)
                for a in ctx["attempts"]]
    producer = Producer(app, stop_at, events)
    for thread in [*students, producer]:
        thread.start()

    faults = []

    def at(fraction: float) -> None:
        time.sleep(max(0.0, t0 + duration * fraction - time.monotonic()))

    at(0.15)
    with supervisor.lock:
        log("fault (a): kill -9 the RQ worker")
        start = time.monotonic() - t0
        instance.processes["worker"].send_signal(signal.SIGKILL)
        instance.processes["worker"].wait()
        time.sleep(1)
        instance.start("worker")
    faults.append({"fault": "RQ worker killed (SIGKILL), restarted 1 s later", "at_s": round(start, 1),
                   "until_s": round(time.monotonic() - t0, 1)})
    at(0.35)
    log("fault (b): restart Redis")
    start = time.monotonic() - t0
    down = redis.restart(2.0)
    faults.append({"fault": f"Redis restarted (down {down:.1f} s)", "at_s": round(start, 1),
                   "until_s": round(time.monotonic() - t0, 1)})
    for fraction in (0.55, 0.65):
        at(fraction)
        start = time.monotonic() - t0
        killed = terminate_backends(url)
        log(f"fault (c): pg_terminate_backend: {killed} backends of the bench database")
        faults.append({"fault": f"pg_terminate_backend of {killed} backends", "at_s": round(start, 1),
                       "until_s": round(time.monotonic() - t0, 1)})
    recovered_at = faults[-1]["until_s"] + RECOVERY_SECONDS
    for thread in students:
        thread.join()
    producer.join()
    log("load over; waiting for the queue to drain")
    # A job abandoned by a killed worker is retried by the worker's maintenance: up to ~2.5 min.
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        jobs = producer_rows(app, marker)
        if jobs["done"] >= producer.requested:
            break
        time.sleep(2)
    drained_in = DRAIN_SECONDS - max(0.0, deadline - time.monotonic())
    jobs = producer_rows(app, marker)
    stuck = unfinished_rows(app, marker)
    log(f"queue drained after {drained_in:.0f} s" if not stuck else f"not finished: {stuck}")
    answers = stored_answers(app, students)

    http = [(t, k, s) for t, k, s, _d in events.items if k != "enqueue"]
    during = Counter(str(s) for t, k, s in http if t < recovered_at)
    after = Counter(str(s) for t, k, s in http if t >= recovered_at)
    errors_500_after = sum(n for s, n in after.items() if s.startswith("5"))
    errors_after = sum(n for s, n in after.items() if s not in ("200", "204"))
    result = {
        "duration_s": duration, "students": len(students), "recovery_s": RECOVERY_SECONDS,
        "faults": faults,
        "answers": answers_summary(students, answers),
        "http_until_recovered": dict(during), "http_after_recovery": dict(after),
        "errors_500_after_recovery": errors_500_after, "errors_after_recovery": errors_after,
        "jobs": {"enqueued": producer.requested, "enqueue_failures": dict(Counter(producer.failures)),
                 **jobs, "drain_seconds": round(drained_in), "unfinished": stuck},
        "restarts_by_supervisor": dict(Counter(supervisor.restarts) - restarts_before),
    }
    result["ok"] = (answers["stored_equal_to_last_sent"] == answers["questions_answered"] and errors_500_after == 0
                    and jobs["done"] == jobs["rows"] == producer.requested and not producer.failures)
    return result


# --- scenario "redis-outage": Redis down for a minute while jobs are asked for ---------------------------


def run_redis_outage(app, ctx: dict, outage: float, students_n: int) -> dict:
    instance, redis, supervisor = ctx["instance"], ctx["redis"], ctx["supervisor"]
    marker = outbox_marker(app)
    token_marker, _ = reset_tokens(app)
    restarts_before = Counter(supervisor.restarts)
    t0 = time.monotonic()
    events = Events(t0)
    down_at, up_at_planned = OUTAGE_LEAD, OUTAGE_LEAD + outage
    stop_at = t0 + up_at_planned + OUTAGE_LEAD
    attempts = ctx["attempts"][:students_n]
    students = [Student(instance.port, ctx["browsers"][a.student_id], a, events, stop_at, stop_at + 60)
                for a in attempts]
    students_seeded = int(_sql(app, "SELECT count(*) FROM \"user\" WHERE role = 'STUDENT'")[0][0])
    emails = [f"student{n}@bench.example.org" for n in range(1, students_seeded + 1)]  # as bench/seed.py names them
    random.Random(7).shuffle(emails)  # noqa: S311 - not only the students taking the assessment
    resetter = Resetter(instance.port, emails, events, stop_at)
    producer = Producer(app, stop_at, events)
    health = HealthSampler(instance.port, events, stop_at)
    for thread in [*students, resetter, producer, health]:
        thread.start()

    time.sleep(max(0.0, t0 + down_at - time.monotonic()))
    log(f"redis-outage: stopping the private Redis for {outage:.0f} s")
    down_at = events.now()
    redis.stop()
    time.sleep(max(0.0, t0 + up_at_planned - time.monotonic()))
    redis.start()
    up_at = events.now()
    log("redis-outage: Redis is back; load goes on for a while")
    for thread in [*students, resetter, producer, health]:
        thread.join()
    requested_emails = len(resetter.requested)
    log(f"load over: {requested_emails} reset emails and {producer.requested} other jobs asked for; "
        "waiting for them to be done")
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        emails, jobs = email_rows(app, marker), producer_rows(app, marker)
        if emails["done"] >= requested_emails and emails["done"] == emails["rows"] and jobs["done"] >= producer.requested:
            break
        time.sleep(2)
    all_done_at = events.now()
    emails, jobs = email_rows(app, marker), producer_rows(app, marker)
    _last, tokens = reset_tokens(app, token_marker)
    answers = stored_answers(app, students)

    def window(t: float) -> str:
        return ("warm-up" if t < WARM_UP else "before" if t < down_at else "during" if t < up_at else "after")

    windows = ("warm-up", "before", "during", "after")
    timed = [(window(t), k, s, d) for t, k, s, d in events.items if d is not None]
    slow = Counter(w for w, _k, _s, d in timed if d > SLOW_SECONDS)
    slowest = {w: round(max((d for ww, _k, _s, d in timed if ww == w), default=0.0) * 1000) for w in windows}
    slowest_enqueue = round(max((d for w, k, _s, d in timed if k == "enqueue" and w == "during"), default=0.0)
                            * 1000, 1)
    http_during = Counter(f"{k} {s}" for w, k, s, _d in timed if w == "during" and k != "enqueue")
    result = {
        "outage_s": round(up_at - down_at, 1), "down_at_s": round(down_at, 1), "up_at_s": round(up_at, 1),
        "students": len(students),
        "reset_emails": {"requested": requested_emails,
                         "requested_during_outage": sum(1 for t, _e in resetter.requested if down_at <= t < up_at),
                         "reset_tokens_issued": tokens, **emails},
        "other_jobs": {"enqueued": producer.requested, "enqueue_failures": dict(Counter(producer.failures)),
                       **jobs, "slowest_enqueue_during_outage_ms": slowest_enqueue},
        "all_done_s_after_redis_back": round(all_done_at - up_at),
        "slow_requests_over_1s": {w: slow.get(w, 0) for w in windows},
        "slowest_request_ms": slowest,
        "requests_during_outage": dict(http_during),
        "healthz_jobs_waiting_max": max((s["jobs_waiting"] or 0 for s in health.samples), default=0),
        "healthz_during_outage": sorted({f"{s['http']} redis={s['redis']}" for s in health.samples
                                         if down_at <= s["t"] < up_at}),
        "answers": answers_summary(students, answers),
        "restarts_by_supervisor": dict(Counter(supervisor.restarts) - restarts_before),
    }
    # Each reset answered 200 issued one token and one email row in the same transaction (other
    # emails, from periodic jobs, would add rows: done too, but not counted as requested).
    requested = requested_emails + producer.requested
    done = min(emails["done"], requested_emails) + jobs["done"]
    result["jobs_requested"], result["jobs_done"] = requested, done
    result["ok"] = (requested == done and tokens == requested_emails
                    and emails["rows"] == emails["done"] == emails["runs"] and jobs["rows"] == jobs["done"] == jobs["runs"]
                    and slow.get("during", 0) == 0 and not producer.failures
                    and answers["stored_equal_to_last_sent"] == answers["questions_answered"])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="30 s of load with faults instead of 60")
    parser.add_argument("--duration", type=float, help="seconds of load with faults")
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--only", choices=["faults", "redis-outage"], help="run one scenario")
    parser.add_argument("--outage", type=float, default=60.0, help="seconds Redis is down (redis-outage)")
    parser.add_argument("--outage-students", type=int, default=50, help="students answering during the outage")
    parser.add_argument("--database", default="lms_bench_faults")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    duration = args.duration or (30 if args.quick else 60)
    scenarios = [args.only] if args.only else ["faults", "redis-outage"]

    url = bench_url(args.database)
    compile_bytecode()
    workdir = make_workdir("lms-faults-")
    redis = PrivateRedis(workdir)
    redis.start()
    instance = Instance(database_url=url, redis_url=redis.url, workdir=workdir)
    instance.use_in_this_process()
    from lms import create_app

    log(f"seeding {args.database} (a smaller school)")
    recreate_database(url)
    seed(create_app(), SMALL)
    app = create_app()
    supervisor = None
    try:
        take = args.students if "faults" in scenarios else args.outage_students
        attempts = prepare_attempts(app, take_students=max(take, args.outage_students), submit_indexes=())["take"]
        browsers = sign_in_browsers(app, [a.student_id for a in attempts])
        log(f"{len(browsers)} students signed in; starting web, worker and cron")
        instance.start_web()
        instance.start("worker")
        instance.start("cron")
        supervisor = Supervisor(instance, ["web", "worker", "cron"])
        supervisor.start()
        time.sleep(2)
        ctx = {"instance": instance, "redis": redis, "supervisor": supervisor, "url": url,
               "attempts": attempts, "browsers": browsers}
        result = {"meta": {"date": datetime.now(UTC).strftime("%Y-%m-%d"), "save_every_s": SAVE_EVERY,
                           "ping_every_s": PING_EVERY, "scenarios": scenarios}}
        if "faults" in scenarios:
            log(f"scenario faults: {take} students for {duration:.0f} s")
            result["faults"] = run_faults(app, {**ctx, "attempts": attempts[:args.students]}, duration)
        if "redis-outage" in scenarios:
            log(f"scenario redis-outage: Redis down {args.outage:.0f} s, {args.outage_students} students")
            result["redis_outage"] = run_redis_outage(app, ctx, args.outage, args.outage_students)
        ok = all(result[key]["ok"] for key in ("faults", "redis_outage") if key in result)
        result["ok"] = ok
        md = results_markdown(result)
        print("\n" + md)
        if not args.no_write:
            RESULTS.mkdir(parents=True, exist_ok=True)
            stamp = result["meta"]["date"]
            json_dump(RESULTS / f"faults-{stamp}.json", result)
            (RESULTS / f"faults-{stamp}.md").write_text(md)
            log(f"wrote bench/results/faults-{stamp}.json and .md")
        return 0 if ok else 1
    finally:
        if supervisor:
            supervisor.running = False
            supervisor.join()
        for name in ("web", "worker", "cron"):
            instance.stop(name)
        redis.stop()
        if not args.keep:
            with app.app_context():
                from lms.extensions import db

                db.engine.dispose()
            drop_database(url)
            log(f"dropped {args.database}")


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def results_markdown(r: dict) -> str:
    lines = [f"# Load with faults {r['meta']['date']}", ""]
    if "faults" in r:
        lines += faults_markdown(r["faults"], r["meta"])
    if "redis_outage" in r:
        lines += outage_markdown(r["redis_outage"])
    return "\n".join(lines) + "\n"


def faults_markdown(r: dict, meta: dict) -> list[str]:
    a, j = r["answers"], r["jobs"]
    lines = ["## Faults", "",
             f"{r['students']} students for {r['duration_s']} s: an autosave every ~{meta['save_every_s']} s and a "
             f"heartbeat every {meta['ping_every_s']} s each; jobs enqueued twice a second.", "",
             "| fault | from (s) | to (s) |", "|---|---:|---:|"]
    lines += [f"| {f['fault']} | {f['at_s']} | {f['until_s']} |" for f in r["faults"]]
    jobs_ok = j["done"] == j["rows"] == j["enqueued"] and not j["enqueue_failures"]
    lines += ["", "| check | result | met |", "|---|---|---|",
              f"| answers sent vs stored (last value of each question) | {a['questions_answered']} sent, "
              f"{a['stored_equal_to_last_sent']} stored ({a['values_typed']} values typed, {a['save_requests']} save "
              f"requests) | {_met(a['questions_answered'] == a['stored_equal_to_last_sent'])} |",
              f"| 500s after recovery ({r['recovery_s']} s after the last fault) | "
              f"{r['errors_500_after_recovery']} (other failures: "
              f"{r['errors_after_recovery'] - r['errors_500_after_recovery']}) | "
              f"{_met(r['errors_500_after_recovery'] == 0)} |",
              f"| jobs enqueued vs done | {j['enqueued']} enqueued, {j['rows']} outbox rows, {j['done']} done "
              f"({j['runs']} runs); enqueue failures {j['enqueue_failures'] or 0} | {_met(jobs_ok)} |",
              "", f"HTTP outcomes until recovery: {r['http_until_recovered']}; after: {r['http_after_recovery']}.",
              f"Processes restarted by the supervisor (PM2 autorestart): {r['restarts_by_supervisor'] or 'none'}.",
              f"The jobs were all done {j['drain_seconds']} s after the load ended."]
    if a["mismatches"]:
        lines += ["", "Mismatches: " + "; ".join(a["mismatches"])]
    return [*lines, ""]


def outage_markdown(r: dict) -> list[str]:
    e, o, a = r["reset_emails"], r["other_jobs"], r["answers"]
    slow, slowest = r["slow_requests_over_1s"], r["slowest_request_ms"]
    return [
        "## Redis outage", "",
        f"The private Redis stopped at {r['down_at_s']} s and started again at {r['up_at_s']} s "
        f"(down {r['outage_s']} s). Meanwhile {r['students']} students kept answering, a visitor asked for a "
        "password reset twice a second (each a reset email: a background job) and the producer enqueued "
        "twice a second.", "",
        "| check | result | met |", "|---|---|---|",
        f"| jobs requested = jobs done after recovery | {r['jobs_requested']} requested, {r['jobs_done']} done: "
        f"{e['requested']} reset emails ({e['requested_during_outage']} during the outage; {e['reset_tokens_issued']} "
        f"tokens issued, {e['rows']} email jobs, {e['done']} done), {o['enqueued']} other jobs ({o['done']} done) | "
        f"{_met(r['jobs_requested'] == r['jobs_done'])} |",
        f"| each job run once | email jobs: {e['rows']} rows, {e['runs']} runs; other jobs: {o['rows']} rows, "
        f"{o['runs']} runs | {_met(e['rows'] == e['runs'] and o['rows'] == o['runs'])} |",
        f"| requests slower than 1 s during the outage | {slow['during']} (before: {slow['before']}, after: "
        f"{slow['after']}; in the first 5 s of load: {slow['warm-up']}); slowest {slowest['during']} ms (before "
        f"{slowest['before']} ms, after {slowest['after']} ms); slowest enqueue "
        f"{o['slowest_enqueue_during_outage_ms']} ms | {_met(slow['during'] == 0)} |",
        f"| answers sent vs stored | {a['questions_answered']} sent, {a['stored_equal_to_last_sent']} stored | "
        f"{_met(a['questions_answered'] == a['stored_equal_to_last_sent'])} |", "",
        f"Every job was done {r['all_done_s_after_redis_back']} s after Redis was back. `/healthz` during the "
        f"outage: {', '.join(r['healthz_during_outage']) or '-'}; largest `jobs_waiting` {r['healthz_jobs_waiting_max']}.",
        f"Requests during the outage: {r['requests_during_outage']}.",
        f"Processes restarted by the supervisor (PM2 autorestart): {r['restarts_by_supervisor'] or 'none'}.", ""]


if __name__ == "__main__":
    sys.exit(main())
