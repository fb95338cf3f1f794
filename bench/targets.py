"""The targets of issue 15 and the checks of one bench result against them (pure).

Every figure a user waits for has a target; a result passes when every check does. Server times
are medians of the runs; the statement count is the most any run of the screen sent (at either
scale, cache empty, cached or after a save: "whatever the data size").
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass
from typing import Any

YEAR = "200k"
SMALL = "2k"

# Server time of a screen's run with the cache empty, at year scale, per backend.
EMPTY_MS = {"sqlite": 150.0, "postgresql": 200.0}
CACHED_MS = 50.0
GROWTH = 2.0  # cache empty, year / a hundredth of it
STATEMENTS = 40
FORM_MS = 1000.0
SIGN_IN_HOME_MS = 1200.0
SWITCH_MS = 600.0
CLI_MS = 500.0

BACKEND_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass(frozen=True)
class Check:
    backend: str  # sqlite, postgresql, or "scripts"
    subject: str  # a screen key, "browser", "cli" or a script name
    figure: str  # what was measured (a key of FIGURES)
    value: float | None  # None: not measured (counts as a miss, with ``note`` saying why)
    target: float | None  # None: shown, not gated
    note: str = ""

    @property
    def ok(self) -> bool:
        if self.target is None:
            return True
        if self.value is None:
            return False
        return self.value <= self.target

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"ok": self.ok}


# figure key -> (label, unit)
FIGURES: dict[str, tuple[str, str]] = {
    "empty_small": ("cache empty, 2k", "ms"),
    "empty": ("cache empty, year", "ms"),
    "cached": ("cached, year", "ms"),
    "growth": ("growth 2k → year, cache empty", "×"),
    "statements": ("SQL statements per view", ""),
    "after_save": ("after another user's save, year", "ms"),
    "switch": ("browser: page switch after cache expiry, year", "ms"),
    "form": ("browser: URL opened → sign-in form, year", "ms"),
    "sign_in_home": ("browser: sign-in → home, year", "ms"),
    "cli": ("kpis --json for a month, new process, year", "ms"),
    "exit": ("exit status", ""),
}


def median(values: list[float] | None) -> float | None:
    return statistics.median(values) if values else None


def screen_checks(backend: str, key: str, small: dict[str, Any] | None, year: dict[str, Any] | None) -> list[Check]:
    """The checks of one screen on one backend from its figures at both scales."""
    year, small = year or {}, small or {}
    failed = year.get("error") or small.get("error")
    if failed:
        return [Check(backend, key, "empty", None, EMPTY_MS[backend], note=f"failed: {failed}")]
    skipped = year.get("skipped") or small.get("skipped")
    if skipped:
        return [Check(backend, key, "empty", None, None, note=f"skipped: {skipped}")]
    empty_target = EMPTY_MS[backend]
    empty, empty_small = median(year.get("empty_ms")), median(small.get("empty_ms"))
    growth = empty / empty_small if empty is not None and empty_small else None
    counts = [
        max(figures[name])
        for figures in (small, year)
        for name in ("empty_statements", "cached_statements", "after_save_statements")
        if figures.get(name)
    ]
    checks = [
        Check(backend, key, "empty_small", empty_small, None),
        Check(backend, key, "empty", empty, empty_target, note="" if empty is not None else "not measured"),
        Check(backend, key, "cached", median(year.get("cached_ms")), CACHED_MS),
        Check(backend, key, "growth", growth, GROWTH, note="" if growth is not None else "needs both scales"),
        Check(backend, key, "statements", max(counts) if counts else None, STATEMENTS),
    ]
    # The first view after a save reads the stale domains afresh: no slower than an empty cache may be.
    after = median(year.get("after_save_ms"))
    if year.get("after_save_skipped"):
        checks.append(Check(backend, key, "after_save", None, None, note=f"skipped: {year['after_save_skipped']}"))
    else:
        checks.append(Check(backend, key, "after_save", after, empty_target))
    return checks


def browser_checks(backend: str, browser: dict[str, Any] | None, screens: list[str]) -> list[Check]:
    if not browser:
        return []
    if browser.get("skipped"):
        return [Check(backend, "browser", "form", None, FORM_MS, note=f"skipped: {browser['skipped']}")]
    checks = [
        Check(backend, "browser", "form", median(browser.get("form_ms")), FORM_MS),
        Check(backend, "browser", "sign_in_home", median(browser.get("sign_in_home_ms")), SIGN_IN_HOME_MS),
    ]
    switches = browser.get("switch_ms") or {}
    for key in screens:
        if browser.get("switch_skipped"):
            checks.append(Check(backend, key, "switch", None, None, note=f"skipped: {browser['switch_skipped']}"))
        elif key in switches:
            checks.append(Check(backend, key, "switch", median(switches[key]), SWITCH_MS))
    return checks


def cli_checks(backend: str, cli: dict[str, Any] | None) -> list[Check]:
    if not cli:
        return []
    if cli.get("skipped"):
        return [Check(backend, "cli", "cli", None, CLI_MS, note=f"skipped: {cli['skipped']}")]
    imports = median(cli.get("import_ms"))
    note = f"start-up, imports and exit {imports:.0f} ms of it (python -m core --help)" if imports is not None else ""
    return [Check(backend, "cli", "cli", median(cli.get("cli_ms")), CLI_MS, note=note)]


def evaluate(result: dict[str, Any]) -> list[Check]:
    """Every check of a bench result (the JSON the runner writes)."""
    checks: list[Check] = []
    for backend, figures in result.get("backends", {}).items():
        scales = figures.get("scales", {})
        small_screens = scales.get(SMALL, {}).get("screens", {})
        year_screens = scales.get(YEAR, {}).get("screens", {})
        keys = list(dict.fromkeys([*year_screens, *small_screens]))
        for key in keys:
            checks += screen_checks(backend, key, small_screens.get(key), year_screens.get(key))
        checks += browser_checks(backend, figures.get("browser"), keys or result.get("options", {}).get("screens", []))
        checks += cli_checks(backend, figures.get("cli"))
        for error in figures.get("errors", []):
            checks.append(Check(backend, error["part"], "exit", None, 0, note=error["message"]))
    for name, script in result.get("scripts", {}).items():
        checks.append(Check("scripts", name, "exit", float(script["returncode"]), 0.0))
    return checks


def misses(checks: list[Check]) -> list[Check]:
    return [c for c in checks if not c.ok]
