"""Profile one benchmark endpoint in process: pyinstrument over N requests and the SQL statements
of one request (with their time).  Needs a database seeded by ``bench/run.py --keep``.

    .venv/bin/python bench/profile.py take                 # pyinstrument tree of 30 requests
    .venv/bin/python bench/profile.py gradebook --sql      # also list the SQL statements of one request
    .venv/bin/python bench/profile.py tree --explain       # and EXPLAIN ANALYZE the slowest statements

Needs pyinstrument (``.venv/bin/pip install pyinstrument``; not a dependency of the app).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.benchlib import USER_AGENT, Instance, bench_url, database_is_seeded, make_workdir, sign_in_browsers  # noqa: E402
from bench.run import build_requests, school_facts  # noqa: E402
from bench.seed import prepare_attempts  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("endpoint", help="heartbeat, home, roster, gradebook, tree, take, autosave")
    parser.add_argument("-n", type=int, default=30, help="requests to profile")
    parser.add_argument("--database", default="lms_bench")
    parser.add_argument("--sql", action="store_true", help="print the SQL statements of one request")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the 3 slowest statements")
    args = parser.parse_args()
    url = bench_url(args.database)
    if not database_is_seeded(url):
        raise SystemExit(f"{args.database} is not seeded: run bench/run.py --keep first")
    instance = Instance(database_url=url, redis_url="redis://127.0.0.1:6399/0", workdir=make_workdir("lms-prof-"))
    instance.use_in_this_process()
    from lms import create_app

    app = create_app()
    attempts = prepare_attempts(app, submit_indexes=())
    facts = school_facts(app)
    users = sorted({r.student_id for r in attempts["take"]} | {t for _c, t in facts["homerooms"]}
                   | {t for _s, t in facts["subjects"]})
    browsers = sign_in_browsers(app, users)
    requests = build_requests({**facts, "browsers": browsers, "attempts": {**attempts, "submit": []}})
    lines = requests[args.endpoint]

    send = _sender(app.test_client(use_cookies=False))
    for request_line in lines[:5]:
        send(request_line)
    statements = _one_request_statements(app, send, lines[len(lines) // 2])
    if args.sql:
        for ms, statement, _params in statements:
            print(f"  {ms:6.2f} ms  {' '.join(statement.split())[:220]}")
    if args.explain:
        _explain_slowest(app, statements)
    _profile(send, lines, args.n)
    return 0


def _sender(client):
    """A function sending one line of ``build_requests`` through the test client."""

    def send(request_line):
        method, path, cookie, csrf, flags, body = request_line.split("\t")
        headers = {"Cookie": cookie, "X-CSRFToken": csrf, "User-Agent": USER_AGENT}
        if "h" in flags:
            headers["HX-Request"] = "true"
        response = client.open(path, method=method, headers=headers, data=body or None,
                               content_type="application/x-www-form-urlencoded" if body else None,
                               environ_base={"REMOTE_ADDR": "127.0.0.1"})
        assert response.status_code < 400, (path, response.status_code)
        return response

    return send


def _one_request_statements(app, send, request_line) -> list:
    """(ms, statement, params) of each SQL statement of one request; prints the request's totals."""
    from sqlalchemy import event

    from lms.extensions import db

    with app.app_context():
        engine = db.engine
    statements = []

    def before(conn, cursor, statement, params, context, executemany):
        conn.info["t"] = time.perf_counter()

    def after(conn, cursor, statement, params, context, executemany):
        statements.append(((time.perf_counter() - conn.info["t"]) * 1000, statement, params))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    started = time.perf_counter()
    response = send(request_line)
    took = (time.perf_counter() - started) * 1000
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    print(f"one request: {took:.1f} ms, {len(statements)} SQL statements taking "
          f"{sum(s[0] for s in statements):.1f} ms, {len(response.data):,} bytes")
    return statements


def _explain_slowest(app, statements: list) -> None:
    from lms.extensions import db

    with app.app_context():
        for ms, statement, params in sorted(statements, key=lambda s: -s[0])[:3]:
            print(f"\n== {ms:.2f} ms: {' '.join(statement.split())[:300]}")
            raw = db.session.connection().connection.dbapi_connection.cursor()
            raw.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
            for (row,) in raw.fetchall():
                print("   " + row)
            db.session.rollback()
        db.session.remove()


def _profile(send, lines: list, count: int) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    started = time.perf_counter()
    for i in range(count):
        send(lines[i % len(lines)])
    elapsed = time.perf_counter() - started
    profiler.stop()
    print(f"\n{count} requests: {elapsed / count * 1000:.1f} ms each")
    print(profiler.output_text(unicode=True, color=False, show_all=False))

if __name__ == "__main__":
    sys.exit(main())
