"""The cost of an idle htmx poll (issue 19.6): the teacher's inbox, a conversation and the help
queue, polled with the ETag they were rendered with (``If-None-Match``), through the Flask test
client on the demo data.

For each poll: the status (304 expected), the SQL statements it ran and the median (min/max) time
of ``RUNS`` polls after two warm-ups.  ``--url`` takes a database URL (default: a temporary SQLite
file; a PostgreSQL URL is used as it is, so give it a throw-away database).  Writes
``bench/results/poll-<date>-<database>.json`` and ``.md``.

    .venv/bin/python bench/poll_bench.py
    .venv/bin/python bench/poll_bench.py --url postgresql://postgres@127.0.0.1:5432/lms_bench_poll
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RUNS = 50
HX = {"HX-Request": "true"}


def make_app(url: str):
    from lms import create_app

    return create_app({
        "TESTING": True, "SECRET_KEY": "bench-" + "x" * 40, "SQLALCHEMY_DATABASE_URI": url,
        "REDIS_URL": "", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "memory",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "ORG_TIMEZONE": "Asia/Bangkok", "BASE_URL": "http://bench",
    })


def measure(app, client, url: str) -> dict:
    from sqlalchemy import event

    from lms.extensions import db

    etag = client.get(url, headers=HX).headers["ETag"]
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    times, status = [], None
    for i in range(RUNS + 2):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        start = time.perf_counter()
        status = client.get(url, headers={**HX, "If-None-Match": etag}).status_code
        elapsed = (time.perf_counter() - start) * 1000
        event.remove(engine, "before_cursor_execute", count)
        if i >= 2:
            times.append(elapsed)
    return {"url": url, "status": status, "statements": len(statements),
            "median_ms": round(statistics.median(times), 2), "min_ms": round(min(times), 2),
            "max_ms": round(max(times), 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="lms-poll-bench-")
    from lms.config import normalise_database_url

    url = normalise_database_url(args.url) if args.url else f"sqlite:///{workdir}/bench.db"
    app = make_app(url)
    from sqlalchemy import select

    from lms.conversations.models import MessageThread
    from lms.demo import DEMO_PASSWORD, seed_demo
    from lms.extensions import db

    with app.app_context():
        db.create_all()
        users = seed_demo()
        thread_id = db.session.scalar(select(MessageThread.id).where(
            MessageThread.teacher_id == users["teacher@example.org"].id))
        db.session.remove()
    client = app.test_client()
    client.post("/auth/login", data={"login": "teacher@example.org", "password": DEMO_PASSWORD})
    rows = [measure(app, client, path) for path in ("/messages", f"/messages/{thread_id}", "/help-requests")]
    result = {"date": date.today().isoformat(), "database": url.split(":", 1)[0], "runs": RUNS, "polls": rows}
    out = ROOT / "bench" / "results" / f"poll-{date.today().isoformat()}-{result['database']}"
    out.with_suffix(".json").write_text(json.dumps(result, indent=2))
    lines = [f"# Idle poll cost ({result['database']}, {RUNS} polls each, test client)", "",
             "| poll | status | SQL statements | median ms | min ms | max ms |", "|---|---|---|---|---|---|"]
    lines += [f"| `{r['url']}` | {r['status']} | {r['statements']} | {r['median_ms']} | {r['min_ms']} | {r['max_ms']} |"
              for r in rows]
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
