"""What ``bench/run.py`` and ``bench/faults.py`` share: the benchmark database and its seed, a
temporary instance env file, the processes PM2 would run (gunicorn, the RQ worker, rq cron) and a
private redis-server, signed-in browsers (cookies + CSRF tokens) and small HTTP helpers.

Everything listens on 127.0.0.1 only; every process started here is remembered by its PID and
stopped at exit (its own process group: gunicorn's workers go with their master).
"""

from __future__ import annotations

import atexit
import gzip
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SLUG = "bench"
PASSWORD = "bench-pass-1234"  # noqa: S105 - a throw-away benchmark database
USER_AGENT = "Mozilla/5.0 (Linux; Android 14) lms-bench/1.0 Mobile"
# Long enough that the browsers signed in before the run stay signed in until its end (pages other
# than the heartbeat do not refresh last_active_at); the seeded stale sessions are older than this.
BENCH_TIMEOUT_MINUTES = 90


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


# --- the database ---------------------------------------------------------------------------------


def bench_url(name: str) -> str:
    if not name.startswith("lms_bench"):
        raise SystemExit(f"refusing to use database {name!r}: benchmark databases are named lms_bench*")
    base = os.environ.get("LMS_BENCH_ADMIN_URL", ADMIN_URL)
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def _admin_engine(url: str):
    return create_engine(make_url(url).set(database="postgres", drivername="postgresql+psycopg2"),
                         isolation_level="AUTOCOMMIT")


def recreate_database(url: str) -> None:
    name = make_url(url).database
    assert name.startswith("lms_bench"), name
    engine = _admin_engine(url)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def drop_database(url: str) -> None:
    name = make_url(url).database
    assert name.startswith("lms_bench"), name
    engine = _admin_engine(url)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def database_is_seeded(url: str) -> bool:
    name = make_url(url).database
    engine = _admin_engine(url)
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
    engine.dispose()
    if not exists:
        return False
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg2"))
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT done FROM bench.seeded")).scalar())
    except Exception:
        return False
    finally:
        engine.dispose()


def terminate_backends(url: str) -> int:
    """``pg_terminate_backend`` every connection to THIS benchmark database (never another one)."""
    name = make_url(url).database
    assert name.startswith("lms_bench"), name
    engine = _admin_engine(url)
    with engine.connect() as conn:
        killed = conn.execute(text(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name}).scalar()
    engine.dispose()
    return int(killed or 0)


# --- processes ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_started: list[subprocess.Popen] = []


def spawn(args: list[str], *, env: dict | None = None, log_path: Path | None = None, cwd: Path = ROOT
          ) -> subprocess.Popen:
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([str(a) for a in args], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)
    if log_path:
        out.close()
    _started.append(proc)
    return proc


def stop(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    """Stop one process we started (and its process group: gunicorn's workers, rq's work horses)."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(5)


def stop_all() -> None:
    for proc in reversed(_started):
        stop(proc, timeout=20)
    _started.clear()


atexit.register(stop_all)


def _on_signal(signum, frame):
    stop_all()
    raise SystemExit(128 + signum)


signal.signal(signal.SIGTERM, _on_signal)


def children_of(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def memory_of(pid: int) -> dict:
    """RSS and PSS (MB) of one process (PSS shares pages copied on write between gunicorn workers)."""
    result = {"pid": pid}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                result["rss_mb"] = round(int(line.split()[1]) / 1024, 1)
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(("Pss:", "Private_Dirty:", "Private_Clean:")):
                key = line.split(":")[0].lower()
                result[key + "_mb"] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return result


# --- the private Redis --------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of our own on a free port (the machine's Redis on 6379 is never touched):
    append-only file on, as a production Redis holding a job queue should be."""

    def __init__(self, workdir: Path):
        self.dir = workdir / "redis"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = spawn(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
                           "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
                           "--protected-mode", "yes", "--daemonize", "no"],
                          log_path=self.dir / "redis.log")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.ping():
                return
            time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start; see " + str(self.dir / "redis.log"))

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        stop(self.proc)  # SIGTERM: redis writes its append-only file and exits
        self.proc = None

    def restart(self, down_seconds: float = 2.0) -> float:
        """Stop and start again on the same port; returns how long it was unreachable."""
        started = time.monotonic()
        self.stop()
        time.sleep(down_seconds)
        self.start()
        return time.monotonic() - started


# --- the instance: env file, gunicorn, worker, cron -----------------------------------------------------


