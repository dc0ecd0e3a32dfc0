"""Browser tests: Playwright driving Debian's chromium against a live server in this process.

A missing /usr/bin/chromium fails them with the command that installs it (``bin/setup --test``
installs it when run as root).
"""

from __future__ import annotations

import functools
import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms import create_app
from tests.conftest import make_test_config

CHROMIUM = os.environ.get("LMS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 3}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
EXPECTED_HTTP_ERROR = re.compile(r"^(Failed to load resource: the server responded with a status of 4\d\d"
                                 r"|Response Status Error Code 4\d\d from )")  # htmx's own report of it
# axe-core, vendored from the npm registry (`npm pack axe-core@4`; MPL-2.0, see vendor/axe-*.LICENSE).
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
# The impacts that fail a test; LMS_AXE_IMPACTS=minor,moderate,serious,critical shows everything.
AXE_IMPACTS = tuple(os.environ.get("LMS_AXE_IMPACTS", "serious,critical").split(","))


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.committed)  # the live server's threads have their own connections


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found: apt-get install -y chromium (bin/setup --test does it as root)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, **DESKTOP}


@pytest.fixture(scope="session")
def live_app(app, database_url, redis_url, tmp_path_factory):
    """The app as a browser sees it: CSRF on, same database as the test helpers."""
    return create_app(make_test_config(database_url, redis_url, WTF_CSRF_ENABLED=True,
                                       STORAGE_DIR=app.config["STORAGE_DIR"]))


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


class PageWatcher:
    """Collects console errors, page errors and CSP violations of one page."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def _console(self, msg):
        # Chrome logs every 4xx answer; expected ones (validation 422, a checked 404) are not errors.
        if msg.type == "error" and not EXPECTED_HTTP_ERROR.search(msg.text):
            self.errors.append(msg.text)

    def assert_clean(self):
        assert self.errors == [], f"console errors: {self.errors}"

    def assert_no_horizontal_scroll(self):
        overflow = self.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"page scrolls horizontally by {overflow}px at {self.page.viewport_size}"


def _open(browser, options):
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page, PageWatcher(page)


@pytest.fixture
def phone(browser):
    context, page, watcher = _open(browser, PHONE)
    page.watcher = watcher
    yield page
    context.close()
    watcher.assert_clean()


@pytest.fixture
def desktop(browser):
    context, page, watcher = _open(browser, DESKTOP)
    page.watcher = watcher
    yield page
    context.close()
    watcher.assert_clean()


def sign_in(page, base_url: str, email: str, password: str):
    page.goto(f"{base_url}/auth/login")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.fixture
def open_page(browser):
    """More pages in their own browser contexts (another person on another device):
    ``open_page(PHONE)``; each is watched like ``phone``/``desktop`` and closed after the test."""
    opened = []

    def open_(options=DESKTOP):
        context, page, watcher = _open(browser, options)
        page.watcher = watcher
        opened.append((context, watcher))
        return page

    yield open_
    for context, _watcher in opened:
        context.close()
    for _context, watcher in opened:
        watcher.assert_clean()


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def assert_accessible(page, *, exclude_rules: tuple[str, ...] = ()):
    """Run axe-core on the page as it is now; fail on any serious or critical violation
    (``AXE_IMPACTS``). ``exclude_rules`` is only for a genuine false positive, explained in a
    comment where it is used.

    The app's CSP (script-src 'self') refuses an injected <script> (``add_script_tag`` would
    also log a CSP violation the PageWatcher reports), so axe's source is evaluated through the
    DevTools protocol (``page.evaluate``), which CSP does not govern; the page keeps its policy.
    """
    # Check the page a user would read: no htmx request, swap or CSS transition half-way
    # (a fading "Working…" indicator has, for a moment, too little contrast).
    page.wait_for_function("""() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')
        && document.getAnimations().every(a => !(a instanceof CSSTransition) || a.playState !== 'running')""")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    violations = page.evaluate(
        """async (disabled) => {
            const rules = Object.fromEntries(disabled.map(id => [id, {enabled: false}]));
            const result = await window.axe.run(document, {resultTypes: ["violations"], rules});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 200),
                                          summary: n.failureSummary}))}));
        }""", list(exclude_rules))
    serious = [v for v in violations if v["impact"] in AXE_IMPACTS]
    if serious:
        lines = [f"axe: {len(serious)} violation(s) ({'/'.join(AXE_IMPACTS)}) on {page.url}"]
        for v in serious:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
            for node in v["nodes"][:5]:
                lines.append(f"    {node['target']}: {node['html']}\n      {node['summary']}")
        raise AssertionError("\n".join(lines))
