"""``make bench``: every figure users wait for, beside its target; exits 1 when one misses.

    python -m bench [--quick] [--only sla,kpis,browser,cli,scripts] [--backends sqlite,postgresql]
                    [--label NAME] [--against DIR [--python PY]]

1. Builds (or reuses) the generated year at 2k and 200k conversations (``bench.year``).
2. For each backend — SQLite, and PostgreSQL when ``BENCH_DATABASE_URL`` or ``TEST_DATABASE_URL``
   names a server (a database of its own is created there and dropped after) — and each scale, a
   fresh process measures every screen in AppTest (``bench.screens``); at year scale also the real
   browser (``bench.browser``) and ``python -m core kpis --json`` (``bench.cli_kpis``).
3. Runs the other benches, ``bench/bench_*.py`` (business time, imports, the loop's core reads):
   each prints its own figures and fails on its own targets.
4. Prints one table per backend and a summary, writes everything to ``bench/results/*.json``
   (``python -m bench.compare A B`` prints two of them side by side) and exits 1 on any miss.

``--only`` takes screen keys (home, calendar, ideas, sla, loop, kpis, admin, profile) and parts
(screens, browser, cli, scripts); screens alone means the AppTest figures of those screens.
``--against DIR`` measures another checkout (e.g. the code before this release) with this bench:
its tree is copied to a temporary folder, this bench is put into the copy, and its own Python
(``--python``, default ``DIR/.venv/bin/python``) runs the measurements on the same generated data,
copied into that checkout's schema.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import databases  # noqa: E402
from bench.screens import SCREEN_KEYS  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PARTS = ("screens", "browser", "cli", "scripts")


def log(line: str) -> None:
    print(line, flush=True)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (3 instead of 7), for iterating")
    parser.add_argument("--only", default=os.environ.get("BENCH_ONLY") or os.environ.get("BENCH_SCREENS") or "")
    parser.add_argument("--backends", default="", help="sqlite,postgresql (default: both when a server is set)")
    parser.add_argument("--label", default="", help="a name for this result (default: the checkout's commit)")
    parser.add_argument("--against", type=Path, help="measure the checkout in this folder instead")
    parser.add_argument("--python", type=Path, help="its Python (default DIR/.venv/bin/python)")
    parser.add_argument("--runs", type=int, help="runs per screen (default 7, --quick 3)")
    parser.add_argument("--tries", type=int, help="tries per browser figure (default 5, --quick 2)")
    return parser.parse_args(argv)


def choose(only: str) -> tuple[list[str], list[str], list[str]]:
    """(screens, parts, unknown words) from ``--only``."""
    words = [w.strip() for w in only.replace(" ", ",").split(",") if w.strip()]
    unknown = [w for w in words if w not in SCREEN_KEYS and w not in PARTS]
    screens = [w for w in words if w in SCREEN_KEYS] or list(SCREEN_KEYS)
    parts = [w for w in words if w in PARTS]
    if not parts:
        parts = ["screens"] if any(w in SCREEN_KEYS for w in words) else list(PARTS)
    return screens, parts, unknown


def checkout_label(root: Path) -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    return f"{commit}{' + changes' if dirty else ''}"


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def prepare_against(folder: Path, target: Path) -> Path:
    """A copy of the checkout in ``folder`` with this bench in it; the copy's root."""
    ignore = shutil.ignore_patterns(".git", ".venv*", "__pycache__", ".cache", "results", "data", "*.pyc")
    shutil.copytree(folder, target, ignore=ignore, symlinks=True)
    (target / "bench").mkdir(exist_ok=True)
    for path in (ROOT / "bench").glob("*.py"):
        if not path.name.startswith("bench_"):  # the other benches are the checkout's own
            shutil.copyfile(path, target / "bench" / path.name)
    return target


class Runner:
    def __init__(self, args: argparse.Namespace, root: Path, python: Path, work: Path):
        self.args = args
        self.root = root
        self.python = python
        self.work = work
        self.runs = args.runs or (3 if args.quick else 7)
        self.after_save_runs = max(2, self.runs - 2)
        self.tries = args.tries or (2 if args.quick else 5)

    def measure(self, command: str, url: str, *extra: str) -> dict[str, Any]:
        """One ``bench.measure`` process in the measured checkout; its JSON figures."""
        out = self.work / f"{command}-{time.monotonic_ns()}.json"
        self.run_measure([command, "--url", url, "--out", str(out), *extra], what=f"bench.measure {command}")
        return json.loads(out.read_text())

    def run_measure(self, arguments: list[str], *, what: str) -> None:
        """Run ``bench.measure`` in the measured checkout, echoing its progress lines as they come."""
        argv = [str(self.python), "-m", "bench.measure", *arguments]
        process = subprocess.Popen(
            argv, cwd=self.root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1
        )
        assert process.stderr is not None
        tail: list[str] = []
        try:
            for line in process.stderr:
                if line.startswith("  "):
                    log(line.rstrip())
                tail = (tail + [line.rstrip()])[-15:]
        finally:
            if process.poll() is None and sys.exc_info()[0] is not None:
                process.terminate()
        if process.wait() != 0:
            raise MeasureError(f"{what} failed:\n" + "\n".join(tail))

    def load(self, source: Path, url: str) -> None:
        self.run_measure(["load", "--source", str(source), "--url", url], what="loading the year")

    def backend(self, backend: str, years: dict[str, Path], screens: list[str], parts: list[str]) -> dict[str, Any]:
        from bench.cli_kpis import last_full_month
        from bench.year import local_today

        figures: dict[str, Any] = {"scales": {}, "errors": []}
        server = databases.server_url()
        for scale, source in years.items():
            log(f"{backend}, {scale}:")
            with ExitStack() as stack:
                if backend == "sqlite":
                    url = f"sqlite:///{self.work / f'{backend}-{scale}.db'}"
                    stack.callback(databases.remove_sqlite, url)
                    figures["server"] = "SQLite (WAL), a file on local disk"
                else:
                    assert server is not None
                    url = stack.enter_context(databases.postgres_database(server, label=scale))
                    figures["server"] = postgres_version(server)
                try:
                    started = time.perf_counter()
                    self.load(source, url)
                    log(f"  year loaded in {time.perf_counter() - started:.0f} s")
                    if "screens" in parts:
                        measured = self.measure(
                            "screens",
                            url,
                            "--screens",
                            ",".join(screens),
                            "--runs",
                            str(self.runs),
                            "--after-save-runs",
                            str(self.after_save_runs),
                        )
                        figures["scales"][scale] = measured
                        figures["apptest_floor_ms"] = measured.get("apptest_floor_ms")
                    if scale != "200k":
                        continue
                    if "browser" in parts:
                        figures["browser"] = self.measure(
                            "browser", url, "--screens", ",".join(screens), "--tries", str(self.tries)
                        )
                    if "cli" in parts:
                        start, end = last_full_month(local_today(dt.datetime.now(dt.UTC)))
                        figures["cli"] = self.measure(
                            "cli", url, "--start", str(start), "--end", str(end), "--runs", str(self.tries)
                        )
                except MeasureError as error:
                    log(f"  FAILED: {error}")
                    figures["errors"].append({"part": f"{scale} measurements", "message": str(error)})
        return figures


