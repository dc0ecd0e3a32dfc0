"""A real OpenID Connect provider for the tests: npm's ``oidc-provider`` run by node on 127.0.0.1.

``start_provider`` installs the locked npm package (``package.json``, ``package-lock.json`` beside
this file) once into a cache folder outside the repository (``LMS_TEST_CACHE_DIR``, default
``~/.cache/lms-tests``), starts ``provider.mjs`` on a free port and returns its issuer URL.
``browse_to_callback`` plays the user's browser at the provider: it follows the authorization
request, fills the provider's sign-in page and consent page, and stops at the redirect back to the
application.  Nothing here is mocked: the app talks to the provider over HTTP.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

HERE = Path(__file__).resolve().parent
PACKAGE_FILES = ("package.json", "package-lock.json")


def _cache_dir() -> Path:
    base = Path(os.environ.get("LMS_TEST_CACHE_DIR") or Path.home() / ".cache" / "lms-tests")
    digest = hashlib.sha256(b"".join((HERE / name).read_bytes() for name in PACKAGE_FILES)).hexdigest()[:12]
    return base / f"oidc-provider-{digest}"


def install() -> Path:
    """The folder with ``node_modules/oidc-provider`` (installed with ``npm ci`` on first use)."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            pytest.fail(f"the single sign-on tests need {tool} (Node.js 18+) to run a real OpenID Connect "
                        f"provider: apt-get install -y nodejs npm")
    target = _cache_dir()
    if (target / "node_modules" / "oidc-provider" / "package.json").is_file():
        return target
    staging = target.with_name(f"{target.name}.{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in PACKAGE_FILES:
        shutil.copy(HERE / name, staging / name)
    done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=staging,
                          capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        pytest.fail(f"npm ci of the test OpenID Connect provider failed:\n{done.stdout}\n{done.stderr}")
    try:
        staging.rename(target)
    except OSError:  # another test run installed it meanwhile
        shutil.rmtree(staging, ignore_errors=True)
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def start_provider(tmp_dir: Path, clients: list[dict], accounts: dict[str, dict], *, port: int | None = None,
                   issuer: str | None = None):
    """Run the provider for the ``with`` block; yields its issuer URL (its own address unless
    ``issuer`` names another, e.g. a proxy in front of it)."""
    folder = install()
    script = folder / f"provider-{os.getpid()}.mjs"  # beside node_modules, so the import resolves
    shutil.copy(HERE / "provider.mjs", script)
    port = port or free_port()
    issuer = issuer or f"http://127.0.0.1:{port}"
    config = tmp_dir / "oidc-provider.json"
    config.write_text(json.dumps({"port": port, "issuer": issuer, "clients": clients, "accounts": accounts}))
    log_path = tmp_dir / "oidc-provider.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(["node", str(script), str(config)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while "READY" not in log_path.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the test OpenID Connect provider did not start:\n{log_path.read_text()}")
            time.sleep(0.05)
        yield issuer
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
        script.unlink(missing_ok=True)


class _Forms(HTMLParser):
    """The first form of a page: its action and its inputs."""

    def __init__(self):
        super().__init__()
        self.action, self.inputs, self._in_form = None, {}, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action, self._in_form = attrs.get("action", ""), True
        elif tag == "input" and self._in_form and attrs.get("name"):
            self.inputs[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False


def browse_to_callback(authorize_url: str, login: str, app_base: str) -> str:
    """Be the browser at the provider: sign in as ``login`` (any password), consent, and return
    the URL the provider redirects to under ``app_base`` (the application's callback)."""
    browser = requests.Session()
    response = browser.get(authorize_url, allow_redirects=False, timeout=10)
    for _step in range(12):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(app_base.rstrip("/") + "/"):
                return location
            response = browser.get(location, allow_redirects=False, timeout=10)
            continue
        assert response.status_code == 200, f"provider answered {response.status_code}: {response.text[:500]}"
        form = _Forms()
        form.feed(response.text)
        assert form.action is not None, f"no form on the provider's page: {response.text[:500]}"
        data = dict(form.inputs)
        if "login" in data:
            data.update(login=login, password="any-password")  # noqa: S105 - the dev sign-in page
        response = browser.post(urljoin(response.url, form.action), data=data, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never redirected back to the application")
