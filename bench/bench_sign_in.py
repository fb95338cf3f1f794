"""Sign-in in the real browser: opening the URL until the form shows, and signing in until home.

Starts ``streamlit run app.py`` on a fresh demo database, opens it in headless Chromium in a new
browser context each time (no cookie), and prints the median of several tries beside the target.
``--root DIR`` times the app checked out in another folder (to compare with an older version).
Exits non-zero when a median misses its target; skips (exit 0) without Chromium or Playwright.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

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
TARGETS_S = {"form": 1.0, "form_again": 1.0, "home": 1.2}
COOKIE_KEY = "bench-cookie-key-that-is-long-enough-0123456789"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _demo_database(root: Path, folder: Path) -> str:
    url = f"sqlite:///{folder / 'bench-sign-in.db'}"
    env = dict(os.environ, DATABASE_URL=url)
    subprocess.run([sys.executable, "-m", "core", "demo"], cwd=root, env=env, check=True, capture_output=True)
    return url


def _start(root: Path, database_url: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=database_url, DIALOGDESK_COOKIE_KEY=COOKIE_KEY)
    env.pop("DIALOGDESK_LOGIN_SLEEP", None)  # the shipped default
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    process = subprocess.Popen(command, cwd=root, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"streamlit did not start:\n{log.read_text()}")


def measure(root: Path, *, tries: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    figures: dict[str, list[float]] = {"form": [], "home": [], "form_again": []}
    with tempfile.TemporaryDirectory() as folder:
        database_url = _demo_database(root, Path(folder))
        process, url = _start(root, database_url, Path(folder) / "streamlit.log")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                for attempt in range(tries + 1):
                    context = browser.new_context(viewport={"width": 1400, "height": 900})
                    page = context.new_page()
                    started = time.perf_counter()
                    page.goto(url)
                    page.get_by_role("button", name="Sign in").wait_for()
                    form = time.perf_counter() - started
                    page.get_by_label("Username").fill("lead")
                    page.get_by_label("Password", exact=True).fill("lead-demo-pass")
                    started = time.perf_counter()
                    page.get_by_role("button", name="Sign in").click()
                    page.get_by_text("Signed in as").wait_for()
                    home = time.perf_counter() - started
                    if attempt:  # the first try warms the server up (imports, caches)
                        figures["form"].append(form)
                        figures["home"].append(home)
                    context.close()
                # A returning visitor: the browser has the app's scripts cached, but no session.
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                page = context.new_page()
                for attempt in range(tries + 1):
                    context.clear_cookies()
                    started = time.perf_counter()
                    page.goto(url)
                    page.get_by_role("button", name="Sign in").wait_for()
                    if attempt:
                        figures["form_again"].append(time.perf_counter() - started)
                context.close()
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=10)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the app folder to time (default: this one)")
    parser.add_argument("--tries", type=int, default=5)
    args = parser.parse_args()
    try:
        import playwright  # noqa: F401
    except ImportError:
        print("skipped: playwright is not installed")
        return 0
    if not CHROMIUM.exists():
        print(f"skipped: {CHROMIUM} is missing")
        return 0
    figures = measure(args.root.resolve(), tries=args.tries)
    failed = False
    for name, label in (
        ("form", "URL opened → sign-in form (first visit, nothing cached)"),
        ("form_again", "URL opened → sign-in form (returning, scripts cached)"),
        ("home", "sign-in click → home"),
    ):
        median = statistics.median(figures[name])
        ok = median <= TARGETS_S[name]
        failed |= not ok
        runs = ", ".join(f"{v:.2f}" for v in figures[name])
        print(f"{label}: median {median:.2f} s (target ≤ {TARGETS_S[name]:.1f} s) {'ok' if ok else 'MISSED'}  [{runs}]")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
