"""The LMS benchmark: a realistic school in PostgreSQL, gunicorn started as PM2 starts it, and the
requests per second and latency of the pages students and teachers use, against a bare ceiling.

    .venv/bin/python bench/run.py            # seed, measure (10 s per endpoint and concurrency), report
    .venv/bin/python bench/run.py --quick    # 3 s per endpoint and concurrency
    .venv/bin/python bench/run.py --reuse    # keep an already seeded lms_bench (skip the 2-3 min seed)

Steps (see bench/README.md): seed ``lms_bench`` (dropped and created; the app's migrations), write
a temporary instance env file, start a private redis-server and gunicorn exactly as
``ecosystem.config.js`` does (``wsgi:app``, its arguments, ``LMS_INSTANCE``), sign browsers in,
then for every endpoint run ``wrk`` at 1 and 16 concurrent clients for a fixed time, measure the
first page load (gzip) and htmx fragment sizes, the workers' memory, the start-up time and the
expiry job closing 100,000 stale login sessions, and write ``bench/results/<date>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import html.parser
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.benchlib import (  # noqa: E402
    ROOT,
    USER_AGENT,
    Instance,
    PrivateRedis,
    bench_url,
    compile_bytecode,
    database_is_seeded,
    drop_database,
    gzip_size,
    http_request,
    json_dump,
    log,
    make_workdir,
    memory_of,
    recreate_database,
    sign_in_browsers,
)
from bench.seed import SCALE, add_stale_sessions, prepare_attempts, row_counts, seed  # noqa: E402

RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "wrk" / "requests.lua"
CONCURRENCY = (1, 16)
GZIP_LEVEL = 5

# name -> (label, target kind); the order of the table
ENDPOINTS = {
    "bare": ("bare endpoint (`SELECT 1`)", "ceiling"),
    "heartbeat": ("heartbeat `POST /api/session/ping`", "heartbeat"),
    "home": ("student home `GET /`", "page"),
    "roster": ("classroom roster `GET /classrooms/<id>` (teacher)", "page"),
    "gradebook": ("gradebook `GET /classrooms/<id>/gradebook/<subject>` (teacher)", "page"),
    "tree": ("subject tree `GET /subjects/<id>` (teacher)", "page"),
    "take": ("assessment take page `GET /assessments/<id>/take` (student)", "page"),
    "autosave": ("autosave `POST /submissions/<id>/answers/<q>` (htmx)", "page"),
    "submit": ("submit `POST /submissions/<id>/submit` (fresh attempt each)", "page"),
    "poll": ("idle stream poll `GET /classrooms/<id>/stream?poll=1` (htmx, If-None-Match: 304)", "heartbeat"),
}
TARGETS = {"heartbeat_ratio": 0.60, "page_ratio": 0.35, "p99_ms_at_16": 150, "expiry_s": 2.0,
           "first_load_kb_gzip": 60, "fragment_kb_gzip": 10, "worker_rss_mb": 100, "startup_s": 1.0}


# --- the requests of each endpoint -------------------------------------------------------------------


def line(method, path, browser=None, *, htmx=False, body="", etag=""):
    """One request: FLAGS holds "h" (htmx) and ``|<etag>`` (sent as If-None-Match)."""
    cookie = browser.cookie if browser else ""
    csrf = browser.csrf if browser else ""
    return "\t".join([method, path, cookie, csrf, ("h" if htmx else "") + (f"|{etag}" if etag else ""), body])


def flag_headers(flags: str) -> dict:
    """The headers a line's FLAGS ask for (as requests.lua reads them)."""
    headers = {"HX-Request": "true"} if "h" in flags.partition("|")[0] else {}
    if "|" in flags:
        headers["If-None-Match"] = flags.partition("|")[2]
    return headers


