"""The login-analytics, announcement and notification pages, timed through the Flask test client
on the benchmark school (``bench/run.py --analytics``; formerly ``bench/analytics_bench.py``).

Signed in as the admin, the first classroom's teacher, the busiest student and a parent: two
warm-up requests per page, then the median (and min/max) of several runs; budget 300 ms per page.
Writes ``bench/results/analytics-<date>.json`` and ``.md``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-pass-1234"  # noqa: S105 - a throw-away benchmark database
BUDGET_MS = 300
RUNS = 7


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def make_app(url: str):
    from lms import create_app

    return create_app({
        "TESTING": True, "SECRET_KEY": "bench-" + "x" * 40, "SQLALCHEMY_DATABASE_URI": url,
        "REDIS_URL": "", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "memory",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "ORG_TIMEZONE": "Asia/Bangkok", "BASE_URL": "http://bench",
    })


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