@dataclass
class Instance:
    """A temporary ``LMS_INSTANCES_DIR`` with ``bench.env``, and the processes PM2 would start for it
    (``ecosystem.config.js``: same executables, same arguments)."""

    database_url: str
    redis_url: str
    workdir: Path
    port: int = field(default_factory=free_port)
    workers: int = 2
    processes: dict = field(default_factory=dict)

    def __post_init__(self):
        self.instances_dir = self.workdir / "instances"
        self.instances_dir.mkdir(parents=True, exist_ok=True)
        self.logs = self.workdir / "logs"
        self.logs.mkdir(exist_ok=True)
        self.queue = f"lms-{SLUG}"
        self.secret = secrets.token_urlsafe(48)
        (self.instances_dir / f"{SLUG}.env").write_text("\n".join([
            "# written by bench/ for one benchmark run (a temporary LMS_INSTANCES_DIR)",
            "LMS_ENV=production",
            'ORG_NAME="Bench School"',
            f"SECRET_KEY={self.secret}",
            f"DATABASE_URL={self.database_url}",
            f"REDIS_URL={self.redis_url}",
            f"QUEUE_NAME={self.queue}",
            f"PORT={self.port}",
            f"WEB_WORKERS={self.workers}",
            f"BASE_URL=http://127.0.0.1:{self.port}",
            "ORG_TIMEZONE=Asia/Bangkok",
            "ORG_LOCALE=en",
            "MAIL_BACKEND=console",
            f"STORAGE_DIR={self.workdir / 'storage'}",
            "PROXY_HOPS=1",
            "LOG_LEVEL=WARNING",
            "",
        ]))

    def env(self) -> dict:
        # A deployed instance runs from cached bytecode after its first start (compile_bytecode()).
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("LMS_", "DATABASE_URL", "REDIS_URL", "PYTHONDONTWRITEBYTECODE"))}
        env.update({"LMS_INSTANCE": SLUG, "LMS_INSTANCES_DIR": str(self.instances_dir), "PYTHONUNBUFFERED": "1"})
        return env

    def use_in_this_process(self) -> None:
        """Point ``create_app()`` in this process at the instance (to seed it and sign browsers in)."""
        for key in [k for k in os.environ if k.startswith("LMS_") or k in ("DATABASE_URL", "REDIS_URL")]:
            del os.environ[key]
        os.environ.update({"LMS_INSTANCE": SLUG, "LMS_INSTANCES_DIR": str(self.instances_dir)})

    # ecosystem.config.js, lms-<slug>-web / -worker / -cron
    def web_args(self, app: str = "wsgi:app") -> list[str]:
        return [BIN / "gunicorn", app, "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
                "--access-logfile", "-", "--timeout", "60"]

    def worker_args(self) -> list[str]:
        return [BIN / "rq", "worker", "--with-scheduler", "--worker-class", "lms.worker.Worker", "--url",
                self.redis_url, self.queue]

    def cron_args(self) -> list[str]:
        return [BIN / "rq", "cron", "--url", self.redis_url, "lms.cron_config"]

    def start(self, name: str, app: str = "wsgi:app") -> subprocess.Popen:
        args = {"web": lambda: self.web_args(app), "worker": self.worker_args, "cron": self.cron_args}[name]()
        proc = spawn(args, env=self.env(), log_path=self.logs / f"{name}.log")
        self.processes[name] = proc
        return proc

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        stop(self.processes.pop(name, None), sig)

    def start_web(self, app: str = "wsgi:app", path: str = "/healthz", timeout: float = 60) -> float:
        """Start gunicorn; seconds from the spawn to the first answered request of ``path``."""
        started = time.perf_counter()
        proc = self.start("web", app)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({proc.returncode}); see {self.logs / 'web.log'}")
            try:
                status, _h, _b = http_request(self.port, "GET", path, timeout=5)
                if status < 500:
                    return time.perf_counter() - started
            except OSError:
                time.sleep(0.005)
        raise RuntimeError("gunicorn did not answer; see " + str(self.logs / "web.log"))

    def worker_pids(self) -> list[int]:
        proc = self.processes.get("web")
        return children_of(proc.pid) if proc else []


def compile_bytecode() -> None:
    """Write the app's ``__pycache__`` as its first start on a server does (start-up is measured warm)."""
    subprocess.run([BIN / "python", "-m", "compileall", "-q", "lms", "wsgi.py", "gunicorn.conf.py", "bench"],
                   cwd=ROOT, check=False, stdout=subprocess.DEVNULL)


def make_workdir(prefix: str) -> Path:
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    if os.environ.get("LMS_BENCH_KEEP_WORKDIR"):  # keep the processes' logs to read after the run
        log(f"work directory (kept): {workdir}")
    else:
        atexit.register(shutil.rmtree, workdir, True)
    return workdir


# --- HTTP -------------------------------------------------------------------------------------------


def http_request(port: int, method: str, path: str, *, headers: dict | None = None, body: bytes | str | None = None,
                 timeout: float = 30) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        if isinstance(body, str):
            body = body.encode()
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def gzip_size(data: bytes, level: int = 5) -> int:
    return len(gzip.compress(data, compresslevel=level, mtime=0))


@dataclass
class Browser:
    """A signed-in browser: its cookie and the CSRF token its pages carry."""

    user_id: int
    cookie: str
    csrf: str

    def headers(self, *, htmx: bool = False, form: bool = False) -> dict:
        headers = {"Cookie": self.cookie, "X-CSRFToken": self.csrf, "User-Agent": USER_AGENT}
        if htmx:
            headers["HX-Request"] = "true"
        if form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return headers


def sign_in_browsers(app, user_ids: list[int]) -> dict[int, Browser]:
    """Sign users in the way the login form does (``lms.auth.services.sign_in``: a new login
    session, a fresh Flask session) without paying for the password check or the login rate limit
    hundreds of times; returns the cookie each browser then holds."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    from lms.auth.models import User
    from lms.auth.services import sign_in
    from lms.extensions import db

    serializer = None
    cookie_name = app.config.get("SESSION_COOKIE_NAME", "session")
    browsers = {}
    for uid in user_ids:
        with app.test_request_context("/auth/login", method="POST", headers={"User-Agent": USER_AGENT},
                                      environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            user = db.session.get(User, uid)
            sign_in(user)
            token = generate_csrf()
            db.session.commit()
            serializer = serializer or app.session_interface.get_signing_serializer(app)
            browsers[uid] = Browser(uid, f"{cookie_name}={serializer.dumps(dict(session))}", token)
            db.session.remove()
    return browsers


def json_dump(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
