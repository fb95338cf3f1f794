"""What users wait for in the real browser: ``streamlit run`` on the generated year, headless
Chromium driven by Playwright.

- **sign-in form**: a new browser context (nothing cached, no cookie) opens the URL; the time
  from the start of the navigation until the form's "Sign in" button is in the page;
- **sign-in → home**: the click on "Sign in" until the run it starts has finished with home drawn;
- **page switch after cache expiry**: signed in, another user saves in the workspace domain
  (every screen reads it, so every cached read is stale, as after an expiry), then a click on the
  screen's sidebar link until its run has finished.

Times are taken with the page's own clock (``performance.now()``): a MutationObserver notes
when the app's script state (``data-test-script-state``) changes, so Playwright's polling adds
nothing. The first try of each figure warms the server up and is not recorded.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import compat
from bench.screens import SCREENS, quiet

ROOT = Path(__file__).resolve().parent.parent
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
USER = "lead"  # sees every screen

# Notes each change of the script state with the page clock and the h1 shown at that moment,
# and when a "Sign in" button first appears.
OBSERVER = """
(() => {
  const log = (window.__dd = { states: [], marks: {} });
  const h1 = () => (document.querySelector('[data-testid="stMain"] h1, h1') || {}).innerText || "";
  const check = (records) => {
    const now = performance.now();
    for (const record of records || []) {
      if (record.type !== "attributes") continue;
      if (record.oldValue) log.states.push({ s: "from:" + record.oldValue, t: now, h: "" });
      log.states.push({ s: record.target.getAttribute("data-test-script-state"), t: now, h: h1() });
    }
    if (!("form" in log.marks)) {
      for (const button of document.querySelectorAll("button")) {
        if (button.innerText.trim() === "Sign in") { log.marks.form = now; break; }
      }
    }
  };
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, attributes: true, attributeOldValue: true,
    attributeFilter: ["data-test-script-state"],
  });
})();
"""

# The page-clock time of the first finished run that started after ``t0`` (null until then).
FINISHED_AFTER = """
([t0]) => {
  const states = window.__dd.states;
  let started = false;
  for (const entry of states) {
    if (entry.t < t0) continue;
    if (entry.s === "running" || entry.s === "from:running") started = true;
    else if (started && entry.s === "notRunning") return { t: entry.t, h: entry.h };
  }
  return null;
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# A server that has imported the app's modules already, as one that has served for a while has:
# restarting it empties every cache without making the next page pay for its first imports.
PRELOAD = """
import importlib, pkgutil, sys
import ui
for module in pkgutil.iter_modules(ui.__path__):
    try:
        importlib.import_module("ui." + module.name)
    except Exception:
        pass
sys.argv = ["streamlit", *sys.argv[1:]]
from streamlit.web.cli import main
main()
"""


def start_server(database_url: str, log: Path, *, preload: bool = False) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=database_url, DIALOGDESK_COOKIE_KEY=compat.COOKIE_KEY)
    env.pop("DIALOGDESK_LOGIN_SLEEP", None)  # the shipped default
    command = [sys.executable, "-c", PRELOAD] if preload else [sys.executable, "-m", "streamlit"]
    command += ["run", "app.py", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    command += ["--server.fileWatcherType", "none"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"streamlit did not start:\n{log.read_text()[-3000:]}")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _finished_after(page, t0: float, what: str, timeout_ms: int = 60_000) -> dict[str, Any]:
    handle = page.wait_for_function(FINISHED_AFTER, arg=[t0], timeout=timeout_ms, polling=20)
    finished = handle.json_value()
    if not finished:
        raise RuntimeError(f"{what}: no finished run")
    return finished


def _settle(page, quiet_ms: int = 400, timeout_s: float = 30) -> None:
    """Wait until no run has started or finished for ``quiet_ms`` (the cookie component's reruns)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = page.evaluate(
            "() => { const s = window.__dd.states; const last = s[s.length - 1];"
            " return { idle: performance.now() - (last ? last.t : 0),"
            " state: document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state') }; }"
        )
        if state["state"] == "notRunning" and state["idle"] >= quiet_ms:
            return
        page.wait_for_timeout(100)
    raise RuntimeError("the app never came to rest")


def _sign_in(page, url: str) -> tuple[float, float]:
    """(form visible, sign-in → home) in ms for a fresh context."""
    page.goto(url)
    form = page.wait_for_function("() => window.__dd.marks.form ?? null", timeout=60_000, polling=20).json_value()
    page.get_by_label("Username").fill(USER)
    page.get_by_label("Password", exact=True).fill(compat.BENCH_PASSWORD)
    _settle(page, quiet_ms=200)
    t0 = page.evaluate("performance.now()")
    page.get_by_role("button", name="Sign in").click()
    finished = _finished_after(page, t0, "sign-in → home")
    if "Dialog Desk" not in finished["h"]:
        page.get_by_role("heading", name="Dialog Desk", exact=True).wait_for(timeout=30_000)
    return form, finished["t"] - t0


def _labels() -> dict[str, str]:
    from ui.frame import PAGES

    return {key: page.label for key, page in PAGES.items()}


def _switch(page, label: str) -> float:
    link = page.locator('[data-testid="stSidebar"]').get_by_role("link", name=label, exact=True)
    t0 = page.evaluate("performance.now()")
    link.click()
    finished = _finished_after(page, t0, f"switch to {label}")
    return finished["t"] - t0


def expiry_mode(expire: compat.Save | str) -> str:
    """How the cache expires before a page switch: another user's save ("write", when the
    checkout's saves reach every server process through the database) or a restarted server
    with its modules imported ("restart": the legacy layout clears caches only inside the
    process that saved). ``BENCH_SWITCH_EXPIRY`` chooses one for a like-for-like comparison."""
    wanted = os.environ.get("BENCH_SWITCH_EXPIRY", "")
    can_write = not isinstance(expire, str) and not expire.clears_every_cache
    if wanted == "restart" or not can_write:
        return "restart"
    return "write"


def measure(database_url: str, *, screens: list[str], tries: int, log: Callable[[str], None]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        return {"skipped": f"{CHROMIUM} is missing"}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "playwright is not installed"}
    quiet()
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DIALOGDESK_COOKIE_KEY", compat.COOKIE_KEY)
    figures: dict[str, Any] = {"form_ms": [], "sign_in_home_ms": [], "switch_ms": {}}
    expire = compat.saver_for("admin", database_url=database_url, username="lead", viewer=USER)
    mode = expiry_mode(expire)
    labels = _labels()
    chosen = [s for s in SCREENS if s.key in screens and s.key in compat.available_screens() and s.key in labels]
    with tempfile.TemporaryDirectory() as folder:
        server_log = Path(folder) / "streamlit.log"
        server = [start_server(database_url, server_log)]
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                for attempt in range(tries + 1):
                    context = browser.new_context(viewport={"width": 1400, "height": 900})
                    context.add_init_script(OBSERVER)
                    page = context.new_page()
                    form, home = _sign_in(page, server[0][1])
                    if attempt:
                        figures["form_ms"].append(form)
                        figures["sign_in_home_ms"].append(home)
                    if attempt < tries:
                        context.close()
                log(
                    f"  browser: form {_median(figures['form_ms'])} · sign-in → home {_median(figures['sign_in_home_ms'])}"
                )
                _settle(page)
                if mode == "write":
                    assert not isinstance(expire, str)
                    figures["switch_expiry"] = f"another user's save before each switch — {expire.description}"
                else:
                    figures["switch_expiry"] = (
                        "a restarted server (modules imported, every cache empty) before each switch"
                    )
                for screen in chosen:
                    away = labels["calendar" if screen.key == "home" else "home"]
                    timings = []
                    for attempt in range(tries + 1):
                        if mode == "restart":
                            stop_server(server[0][0])
                            server[0] = start_server(database_url, server_log, preload=True)
                            page.goto(server[0][1])  # signed in again by the session cookie
                            page.get_by_text("Signed in as").wait_for(timeout=60_000)
                            _settle(page, quiet_ms=300)
                            if screen.key == "home":
                                _switch(page, away)
                                _settle(page, quiet_ms=150)
                        else:
                            _switch(page, away)
                            _settle(page, quiet_ms=150)
                            assert not isinstance(expire, str)
                            expire.run()
                        ms = _switch(page, labels[screen.key])
                        page.get_by_role("heading", name=screen.title).first.wait_for(timeout=30_000)
                        _settle(page, quiet_ms=150)
                        if attempt:
                            timings.append(ms)
                    figures["switch_ms"][screen.key] = timings
                    log(f"  browser: switch to {screen.key:<9} after expiry ({mode}) {_median(timings)}")
                if not isinstance(expire, str):
                    expire.close()
                browser.close()
        finally:
            stop_server(server[0][0])
    return figures


def _median(values: list[float]) -> str:
    import statistics

    return f"{statistics.median(values):.0f} ms" if values else "—"
