"""Benchmark of the login-analytics, announcement and notification pages on PostgreSQL.

Seeds a school of 2,500 students (72 classrooms, their teachers and 2,000 parents) with
1,000,000 login sessions over the last year, 60 announcements and 20,000 notifications —
all with ``INSERT ... SELECT generate_series`` — then times every page through the Flask
test client (warm, median of several runs) and writes ``bench/results/analytics-<date>.json``
and ``.md``.  Not part of the test suite; see bench/README.md.

    .venv/bin/python bench/analytics_bench.py                 # seed (if needed) and time
    .venv/bin/python bench/analytics_bench.py --reseed        # drop and seed again
    .venv/bin/python bench/analytics_bench.py --explain       # also EXPLAIN ANALYZE the big queries
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/lms_bench_analytics"
STUDENTS = 2500
SESSIONS = 1_000_000
PARENTS = 2000
ANNOUNCEMENTS = 60
NOTIFICATIONS = 20_000
PASSWORD = "bench-pass-1234"  # noqa: S105 - a throw-away benchmark database
BUDGET_MS = 300
RUNS = 7


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


# --- the database --------------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = make_url(url).database
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def database_exists(url: str) -> bool:
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                             {"n": make_url(url).database}).scalar()
    admin.dispose()
    return bool(found)


def make_app(url: str):
    from lms import create_app

    return create_app({
        "TESTING": True, "SECRET_KEY": "bench-" + "x" * 40, "SQLALCHEMY_DATABASE_URI": url,
        "REDIS_URL": "", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "memory",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "ORG_TIMEZONE": "Asia/Bangkok", "BASE_URL": "http://bench",
    })


SEED_SQL = [
    # people: 1 admin, 72 teachers, 2,500 students, 2,000 parents
    """INSERT INTO "user" (email, full_name, role, password_hash, active, login_version, created_at, updated_at)
       SELECT 'admin@bench.example.org', 'Bench Admin', 'ADMIN', :hash, true, 1, now(), now()""",
    """INSERT INTO "user" (email, full_name, role, password_hash, active, login_version, created_at, updated_at)
       SELECT 'teacher' || g || '@bench.example.org', 'Teacher ' || g, 'TEACHER', :hash, true, 1, now(), now()
       FROM generate_series(1, 72) g""",
    """INSERT INTO "user" (email, full_name, role, password_hash, active, login_version, created_at, updated_at)
       SELECT 'student' || g || '@bench.example.org', 'Student ' || lpad(g::text, 4, '0'), 'STUDENT', :hash,
              true, 1, now(), now()
       FROM generate_series(1, :students) g""",
    """INSERT INTO "user" (email, full_name, role, password_hash, active, login_version, created_at, updated_at)
       SELECT 'parent' || g || '@bench.example.org', 'Parent ' || g, 'PARENT', :hash, true, 1, now(), now()
       FROM generate_series(1, :parents) g""",
    # 12 levels x 6 classrooms
    """INSERT INTO classroom (level_id, number, academic_year, archived, created_at)
       SELECT l.id, n, '2026', false, now() FROM level l CROSS JOIN generate_series(1, 6) n""",
    """INSERT INTO teacher_assignment (teacher_id, classroom_id, role, subject_name, created_at)
       SELECT t.id, c.id, 'HOMEROOM', '', now()
       FROM (SELECT id, row_number() OVER (ORDER BY id) rn FROM "user" WHERE role = 'TEACHER') t
       JOIN (SELECT id, row_number() OVER (ORDER BY id) rn FROM classroom) c ON c.rn = t.rn""",
    """INSERT INTO student_profile (user_id, student_number, status, guardian_notes, created_at, updated_at)
       SELECT id, 'B' || lpad(id::text, 6, '0'), 'ACTIVE', '', now(), now() FROM "user" WHERE role = 'STUDENT'""",
    """INSERT INTO classroom_membership (student_id, classroom_id, academic_year, status, started_on, created_at)
       SELECT s.id, c.id, '2026', 'ACTIVE', DATE '2026-05-16', now()
       FROM (SELECT id, row_number() OVER (ORDER BY id) rn FROM "user" WHERE role = 'STUDENT') s
       JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM classroom) c ON c.k = s.rn % 72""",
    """INSERT INTO parent_link (parent_id, student_id, created_at)
       SELECT p.id, s.id, now()
       FROM (SELECT id, row_number() OVER (ORDER BY id) rn FROM "user" WHERE role = 'PARENT') p
       JOIN (SELECT id, row_number() OVER (ORDER BY id) rn FROM "user" WHERE role = 'STUDENT') s ON s.rn = p.rn""",
    # 1,000,000 login sessions over the last 365 days, mostly students, school-ish hours (Bangkok = UTC+7),
    # inserted in time order as a live system appends them
    """INSERT INTO user_session (user_id, started_at, last_active_at, ended_at, duration_seconds, end_reason, ip,
                                 user_agent)
       SELECT u.id, s.started, s.started + s.len, s.started + s.len, extract(epoch FROM s.len)::int,
              CASE WHEN g % 3 = 0 THEN 'LOGOUT' ELSE 'EXPIRED' END,
              '10.0.' || (g % 250) || '.' || (g % 200 + 1),
              CASE g % 3 WHEN 0 THEN 'Mozilla/5.0 (Linux; Android 14) Chrome/126 Mobile'
                         WHEN 1 THEN 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1'
                         ELSE 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126' END
       FROM (SELECT g,
                    date_trunc('day', now() - interval '1 day' - (random() * 364) * interval '1 day')
                    + interval '1 hour' * (random() * 14) AS started,
                    interval '1 minute' * (1 + floor(random() * 90)) AS len,
                    1 + floor(random() * (:students + 72))::int AS k
             FROM generate_series(1, :sessions) g) s
       JOIN (SELECT id, row_number() OVER (ORDER BY id) rn FROM "user" WHERE role IN ('STUDENT', 'TEACHER')) u
         ON u.rn = s.k
       ORDER BY s.started""",
    # 40 people online now
    """INSERT INTO user_session (user_id, started_at, last_active_at, ip, user_agent)
       SELECT id, now() AT TIME ZONE 'UTC' - interval '20 minutes', now() AT TIME ZONE 'UTC' - interval '1 minute',
              '10.9.9.9', 'Mozilla/5.0 (Linux; Android 14) Chrome/126 Mobile'
       FROM "user" WHERE role = 'STUDENT' ORDER BY id LIMIT 40""",
    # announcements of every kind, and who has read them
    """INSERT INTO announcement (author_id, title, body, body_format, status, target_kind, target_level_id,
                                 target_classroom_id, include_parents, urgent, publish_at, expires_at,
                                 delivered_at, created_at, updated_at)
       SELECT (SELECT id FROM "user" WHERE role = 'ADMIN' LIMIT 1), 'Announcement ' || g,
              'Some **markdown** text number ' || g, 'MARKDOWN', 'PUBLISHED',
              (ARRAY['EVERYONE','STUDENTS','PARENTS','LEVEL','CLASSROOM','TEACHERS'])[g % 6 + 1],
              CASE WHEN g % 6 = 3 THEN (SELECT min(id) FROM level) END,
              CASE WHEN g % 6 = 4 THEN (SELECT min(id) FROM classroom) END,
              g % 2 = 0 AND g % 6 IN (3, 4), g % 10 = 0,
              now() AT TIME ZONE 'UTC' - g * interval '1 day', NULL, now(), now(), now()
       FROM generate_series(1, :announcements) g""",
    """INSERT INTO announcement_read (announcement_id, user_id, read_at)
       SELECT a.id, u.id, now() FROM announcement a
       JOIN "user" u ON u.role = 'STUDENT' AND u.id % 3 = 0 WHERE a.target_kind IN ('EVERYONE', 'STUDENTS')""",
    """INSERT INTO notification (user_id, kind, params, link, created_at, read_at)
       SELECT u.id, 'work_graded', json_build_object('title', 'Quiz ' || g, 'score', '8/10'), '/announcements',
              now() AT TIME ZONE 'UTC' - g * interval '1 minute', CASE WHEN g % 4 = 0 THEN NULL ELSE now() END
       FROM generate_series(1, :notifications) g
       JOIN (SELECT id, row_number() OVER (ORDER BY id) rn FROM "user" WHERE role = 'STUDENT') u
         ON u.rn = 1 + g % :students""",
]


def seed(url: str) -> None:
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from lms.extensions import db
    from lms.school.services import ensure_organization

    recreate_database(url)
    app = make_app(url)
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        org = ensure_organization()
        org.name, org.academic_year, org.timezone = "Bench School", "2026", "Asia/Bangkok"
        db.session.commit()
        params = {"hash": generate_password_hash(PASSWORD, "pbkdf2:sha256:1000"), "students": STUDENTS,
                  "parents": PARENTS, "sessions": SESSIONS, "announcements": ANNOUNCEMENTS,
                  "notifications": NOTIFICATIONS}
        for statement in SEED_SQL:
            t = time.perf_counter()
            result = db.session.execute(text(statement), params)
            db.session.commit()
            log(f"{result.rowcount:>9,} rows  {time.perf_counter() - t:6.1f}s  {statement.split()[2]}")
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        log(f"seeded in {time.perf_counter() - started:.1f}s")
        db.session.remove()
        db.engine.dispose()


# --- timing -----------------------------------------------------------------------------------


def _sign_in(app, email):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code in (302, 303), f"cannot sign in as {email}"
    return client


def _ids(app) -> dict:
    from lms.extensions import db

    with app.app_context():
        q = lambda sql: db.session.execute(text(sql)).scalar()  # noqa: E731
        ids = {
            "student": q("""SELECT user_id FROM user_session GROUP BY user_id ORDER BY count(*) DESC LIMIT 1"""),
            "classroom": q("SELECT min(id) FROM classroom"),
        }
        ids["student_email"] = q(f'SELECT email FROM "user" WHERE id = {int(ids["student"])}')
        ids["teacher_email"] = q(f"""SELECT u.email FROM "user" u JOIN teacher_assignment t ON t.teacher_id = u.id
                                    WHERE t.classroom_id = {int(ids['classroom'])}""")
        ids["parent_email"] = q(f"""SELECT u.email FROM "user" u JOIN parent_link p ON p.parent_id = u.id
                                   WHERE p.student_id = {int(ids['student'])}""") or "parent1@bench.example.org"
        db.session.remove()
    return ids


def pages(ids: dict) -> list[tuple[str, str, str]]:
    today = date.today()
    year = f"from={today - timedelta(days=364)}&to={today}"
    quarter = f"from={today - timedelta(days=89)}&to={today}"
    s, c = ids["student"], ids["classroom"]
    return [
        ("admin", "/analytics", "page"),
        ("admin", f"/analytics?{quarter}", "page"),
        ("admin", f"/analytics?{year}", "page"),
        ("admin", "/analytics?role=STUDENT", "page"),
        ("admin", "/analytics/logins", "page"),
        ("admin", "/analytics/logins?page=40", "page"),
        ("admin", "/analytics/logins?q=student0042&role=STUDENT", "page"),
        ("admin", f"/analytics/logins?classroom={c}&{quarter}", "page"),
        ("admin", f"/analytics/users/{s}", "page"),
        ("admin", f"/analytics/users/{s}?{year}", "page"),
        ("admin", f"/analytics/classrooms/{c}", "page"),
        ("admin", f"/analytics/classrooms/{c}?{year}", "page"),
        ("admin", "/announcements", "page"),
        ("admin", "/announcements/manage", "page"),
        ("admin", "/notifications", "page"),
        ("admin", "/notifications/badge", "page"),
        ("teacher", "/analytics", "page"),
        ("teacher", f"/analytics/classrooms/{c}", "page"),
        ("teacher", "/analytics/logins", "page"),
        ("student", f"/analytics/users/{s}", "page"),
        ("student", "/announcements", "page"),
        ("student", "/notifications", "page"),
        ("student", "/notifications/badge", "page"),
        ("parent", "/analytics", "page"),
        ("parent", "/notifications/badge", "page"),
        ("admin", "/analytics/export.csv", "export"),
        ("admin", f"/analytics/classrooms/{c}/export.csv", "export"),
        ("admin", f"/analytics/users/{s}/export.csv?{year}", "export"),
        ("admin", "/analytics/logins.csv", "export"),
    ]


def time_pages(url: str, runs: int = RUNS) -> list[dict]:
    app = make_app(url)
    ids = _ids(app)
    clients = {"admin": _sign_in(app, "admin@bench.example.org"), "teacher": _sign_in(app, ids["teacher_email"]),
               "student": _sign_in(app, ids["student_email"]), "parent": _sign_in(app, ids["parent_email"])}
    results = []
    for role, path, kind in pages(ids):
        client = clients[role]
        for _warm in range(2):
            response = client.get(path)
            assert response.status_code == 200, f"{role} {path}: {response.status_code}"
        timings = []
        for _run in range(runs):
            t = time.perf_counter()
            response = client.get(path)
            response.get_data()
            timings.append((time.perf_counter() - t) * 1000)
        median = statistics.median(timings)
        results.append({"role": role, "path": path, "kind": kind, "median_ms": round(median, 1),
                        "min_ms": round(min(timings), 1), "max_ms": round(max(timings), 1),
                        "bytes": len(response.get_data()), "ok": kind != "page" or median < BUDGET_MS})
        log(f"{median:7.1f} ms  {role:8} {path}")
    return results


EXPLAIN = {
    "overview: daily figures (30 days, everyone)": """
        SELECT CAST(timezone('Asia/Bangkok', timezone('UTC', started_at)) AS DATE) AS day, count(*),
               count(DISTINCT user_id), sum(coalesce(duration_seconds, 0))
        FROM user_session WHERE started_at >= now() - interval '30 days' GROUP BY day""",
    "login-session list page (30 days)": """
        SELECT s.*, u.* FROM user_session s JOIN "user" u ON u.id = s.user_id
        WHERE s.started_at >= now() - interval '30 days' ORDER BY s.started_at DESC, s.id DESC LIMIT 50""",
    "one person, heatmap (a year)": """
        SELECT extract(isodow FROM timezone('Asia/Bangkok', timezone('UTC', started_at))),
               extract(hour FROM timezone('Asia/Bangkok', timezone('UTC', started_at))), count(*)
        FROM user_session WHERE user_id = :student AND started_at >= now() - interval '365 days' GROUP BY 1, 2""",
}


def explain(url: str) -> None:
    app = make_app(url)
    ids = _ids(app)
    from lms.extensions import db

    with app.app_context():
        for title, sql in EXPLAIN.items():
            print(f"\n== {title}")
            for (line,) in db.session.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql), {"student": ids["student"]}):
                print("  " + line)
        db.session.remove()


def write_results(url: str, results: list[dict]) -> tuple[Path, Path]:
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    from lms.extensions import db

    app = make_app(url)
    with app.app_context():
        pg_version = db.session.execute(text("SHOW server_version")).scalar()
        counts = {t: db.session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar()
                  for t in ("user", "user_session", "classroom", "announcement", "notification")}
        db.session.remove()
    meta = {"date": stamp, "postgresql": pg_version, "rows": counts, "runs": RUNS, "budget_ms": BUDGET_MS,
            "cpus": os.cpu_count(), "python": sys.version.split()[0]}
    json_path = out / f"analytics-{stamp}.json"
    json_path.write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    lines = [f"# Analytics benchmark {stamp}", "",
             f"PostgreSQL {pg_version}, {meta['cpus']} CPUs; rows: "
             + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + ".",
             f"Median of {RUNS} warm runs through the Flask test client; budget {BUDGET_MS} ms per page "
             "(CSV exports are listed for information).", "",
             "| who | URL | median ms | min | max | KB | within budget |", "|---|---|---:|---:|---:|---:|---|"]
    for r in results:
        flag = ("yes" if r["ok"] else "**NO**") if r["kind"] == "page" else "(export)"
        lines.append(f"| {r['role']} | `{r['path']}` | {r['median_ms']} | {r['min_ms']} | {r['max_ms']} | "
                     f"{r['bytes'] // 1024} | {flag} |")
    md_path = out / f"analytics-{stamp}.md"
    md_path.write_text("\n".join(lines) + "\n")
    return json_path, md_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("LMS_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reseed", action="store_true", help="drop the benchmark database and seed it again")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the main queries")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    from lms.config import normalise_database_url

    url = normalise_database_url(args.database_url)
    if args.reseed or not database_exists(url):
        log(f"seeding {make_url(url).render_as_string(hide_password=True)}")
        seed(url)
    if args.explain:
        explain(url)
    results = time_pages(url, args.runs)
    json_path, md_path = write_results(url, results)
    print(md_path.read_text())
    log(f"wrote {json_path.relative_to(ROOT)} and {md_path.relative_to(ROOT)}")
    slow = [r for r in results if not r["ok"]]
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