class MeasureError(RuntimeError):
    pass


def postgres_version(server: str) -> str:
    from sqlalchemy import create_engine

    engine = create_engine(server)
    try:
        with engine.connect() as connection:
            version = connection.exec_driver_sql("SHOW server_version").scalar()
            jit = connection.exec_driver_sql("SHOW jit").scalar()
            buffers = connection.exec_driver_sql("SHOW shared_buffers").scalar()
    finally:
        engine.dispose()
    return f"PostgreSQL {version}, jit {jit}, shared_buffers {buffers}, local socket over TCP"


def run_scripts(log_to) -> dict[str, dict[str, Any]]:
    """Every ``bench/bench_*.py`` of this checkout; each prints its figures and sets its exit status."""
    results = {}
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        log_to(f"== {script.name}")
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True)
        output = (done.stdout + ("\n" + done.stderr if done.returncode else "")).strip()
        for line in output.splitlines():
            log_to(f"  {line}")
        results[script.name] = {
            "returncode": done.returncode,
            "output": output[-5000:],
            "seconds": round(time.perf_counter() - started, 1),
        }
    return results


def main(argv: list[str] | None = None) -> int:
    # Stopped from outside (kill, make interrupted): leave through the context managers, so the
    # PostgreSQL database and the working copies are removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = parse(argv)
    screens, parts, unknown = choose(args.only)
    if unknown:
        print(
            f"--only: unknown {', '.join(unknown)}; use screens ({', '.join(SCREEN_KEYS)}) or parts ({', '.join(PARTS)})"
        )
        return 2
    backends = [b for b in args.backends.split(",") if b] or ["sqlite"] + (
        ["postgresql"] if databases.server_url() else []
    )
    if "postgresql" in backends and not databases.server_url():
        print("PostgreSQL asked for, but neither BENCH_DATABASE_URL nor TEST_DATABASE_URL is set.")
        return 2
    from bench.year import SCALES, year_file

    started_at = dt.datetime.now(dt.UTC)
    result: dict[str, Any] = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "options": {
            "quick": args.quick,
            "runs": 0,
            "after_save_runs": 0,
            "tries": 0,
            "screens": screens,
            "parts": parts,
        },
        "machine": {"cpus": os.cpu_count(), "nice": os.nice(0), "load_before": load_average()},
        "backends": {},
    }
    with tempfile.TemporaryDirectory(prefix="dd-bench-") as folder:
        work = Path(folder)
        root, python = ROOT, Path(sys.executable)
        if args.against:
            root = prepare_against(args.against.resolve(), work / "checkout")
            python = (args.python or args.against / ".venv" / "bin" / "python").absolute()
        result["checkout"] = checkout_label(args.against or ROOT)
        result["label"] = args.label or result["checkout"]
        runner = Runner(args, root, python, work)
        result["options"] |= {"runs": runner.runs, "after_save_runs": runner.after_save_runs, "tries": runner.tries}
        log(
            f"bench of {result['checkout']} ({root}), backends {', '.join(backends)}, load {result['machine']['load_before']}"
        )
        if any(p in parts for p in ("screens", "browser", "cli")):
            years = {name: year_file(name) for name in (["2k", "200k"] if "screens" in parts else ["200k"])}
            assert set(years) <= set(SCALES)
            for backend in backends:
                result["backends"][backend] = runner.backend(backend, years, screens, parts)
        if "scripts" in parts and not args.against:
            result["scripts"] = run_scripts(log)
    result["machine"]["load_after"] = load_average()
    result["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    from bench.report import full_report

    text, checks = full_report(result)
    result["checks"] = [c.as_dict() for c in checks]
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{started_at:%Y%m%d-%H%M%S}-{result['label'].replace(' ', '_').replace('+', '')}.json"
    path.write_text(json.dumps(result, indent=1))
    print()
    print(text)
    print(f"\nresults: {path.relative_to(ROOT)}")
    return 1 if any(not c.ok for c in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