def build_requests(data: dict) -> dict[str, list[str]]:
    """Every endpoint's request lines (several users each, as a school's traffic is)."""
    b, take = data["browsers"], data["attempts"]["take"]
    students = [b[r.student_id] for r in take]
    reqs = {
        "bare": [line("GET", "/")],
        "heartbeat": [line("POST", "/api/session/ping", s) for s in students],
        "home": [line("GET", "/", s) for s in students],
        "roster": [line("GET", f"/classrooms/{cid}", b[tid]) for cid, tid in data["homerooms"]],
        "gradebook": [line("GET", f"/classrooms/{cid}/gradebook/{sid}", b[tid]) for cid, sid, tid in data["gradebooks"]],
        "tree": [line("GET", f"/subjects/{sid}", b[tid]) for sid, tid in data["subjects"]],
        "take": [line("GET", f"/assessments/{r.assessment_id}/take", b[r.student_id]) for r in take],
    }
    autosave = []
    for value in range(5):
        for r in take:
            for position in (6, 7):  # the two short-answer questions
                autosave.append(line("POST", f"/submissions/{r.id}/answers/{r.arr[position]}", b[r.student_id],
                                     htmx=True, body=f"answer=bench+{value}+{r.id}"))
    reqs["autosave"] = autosave
    reqs["submit"] = [line("POST", f"/submissions/{r.id}/submit", b[r.student_id]) for r in data["attempts"]["submit"]]
    reqs["poll"] = [line("GET", f"/classrooms/{cid}/stream?poll=1", b[tid], htmx=True, etag=etag)
                    for cid, tid, etag in data["streams"]]
    return reqs


def school_facts(app) -> dict:
    """Who teaches what: homeroom pairs, gradebook triples, subjects with their teacher."""
    from sqlalchemy import text

    from lms.extensions import db

    with app.app_context():
        q = lambda sql: db.session.execute(text(sql)).all()  # noqa: E731
        facts = {
            "admin": db.session.execute(text("SELECT id FROM \"user\" WHERE role = 'ADMIN'")).scalar(),
            "homerooms": [tuple(r) for r in q("SELECT classroom_id, teacher_id FROM teacher_assignment "
                                              "WHERE role = 'HOMEROOM' ORDER BY classroom_id")],
            "gradebooks": [tuple(r) for r in q("""
                SELECT c.id, s.id, st.teacher_id FROM subject s JOIN subject_teacher st ON st.subject_id = s.id
                JOIN classroom c ON c.level_id = s.level_id WHERE s.classroom_id IS NULL ORDER BY s.id, c.id""")],
            "subjects": [tuple(r) for r in q("SELECT subject_id, teacher_id FROM subject_teacher ORDER BY subject_id")],
        }
        facts["streams"] = classroom_streams(facts["homerooms"])
        db.session.remove()
    return facts


def classroom_streams(homerooms) -> list[tuple]:
    """A stream with a post for each homeroom classroom (made here: the seed predates streams);
    ``(classroom id, teacher id, the tag their open page carries)`` for the idle polls."""
    from sqlalchemy import text

    from lms.common.freshness import etag_of
    from lms.extensions import db

    db.session.execute(text("""
        INSERT INTO stream (classroom_id, students_may_post, version, changed_at, created_at)
        SELECT ta.classroom_id, true, 1, now(), now() FROM teacher_assignment ta
        WHERE ta.role = 'HOMEROOM' AND NOT EXISTS (SELECT 1 FROM stream s WHERE s.classroom_id = ta.classroom_id)"""))
    db.session.execute(text("""
        INSERT INTO stream_post (stream_id, author_id, body, is_question, pinned, locked, status, publish_at, created_at)
        SELECT s.id, ta.teacher_id, 'Bring your **counting sticks** on Monday.', false, false, false, 'VISIBLE',
               now(), now()
        FROM stream s JOIN teacher_assignment ta ON ta.classroom_id = s.classroom_id AND ta.role = 'HOMEROOM'
        WHERE NOT EXISTS (SELECT 1 FROM stream_post p WHERE p.stream_id = s.id)"""))
    db.session.commit()
    rows = db.session.execute(text("""
        SELECT s.classroom_id, ta.teacher_id, s.id, s.version, u.login_version, u.locale FROM stream s
        JOIN teacher_assignment ta ON ta.classroom_id = s.classroom_id AND ta.role = 'HOMEROOM'
        JOIN "user" u ON u.id = ta.teacher_id ORDER BY s.classroom_id""")).all()

    class Reader:  # what the tag is made of (User.get_id() and the reader's language)
        def __init__(self, ident, login_version, locale):
            self.ident, self.locale = f"{ident}:{login_version}", locale

        def get_id(self):
            return self.ident

    return [(cid, tid, f'"{etag_of((sid, version), per_url=False, reader=Reader(tid, login_version, locale))}"')
            for cid, tid, sid, version, login_version, locale in rows]


