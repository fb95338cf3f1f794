"""Browser tests: the real app (`streamlit run`) in headless Chromium, driven by Playwright.

One server with the demo workspace serves the module's tests (``live_app``); tests that need a
server nobody has visited yet start their own (``start_app``). Under CI=true a missing Chromium
or Playwright fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core import demo
from core.settings import load_settings
from db.engine import make_engine, write_session
from db.migrate import upgrade_to_head
from tests.conftest import ROOT, TEST_COOKIE_KEY, require_or_skip

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@dataclass
class LiveApp:
    url: str
    database_url: str
    process: subprocess.Popen

    def page_url(self, key: str) -> str:
        return self.url if key == "home" else f"{self.url}/{key}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(path: Path, *, with_demo: bool = True) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    if with_demo:
        with write_session(engine) as session:
            demo.load_demo(session, password_rounds=4)
    engine.dispose()
    return url


def start_app(database_url: str, log_path: Path) -> LiveApp:
    """Start `streamlit run app.py` on a free port and wait until it answers."""
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=database_url, DIALOGDESK_COOKIE_KEY=TEST_COOKIE_KEY)
    log = open(log_path, "w")  # noqa: SIM115  (closed with the process)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return LiveApp(url=url, database_url=database_url, process=process)
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"streamlit did not answer within 60 s:\n{log_path.read_text()}")


def stop_app(app: LiveApp) -> None:
    app.process.terminate()
    try:
        app.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        app.process.kill()


@pytest.fixture(scope="session")
def playwright_browser():
    require_or_skip(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        require_or_skip(False, "playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_app(tmp_path_factory) -> Iterator[LiveApp]:
    """One running app on a temp SQLite database holding the demo workspace."""
    require_or_skip(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("live")
    app = start_app(prepare_database(folder / "live.db"), folder / "streamlit.log")
    yield app
    stop_app(app)


# Streamlit answers a click or a key with a rerun a moment later. ``wait_for_app`` must not take
# the quiet moment before that rerun for its end: the page notes when the user last acted and
# when a script run last started, and the wait holds until a run started after the last action
# (or a second passed without one: the action started none).
_RUN_WATCH = """
window.__ddRuns = {input: 0, run: 0};
for (const kind of ['pointerdown', 'keydown', 'input', 'change']) {
    document.addEventListener(kind, () => { window.__ddRuns.input = performance.now(); }, true);
}
new MutationObserver((changes) => {
    for (const change of changes) {
        if (change.target.dataset && change.target.dataset.testScriptState === 'running') {
            window.__ddRuns.run = performance.now();
        }
    }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
"""


def new_context(browser, *, width: int = 1400, height: int = 1000):
    """A browser context whose pages ``wait_for_app`` can follow (see ``_RUN_WATCH``)."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(30_000)
    context.add_init_script(_RUN_WATCH)
    return context


@pytest.fixture
def page(playwright_browser):
    context = new_context(playwright_browser)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, app: LiveApp, username: str, password: str | None = None, *, at: str = "home") -> None:
    """Sign in through the real form and wait for the signed-in sidebar."""
    page.goto(app.page_url(at))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password or demo.demo_password(username))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()
    wait_for_session_cookie(page)


def wait_for_session_cookie(page, timeout_s: float = 30) -> None:
    """Wait until the browser holds the session cookie and the component that wrote it has left
    the page (it writes the cookie after the page is drawn, then reruns the script twice)."""
    deadline = time.monotonic() + timeout_s
    name = load_settings({}).cookie_name
    while not [c for c in page.context.cookies() if c["name"] == name]:
        if time.monotonic() > deadline:
            raise AssertionError("the session cookie was never stored")
        page.wait_for_timeout(50)
    page.locator('iframe[title$="cookie_manager"]').first.wait_for(state="detached", timeout=timeout_s * 1000)
    wait_for_app(page)


def wait_for_app(page, timeout_ms: int = 60_000) -> None:
    """Wait until Streamlit is connected and has finished the current script run.

    It reads the run state the app root carries (`data-test-script-state`, as Streamlit's own
    browser tests do) instead of waiting for the network to go quiet: a busy machine can keep a
    component's requests going long after the script has finished.
    """
    page.wait_for_load_state("load")
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            if (!app || app.dataset.testConnectionState !== 'CONNECTED'
                || app.dataset.testScriptState !== 'notRunning') {
                return false;
            }
            const runs = window.__ddRuns;
            return !runs || runs.run >= runs.input || performance.now() - runs.input > 1000;
        }""",
        timeout=timeout_ms,
        polling=50,
    )
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=30_000)
    # Elements of the previous run linger, marked stale, until the new run replaces them.
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=30_000)


def assert_no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]'
    ).first.inner_text()
