"""Load with faults: simulated students keep answering an assessment while the infrastructure fails.

    .venv/bin/python bench/faults.py            # 200 students for 60 s
    .venv/bin/python bench/faults.py --quick    # 200 students for 30 s

Seeds a smaller school in its own database (``lms_bench_faults``), starts what PM2 starts for an
instance — gunicorn, the RQ worker, rq cron (restarted when they exit, as PM2's autorestart does) —
with a private redis-server (never the machine's shared one), and runs N students, each a thread
with its own browser (cookie, CSRF token) and an attempt in progress.  Every ~3 s a student types a
new answer to one of two questions and saves it; every ~15 s the page sends its heartbeat.  A save
that fails is kept and sent again on the next tick with the latest value, as the take page's script
does (``static/js/take.js``).  Meanwhile a producer enqueues background jobs through the app's
``lms.jobs.enqueue`` (the login-session expiry job and the worker heartbeat) twice a second.

Faults, at fixed fractions of the run:
  (a) the RQ worker is killed (SIGKILL) and restarted a second later;
  (b) the private Redis is restarted (SIGTERM, down for 2 s, started again on the same port);
  (c) every PostgreSQL backend of the bench database is terminated (``pg_terminate_backend``), twice.

Reported: answers sent vs stored (each question's last value must be in the database), HTTP
statuses during and after the faults (no 500 after recovery), jobs enqueued vs finished.
Writes ``bench/results/faults-<date>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import random
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


class Events:
    """Every HTTP outcome with its time, thread-safe."""

    def __init__(self, t0: float):
        self.t0 = t0
        self.lock = threading.Lock()
        self.items: list[tuple[float, str, int | str]] = []

    def add(self, kind: str, status: int | str) -> None:
        with self.lock:
            self.items.append((time.monotonic() - self.t0, kind, status))


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
        try:
            status, _h, _b = http_request(self.port, "POST", f"/submissions/{self.submission_id}/answers/{version_id}",
                                          headers=self.browser.headers(htmx=True, form=True),
                                          body=urlencode({"answer": value}), timeout=30)
        except OSError as err:
            self.events.add("save", type(err).__name__)
            return False
        self.events.add("save", status)
        return status == 200

    def ping(self) -> None:
        try:
            status, _h, _b = http_request(self.port, "POST", "/api/session/ping", headers=self.browser.headers(),
                                          timeout=30)
        except OSError as err:
            status = type(err).__name__
        self.events.add("ping", status)

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
        self.job_ids: list[str] = []
        self.failures: list[str] = []

    def run(self) -> None:
        from lms.auth.jobs import close_inactive_login_sessions
        from lms.jobs import enqueue, record_worker_heartbeat

        jobs = [close_inactive_login_sessions, record_worker_heartbeat]
        n = 0
        while time.monotonic() < self.stop_at:
            n += 1
            with self.app.app_context():
                try:
                    job = enqueue(jobs[n % 2])
                    self.job_ids.append(job.id)
                    self.events.add("enqueue", "ok")
                except Exception as err:  # noqa: BLE001 - counted and reported
                    self.failures.append(type(err).__name__)
                    self.events.add("enqueue", type(err).__name__)
            time.sleep(0.5)


def job_states(app, job_ids: list[str]) -> Counter:
    from rq.job import Job

    from lms.extensions import redis_connection

    with app.app_context():
        conn = redis_connection()
        states = Counter()
        for jid in job_ids:
            try:
                status = Job.fetch(jid, connection=conn).get_status()
                states[getattr(status, "value", str(status))] += 1
            except Exception as err:  # noqa: BLE001
                states[type(err).__name__] += 1
    return states


def unfinished_jobs(app, job_ids: list[str]) -> list[dict]:
    """Where each job not finished is: its status, function, and which Redis lists hold it."""
    from rq import Queue
    from rq.job import Job

    from lms.extensions import redis_connection

    found = []
    with app.app_context():
        conn = redis_connection()
        for jid in job_ids:
            try:
                job = Job.fetch(jid, connection=conn)
            except Exception as err:  # noqa: BLE001
                found.append({"id": jid, "status": type(err).__name__})
                continue
            if job.get_status() == "finished":
                continue
            queue = Queue(job.origin, connection=conn)
            found.append({
                "id": jid, "status": str(job.get_status()), "func": job.func_name,
                "enqueued_at": str(job.enqueued_at), "in_queue": jid in queue.get_job_ids(),
                "in_intermediate": jid.encode() in conn.lrange(queue.intermediate_queue_key, 0, -1),
                "started_registry": jid in queue.started_job_registry,
                "scheduled_registry": jid in queue.scheduled_job_registry,
                "failed_registry": jid in queue.failed_job_registry,
            })
    return found


def stored_answers(app, students: list[Student]) -> dict:
    from sqlalchemy import text

    from lms.extensions import db

    with app.app_context():
        rows = db.session.execute(text(
            "SELECT submission_id, question_version_id, response FROM answer WHERE submission_id = ANY(:ids)"),
            {"ids": [s.submission_id for s in students]}).all()
        db.session.remove()
    stored = {(r.submission_id, r.question_version_id): (r.response or {}).get("text") for r in rows}
    expected = {(s.submission_id, v): value for s in students for v, value in s.last_value.items()}
    equal = sum(1 for key, value in expected.items() if stored.get(key) == value)
    return {"questions_answered": len(expected), "stored_equal_to_last_sent": equal,
            "mismatches": [f"{k}: sent {v!r}, stored {stored.get(k)!r}" for k, v in expected.items()
                           if stored.get(k) != v][:10]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="30 s instead of 60")
    parser.add_argument("--duration", type=float)
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--database", default="lms_bench_faults")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    duration = args.duration or (30 if args.quick else 60)

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
        attempts = prepare_attempts(app, take_students=args.students, submit_indexes=())["take"]
        browsers = sign_in_browsers(app, [a.student_id for a in attempts])
        log(f"{len(browsers)} students signed in; starting web, worker and cron")
        instance.start_web()
        instance.start("worker")
        instance.start("cron")
        supervisor = Supervisor(instance, ["web", "worker", "cron"])
        supervisor.start()
        time.sleep(2)

        t0 = time.monotonic()
        events = Events(t0)
        stop_at, flush_until = t0 + duration, t0 + duration + 60
        students = [Student(instance.port, browsers[a.student_id], a, events, stop_at, flush_until) for a in attempts]
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
            log(f"fault (c): pg_terminate_backend: {killed} backends of {args.database}")
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
            states = job_states(app, producer.job_ids)
            if states.get("finished", 0) == len(producer.job_ids):
                break
            time.sleep(2)
        drained_in = DRAIN_SECONDS - max(0.0, deadline - time.monotonic())
        states = job_states(app, producer.job_ids)
        stuck = unfinished_jobs(app, producer.job_ids)
        log(f"queue drained after {drained_in:.0f} s" if not stuck else f"not finished: {stuck}")
        answers = stored_answers(app, students)

        during = Counter(str(s) for t, k, s in events.items if t < recovered_at and k != "enqueue")
        after = Counter(str(s) for t, k, s in events.items if t >= recovered_at and k != "enqueue")
        errors_500_after = sum(n for s, n in after.items() if s.startswith("5"))
        errors_after = sum(n for s, n in after.items() if s not in ("200", "204"))
        result = {
            "meta": {"date": datetime.now(UTC).strftime("%Y-%m-%d"), "duration_s": duration,
                     "students": len(students), "save_every_s": SAVE_EVERY, "ping_every_s": PING_EVERY,
                     "recovery_s": RECOVERY_SECONDS},
            "faults": faults,
            "answers": {"values_typed": sum(s.sent for s in students),
                        "save_requests": sum(s.attempts for s in students),
                        "still_pending": sum(len(s.pending) for s in students), **answers},
            "http_until_recovered": dict(during), "http_after_recovery": dict(after),
            "errors_500_after_recovery": errors_500_after, "errors_after_recovery": errors_after,
            "jobs": {"enqueued": len(producer.job_ids), "enqueue_failures": dict(Counter(producer.failures)),
                     "states": dict(states),
                     "drain_seconds": round(drained_in), "unfinished": stuck},
            "restarts_by_supervisor": dict(supervisor.restarts),
        }
        ok = (answers["stored_equal_to_last_sent"] == answers["questions_answered"] and errors_500_after == 0
              and states.get("finished", 0) == len(producer.job_ids) and not producer.failures)
        result["ok"] = ok
        md = faults_markdown(result)
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


def faults_markdown(r: dict) -> str:
    a, j = r["answers"], r["jobs"]
    lines = [f"# Load with faults {r['meta']['date']}", "",
             f"{r['meta']['students']} students for {r['meta']['duration_s']} s: an autosave every "
             f"~{r['meta']['save_every_s']} s and a heartbeat every {r['meta']['ping_every_s']} s each; "
             "jobs enqueued twice a second.", "",
             "| fault | from (s) | to (s) |", "|---|---:|---:|"]
    lines += [f"| {f['fault']} | {f['at_s']} | {f['until_s']} |" for f in r["faults"]]
    lines += ["", "| check | result | met |", "|---|---|---|",
              f"| answers sent vs stored (last value of each question) | {a['questions_answered']} sent, "
              f"{a['stored_equal_to_last_sent']} stored ({a['values_typed']} values typed, {a['save_requests']} save "
              f"requests) | {'met' if a['questions_answered'] == a['stored_equal_to_last_sent'] else '**missed**'} |",
              f"| 500s after recovery ({r['meta']['recovery_s']} s after the last fault) | "
              f"{r['errors_500_after_recovery']} (other failures: "
              f"{r['errors_after_recovery'] - r['errors_500_after_recovery']}) | "
              f"{'met' if r['errors_500_after_recovery'] == 0 else '**missed**'} |",
              f"| jobs enqueued vs done | {j['enqueued']} enqueued, {j['states'].get('finished', 0)} finished "
              f"{dict(j['states'])}; enqueue failures {j['enqueue_failures'] or 0} | "
              f"{'met' if j['states'].get('finished', 0) == j['enqueued'] and not j['enqueue_failures'] else '**missed**'} |",
              "", f"HTTP outcomes until recovery: {r['http_until_recovered']}; after: {r['http_after_recovery']}.",
              f"Processes restarted by the supervisor (PM2 autorestart): {r['restarts_by_supervisor'] or 'none'}."]
    if a["mismatches"]:
        lines += ["", "Mismatches: " + "; ".join(a["mismatches"])]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