# --- running wrk ---------------------------------------------------------------------------------------


def run_wrk(port: int, lines: list[str], clients: int, seconds: float, workdir: Path, name: str) -> dict:
    threads = 1 if clients == 1 else 2
    path = workdir / f"{name}-{clients}.tsv"
    while len(lines) < threads:  # each thread needs a line of its own
        lines = lines * 2
    path.write_text("\n".join(lines) + "\n")
    cmd = ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s", "--timeout", "10s", "-s", str(LUA),
           f"http://127.0.0.1:{port}", "--", str(path), str(threads), USER_AGENT]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    found = [ln for ln in out.stdout.splitlines() if ln.startswith("BENCH-JSON ")]
    if not found:
        raise RuntimeError(f"wrk failed for {name}: {out.stdout}\n{out.stderr}")
    raw = json.loads(found[-1].split(" ", 1)[1])
    seconds_run = raw["duration_us"] / 1e6
    errors = sum(v for k, v in raw.items() if k.startswith("errors_"))
    return {"clients": clients, "seconds": round(seconds_run, 2), "requests": raw["requests"],
            "rps": round(raw["requests"] / seconds_run, 1), "p50_ms": round(raw["p50_us"] / 1000, 1),
            "p90_ms": round(raw["p90_us"] / 1000, 1), "p99_ms": round(raw["p99_us"] / 1000, 1),
            "max_ms": round(raw["max_us"] / 1000, 1), "errors": errors, "wrapped": raw["wrapped"],
            "error_detail": {k: v for k, v in raw.items() if k.startswith("errors_") and v}}


def check_request(port: int, request_line: str) -> tuple[int, int]:
    """Send one request of an endpoint; its status must be a success (the setup is right)."""
    method, path, cookie, csrf, flags, body = request_line.split("\t")
    headers = {"User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = cookie
    if csrf:
        headers["X-CSRFToken"] = csrf
    headers.update(flag_headers(flags))
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    status, hdrs, content = http_request(port, method, path, headers=headers, body=body or None)
    if status >= 400 or "/auth/login" in hdrs.get("location", ""):
        raise RuntimeError(f"{method} {path} answered {status} {hdrs.get('location', '')}: {content[:300]!r}")
    return status, len(content)


def measure_endpoint(port, name, lines, seconds, workdir, warm_seconds) -> dict:
    result = {"name": name, "label": ENDPOINTS[name][0], "kind": ENDPOINTS[name][1], "runs": {}}
    if name == "submit":
        # every request submits a fresh attempt: separate slices for the check, warm-up and each run
        check_request(port, lines[0])
        rest = lines[1:]
        warm, rest = rest[:400], rest[400:]
        run_wrk(port, warm, 16, warm_seconds, workdir, f"{name}-warm")
        third = len(rest) // 3
        slices = {1: rest[:third], 16: rest[third:]}
    else:
        status, size = check_request(port, lines[0])
        result["status"], result["bytes"] = status, size
        run_wrk(port, lines, 16, warm_seconds, workdir, f"{name}-warm")
        slices = {1: lines, 16: lines}
    for clients in CONCURRENCY:
        run = run_wrk(port, slices[clients], clients, seconds, workdir, name)
        result["runs"][str(clients)] = run
        log(f"  {name:<10} {clients:>2} clients: {run['rps']:8.1f} rps  p50 {run['p50_ms']:6.1f} ms  "
            f"p99 {run['p99_ms']:6.1f} ms  errors {run['errors']}" + (f"  WRAPPED {run['wrapped']}"
                                                                     if run["wrapped"] and name == "submit" else ""))
    return result


# --- statement counts (in process, the same requests) -------------------------------------------------------


def statement_counts(app, requests: dict[str, list[str]]) -> dict[str, int]:
    from sqlalchemy import event

    from lms.extensions import db

    counts = {}
    with app.app_context():
        engine = db.engine
    for name, lines in requests.items():
        if name in ("bare", "submit"):
            continue
        method, path, cookie, csrf, flags, body = lines[-1].split("\t")
        statements = []

        def count(conn, cursor, statement, params, context, executemany, _s=statements):
            _s.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            client = app.test_client(use_cookies=False)
            headers = {"Cookie": cookie, "X-CSRFToken": csrf, "User-Agent": USER_AGENT, **flag_headers(flags)}
            response = client.open(path, method=method, headers=headers, data=body or None,
                                   content_type="application/x-www-form-urlencoded" if body else None,
                                   environ_base={"REMOTE_ADDR": "127.0.0.1"})
            counts[name] = len(statements) if response.status_code < 400 else -response.status_code
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return counts


# --- sizes ---------------------------------------------------------------------------------------------


class _Assets(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.assets = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet" and attrs.get("href"):
            self.assets.append(("css", attrs["href"]))
        if tag == "script" and attrs.get("src"):
            self.assets.append(("js", attrs["src"]))


def first_load(port: int, browser, path: str = "/") -> dict:
    """The student's first page load as the reverse proxy serves it (gzip, level 5): the HTML page
    and every stylesheet and script it links (icons and fonts are not counted; see the README)."""
    status, _h, page = http_request(port, "GET", path, headers=browser.headers())
    parser = _Assets()
    parser.feed(page.decode("utf-8"))
    items = [{"kind": "html", "url": path, "bytes": len(page), "gzip": gzip_size(page, GZIP_LEVEL)}]
    for kind, url in parser.assets:
        s, _h, body = http_request(port, "GET", url, headers=browser.headers())
        items.append({"kind": kind, "url": url.split("?")[0], "status": s, "bytes": len(body),
                      "gzip": gzip_size(body, GZIP_LEVEL)})
    return {"path": path, "status": status, "items": items, "bytes": sum(i["bytes"] for i in items),
            "gzip": sum(i["gzip"] for i in items)}


def fragment_sizes(port: int, requests: dict[str, list[str]]) -> dict:
    """The htmx answers (``HX-Request: true``) of the pages and of autosave."""
    sizes = {}
    for name in ("roster", "gradebook", "tree", "take", "autosave"):
        method, path, cookie, csrf, _flags, body = requests[name][0].split("\t")
        headers = {"Cookie": cookie, "X-CSRFToken": csrf, "User-Agent": USER_AGENT, "HX-Request": "true"}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, hdrs, content = http_request(port, method, path, headers=headers, body=body or None)
        sizes[name] = {"path": path, "status": status, "bytes": len(content), "gzip": gzip_size(content, GZIP_LEVEL),
                       "full_page": b"<!doctype html>" in content[:100].lower()}
    return sizes


# --- the expiry job ----------------------------------------------------------------------------------------


def time_expiry(app, count: int) -> dict:
    """Add ``count`` stale open login sessions, then run the periodic job as the worker would and
    time it (one UPDATE and its commit)."""
    from sqlalchemy import text

    from lms.auth.jobs import close_inactive_login_sessions
    from lms.extensions import db

    add_stale_sessions(app, count)
    with app.app_context():
        total = db.session.execute(text("SELECT count(*) FROM user_session")).scalar()
        db.session.remove()
    started = time.perf_counter()
    with app.app_context():
        closed = close_inactive_login_sessions()
    seconds = time.perf_counter() - started
    return {"closed": closed, "seconds": round(seconds, 3), "login_sessions_in_table": total}


# --- the report --------------------------------------------------------------------------------------------


def ratio(value, bare):
    return round(value / bare, 2) if bare else None


def evaluate(results: dict) -> list[dict]:
    """Every target with its measured figure and met/missed."""
    endpoints = {e["name"]: e for e in results["endpoints"]}
    bare16 = endpoints["bare"]["runs"]["16"]["rps"]
    checks = []
    for name, e in endpoints.items():
        if name == "bare":
            continue
        run16 = e["runs"]["16"]
        need = TARGETS["heartbeat_ratio"] if e["kind"] == "heartbeat" else TARGETS["page_ratio"]
        r = ratio(run16["rps"], bare16) or 0.0
        e["ratio_16"], e["ratio_1"] = r, ratio(e["runs"]["1"]["rps"], endpoints["bare"]["runs"]["1"]["rps"])
        e["target_ratio"] = need
        e["ratio_met"] = r is not None and r >= need
        e["p99_met"] = run16["p99_ms"] <= TARGETS["p99_ms_at_16"] and run16["errors"] == 0
        checks.append({"target": f"{name}: rps at 16 clients ≥ {int(need * 100)}% of the bare endpoint's",
                       "value": f"{int(r * 100)}%", "met": e["ratio_met"]})
        checks.append({"target": f"{name}: p99 ≤ {TARGETS['p99_ms_at_16']} ms at 16 clients (no errors)",
                       "value": f"{run16['p99_ms']} ms" + (f", {run16['errors']} errors" if run16["errors"] else ""),
                       "met": e["p99_met"]})
    ex = results["expiry"]
    checks.append({"target": f"expiry job closes {ex['closed']:,} stale login sessions in < {TARGETS['expiry_s']} s",
                   "value": f"{ex['seconds']} s", "met": ex["seconds"] < TARGETS["expiry_s"]})
    fl = results["first_load"]
    checks.append({"target": f"student's first page load ≤ {TARGETS['first_load_kb_gzip']} KB gzip (HTML+CSS+JS)",
                   "value": f"{fl['gzip'] / 1024:.1f} KB", "met": fl["gzip"] <= TARGETS["first_load_kb_gzip"] * 1024})
    biggest = max(results["fragments"].items(), key=lambda kv: kv[1]["gzip"])
    checks.append({"target": f"htmx fragments ≤ {TARGETS['fragment_kb_gzip']} KB gzip",
                   "value": f"largest {biggest[0]}: {biggest[1]['gzip'] / 1024:.1f} KB",
                   "met": all(f["gzip"] <= TARGETS["fragment_kb_gzip"] * 1024 for f in results["fragments"].values())})
    rss = max(m.get("rss_mb", 0) for m in results["memory"]["workers"])
    checks.append({"target": f"gunicorn worker RSS ≤ {TARGETS['worker_rss_mb']} MB after the run",
                   "value": f"{rss} MB", "met": rss <= TARGETS["worker_rss_mb"]})
    st = results["startup"]["lms_median_s"]
    checks.append({"target": f"start-up to the first answered request < {TARGETS['startup_s']} s",
                   "value": f"{st} s", "met": st < TARGETS["startup_s"]})
    return checks


def markdown(results: dict) -> str:
    meta = results["meta"]
    endpoints = results["endpoints"]
    bare = endpoints[0]["runs"]
    lines = [f"# LMS benchmark {meta['date']}", "",
             f"{meta['cpus']} CPUs ({meta['cpu']}), PostgreSQL {meta['postgresql']}, Python {meta['python']}, "
             f"gunicorn {meta['gunicorn']} with {meta['workers']} sync workers (as `ecosystem.config.js`), "
             f"{meta['wrk']}; commit `{meta['commit']}`.",
             f"Data: {', '.join(f'{k} {v:,}' for k, v in meta['rows'].items())}.",
             f"Each endpoint: {meta['seconds']} s per concurrency after a {meta['warm_seconds']} s warm-up; "
             "the load generator runs on the same 2 CPUs as gunicorn and PostgreSQL.", "",
             "| endpoint | rps (1 client) | p50 / p99 ms (1) | rps (16 clients) | p50 / p99 ms (16) | "
             "× bare rps (1 / 16) | SQL per request | target | met |",
             "|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for e in endpoints:
        r1, r16 = e["runs"]["1"], e["runs"]["16"]
        if e["name"] == "bare":
            ratios, target, met = "1.00 / 1.00", "ceiling", ""
        else:
            ratios = f"{e['ratio_1']:.2f} / {e['ratio_16']:.2f}"
            target = f"≥ {e['target_ratio']:.2f} × bare, p99 ≤ {TARGETS['p99_ms_at_16']} ms"
            met = "met" if e["ratio_met"] and e["p99_met"] else "**missed**" + (
                "" if e["ratio_met"] else " (rps)") + ("" if e["p99_met"] else " (p99)")
        errors = f" ({r16['errors']} errors)" if r16["errors"] else ""
        lines.append(f"| {e['label']} | {r1['rps']:,.0f} | {r1['p50_ms']} / {r1['p99_ms']} | {r16['rps']:,.0f}{errors} "
                     f"| {r16['p50_ms']} / {r16['p99_ms']} | {ratios} | {e.get('statements', '')} | {target} | {met} |")
    lines += ["", "| other target | measured | met |", "|---|---|---|"]
    for c in results["checks"][2 * (len(endpoints) - 1):]:
        lines.append(f"| {c['target']} | {c['value']} | {'met' if c['met'] else '**missed**'} |")
    fl = results["first_load"]
    lines += ["", f"First page load of the student home (`{fl['path']}`), gzip level {GZIP_LEVEL} "
                  "(the reverse proxy compresses; gunicorn does not):", "",
              "| file | bytes | gzip |", "|---|---:|---:|"]
    for item in fl["items"]:
        lines.append(f"| {item['kind']} `{item['url']}` | {item['bytes']:,} | {item['gzip']:,} |")
    lines.append(f"| **total** | {fl['bytes']:,} | **{fl['gzip']:,}** |")
    lines += ["", "htmx fragments (`HX-Request: true`):", "", "| fragment | bytes | gzip |", "|---|---:|---:|"]
    for name, f in results["fragments"].items():
        lines.append(f"| {name} `{f['path']}` | {f['bytes']:,} | {f['gzip']:,} |")
    mem = results["memory"]
    lines += ["", "Memory after the run: " + "; ".join(
        f"worker {m['pid']}: RSS {m.get('rss_mb')} MB (PSS {m.get('pss_mb')} MB, private "
        f"{round(m.get('private_dirty_mb', 0) + m.get('private_clean_mb', 0), 1)} MB)" for m in mem["workers"])
        + f"; master RSS {mem['master'].get('rss_mb')} MB.",
        f"Start-up (spawn → first answered `/healthz`): LMS median {results['startup']['lms_median_s']} s "
        f"(runs {results['startup']['lms_runs']}), bare app {results['startup']['bare_s']} s.",
        f"Expiry job: {results['expiry']['closed']:,} stale login sessions closed in {results['expiry']['seconds']} s "
        f"(one UPDATE + commit; {results['expiry']['login_sessions_in_table']:,} login sessions in the table).",
        f"Bare endpoint for the ratios: {bare['16']['rps']:,.0f} rps at 16 clients, {bare['1']['rps']:,.0f} at 1."]
    if results.get("notes"):
        lines += ["", "Notes:", ""] + [f"* {n}" for n in results["notes"]]
    return "\n".join(lines) + "\n"


def meta_info(app, instance, args) -> dict:
    from sqlalchemy import text

    from lms.extensions import db

    with app.app_context():
        pg = db.session.execute(text("SHOW server_version")).scalar()
        db.session.remove()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=False).stdout.strip()
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    import gunicorn

    return {"date": datetime.now(UTC).strftime("%Y-%m-%d"), "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "postgresql": pg, "python": platform.python_version(), "cpus": os.cpu_count(), "cpu": cpu,
            "gunicorn": gunicorn.__version__, "workers": instance.workers, "commit": commit,
            "wrk": (wrk.stdout or wrk.stderr).split("\n")[0].split(" [")[0].strip(),
            "seconds": args.duration, "warm_seconds": args.warm, "quick": args.quick}


# --- main ----------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 s per endpoint and concurrency instead of 10")
    parser.add_argument("--duration", type=float, help="seconds per endpoint and concurrency")
    parser.add_argument("--database", default="lms_bench", help="benchmark database name (lms_bench*)")
    parser.add_argument("--reuse", action="store_true", help="use the database if a previous --keep run seeded it")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--only", help="comma-separated endpoints to measure (others are skipped)")
    parser.add_argument("--no-write", action="store_true", help="print the table, write no results file")
    parser.add_argument("--analytics", action="store_true",
                        help="also time the login-analytics, announcement and notification pages (test client)")
    args = parser.parse_args()
    args.duration = args.duration or (3 if args.quick else 10)
    args.warm = 1 if args.quick else 2
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    only = set(args.only.split(",")) if args.only else None

    url = bench_url(args.database)
    compile_bytecode()
    workdir = make_workdir("lms-bench-")
    redis = PrivateRedis(workdir)
    redis.start()
    instance = Instance(database_url=url, redis_url=redis.url, workdir=workdir)
    instance.use_in_this_process()
    from lms import create_app

    if args.reuse and database_is_seeded(url):
        log(f"reusing the seeded database {args.database}")
        seed_timings = None
    else:
        log(f"seeding {args.database} (dropped and created)")
        recreate_database(url)
        seed_timings = seed(create_app())
        log(f"seeded in {seed_timings['total']} s")
    app = create_app()
    results: dict = {"meta": meta_info(app, instance, args), "seed_seconds": seed_timings, "notes": []}
    try:
        log("preparing attempts and signing browsers in")
        attempts = prepare_attempts(app)
        facts = school_facts(app)
        users = sorted({r.student_id for r in attempts["take"] + attempts["submit"]}
                       | {t for _c, t in facts["homerooms"]} | {t for _s, t in facts["subjects"]})
        started = time.perf_counter()
        browsers = sign_in_browsers(app, users)
        log(f"  {len(browsers)} browsers signed in in {time.perf_counter() - started:.1f} s")
        requests = build_requests({**facts, "browsers": browsers, "attempts": attempts})
        results["meta"]["rows"] = row_counts(app)

        log("bare endpoint (bench/bare_app.py)")
        bare_start = instance.start_web("bench.bare_app:app")
        results["startup"] = {"bare_s": round(bare_start, 3)}
        results["endpoints"] = [measure_endpoint(instance.port, "bare", requests["bare"], args.duration, workdir,
                                                 args.warm)]
        instance.stop("web")

        log("LMS (wsgi:app)")
        starts = []
        for _ in range(3):
            starts.append(round(instance.start_web("wsgi:app"), 3))
            instance.stop("web")
        instance.start_web("wsgi:app")
        results["startup"].update({"lms_runs": starts, "lms_median_s": statistics.median(starts)})
        counts = statement_counts(app, requests)
        for name in ENDPOINTS:
            if name == "bare" or (only and name not in only):
                continue
            entry = measure_endpoint(instance.port, name, requests[name], args.duration, workdir, args.warm)
            entry["statements"] = counts.get(name, "")
            if name == "submit":
                entry["statements"] = ""
            results["endpoints"].append(entry)
        student = browsers[attempts["take"][0].student_id]
        results["first_load"] = first_load(instance.port, student)
        results["fragments"] = fragment_sizes(instance.port, requests)
        master = instance.processes["web"].pid
        results["memory"] = {"workers": [memory_of(p) for p in instance.worker_pids()], "master": memory_of(master)}
        instance.stop("web")

        log(f"expiry job: {SCALE['stale_sessions']:,} stale login sessions")
        results["expiry"] = time_expiry(app, SCALE["stale_sessions"])
        log(f"  closed {results['expiry']['closed']:,} in {results['expiry']['seconds']} s")
        if args.analytics:
            from bench import analytics_pages
            from lms.config import normalise_database_url

            log("analytics pages (through the test client)")
            pages = analytics_pages.time_pages(normalise_database_url(url))
            if not args.no_write:
                analytics_pages.write_results(normalise_database_url(url), pages)
        if only:
            results["notes"].append(f"partial run: {', '.join(sorted(only))}")
        results["checks"] = evaluate(results)
        table = markdown(results)
        print("\n" + table)
        if not args.no_write:
            RESULTS.mkdir(parents=True, exist_ok=True)
            stamp = results["meta"]["date"]
            json_dump(RESULTS / f"{stamp}.json", results)
            (RESULTS / f"{stamp}.md").write_text(table)
            log(f"wrote bench/results/{stamp}.json and .md")
    finally:
        instance.stop("web")
        redis.stop()
        if not args.keep:
            with app.app_context():
                from lms.extensions import db

                db.engine.dispose()
            drop_database(url)
            log(f"dropped {args.database}")
    return 0 if all(c["met"] for c in results.get("checks", [])) else 1


if __name__ == "__main__":
    sys.exit(main())
