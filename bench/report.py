"""Printing bench results: one table per backend, a summary, and two results side by side."""

from __future__ import annotations

from typing import Any

from bench.targets import BACKEND_LABELS, FIGURES, Check, evaluate, misses

# The screen table's columns: figure key and its heading.
COLUMNS = (
    ("empty_small", "empty 2k"),
    ("empty", "empty year"),
    ("cached", "cached"),
    ("growth", "growth"),
    ("statements", "SQL"),
    ("after_save", "after save"),
    ("switch", "browser switch"),
)
SCREEN_FIGURES = {key for key, _ in COLUMNS}


def number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "×":
        return f"{value:.1f}×"
    if unit == "ms":
        return f"{value:,.0f} ms"
    return f"{value:,.0f}"


def target_text(check: Check) -> str:
    unit = FIGURES[check.figure][1]
    return "" if check.target is None else f"≤ {number(check.target, unit)}"


def cell(check: Check | None) -> str:
    if check is None:
        return ""
    text = number(check.value, FIGURES[check.figure][1])
    if check.target is None:
        return text
    return f"{text} {'ok' if check.ok else 'MISS'}"


def _grid(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append(
            "  ".join(text.ljust(widths[i]) if i == 0 else text.rjust(widths[i]) for i, text in enumerate(row))
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def backend_table(result: dict[str, Any], backend: str, checks: list[Check]) -> str:
    """The screens of one backend, one line each, every figure beside its target; then the rest."""
    mine = [c for c in checks if c.backend == backend]
    by_key = {(c.subject, c.figure): c for c in mine}
    screens = list(dict.fromkeys(c.subject for c in mine if c.figure in SCREEN_FIGURES))
    targets = {
        figure: next((target_text(c) for c in mine if c.figure == figure and c.target is not None), "")
        for figure, _ in COLUMNS
    }
    header = ["screen"] + [f"{title} {targets[figure]}".strip() for figure, title in COLUMNS]
    rows = [header] + [[key] + [cell(by_key.get((key, figure))) for figure, _ in COLUMNS] for key in screens]
    options = result.get("options", {})
    figures = result.get("backends", {}).get(backend, {})
    lines = [
        f"{BACKEND_LABELS.get(backend, backend)} — {figures.get('server', '')}".rstrip(" —"),
        f"server time of a full AppTest run signed in, median of {options.get('runs', '?')} runs "
        f"(after save: {options.get('after_save_runs', '?')}); SQL = most statements of any run; "
        f"AppTest alone costs {number(figures.get('apptest_floor_ms'), 'ms')} per run",
        _grid(rows) if screens else "(no screens measured)",
    ]
    for check in mine:
        if check.figure in SCREEN_FIGURES:
            continue
        label = FIGURES[check.figure][0]
        if check.subject == "cli" and figures.get("cli", {}).get("period"):
            label += " ({} … {})".format(*figures["cli"]["period"])
        target = f" (target {target_text(check)})" if check.target is not None else ""
        verdict = "" if check.target is None else (" ok" if check.ok else " MISS")
        note = f" — {check.note}" if check.note else ""
        lines.append(f"{label}: {number(check.value, FIGURES[check.figure][1])}{target}{verdict}{note}")
    notes = [c for c in mine if c.figure in SCREEN_FIGURES and c.note]
    lines += [f"note: {c.subject} {FIGURES[c.figure][0]}: {c.note}" for c in notes]
    expiry = figures.get("browser", {}).get("switch_expiry")
    if expiry:
        lines.append(f"browser switch: {expiry}")
    writes = {
        key: s.get("after_save_write")
        for key, s in figures.get("scales", {}).get("200k", {}).get("screens", {}).items()
    }
    if any(writes.values()):
        lines.append("after save = " + "; ".join(f"{k}: {w}" for k, w in writes.items() if w))
    return "\n".join(lines)


def summary(result: dict[str, Any], checks: list[Check]) -> str:
    missed = misses(checks)
    gated = [c for c in checks if c.target is not None]
    lines = [f"Summary: {len(missed)} of {len(gated)} checked figures miss their target."]
    for backend in list(result.get("backends", {})) + (["scripts"] if result.get("scripts") else []):
        mine = [c for c in missed if c.backend == backend]
        label = BACKEND_LABELS.get(backend, backend)
        if not mine:
            lines.append(f"  {label}: every figure meets its target.")
            continue
        items = ", ".join(
            f"{c.subject} {FIGURES[c.figure][0]} {number(c.value, FIGURES[c.figure][1])}"
            + (f" ({c.note})" if c.note and c.value is None else "")
            for c in mine
        )
        lines.append(f"  {label}: {len(mine)} missed — {items}")
    machine = result.get("machine", {})
    if machine:
        lines.append(
            f"  machine: {machine.get('cpus')} CPUs, nice {machine.get('nice')}, load {machine.get('load_before')} at the start, "
            f"{machine.get('load_after')} at the end; {result.get('checkout', '')}"
        )
    return "\n".join(lines)


def full_report(result: dict[str, Any]) -> tuple[str, list[Check]]:
    checks = evaluate(result)
    parts = [backend_table(result, backend, checks) for backend in result.get("backends", {})]
    scripts = result.get("scripts", {})
    if scripts:
        parts.append(
            "Other benches: "
            + ", ".join(
                f"{name} {'ok' if s['returncode'] == 0 else 'MISS (exit ' + str(s['returncode']) + ')'}"
                for name, s in scripts.items()
            )
        )
    parts.append(summary(result, checks))
    return "\n\n".join(parts), checks


def compare(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Two results side by side: every figure either has, with its target and the ratio B / A."""
    left = {(c.backend, c.subject, c.figure): c for c in evaluate(a)}
    right = {(c.backend, c.subject, c.figure): c for c in evaluate(b)}
    keys = list(dict.fromkeys([*left, *right]))
    name_a, name_b = a.get("label", "A"), b.get("label", "B")
    rows = [["backend", "screen / part", "figure", name_a, name_b, "B / A", "target"]]
    for key in keys:
        ca, cb = left.get(key), right.get(key)
        some = cb or ca
        assert some is not None
        ratio = ""
        if ca and cb and ca.value and cb.value is not None:
            ratio = f"{cb.value / ca.value:.2f}"
        rows.append(
            [
                BACKEND_LABELS.get(key[0], key[0]),
                key[1],
                FIGURES[key[2]][0],
                cell(ca) if ca else "—",
                cell(cb) if cb else "—",
                ratio,
                target_text(some),
            ]
        )
    head = f"A = {name_a} ({a.get('checkout', '?')}, {a.get('started_at', '?')})\nB = {name_b} ({b.get('checkout', '?')}, {b.get('started_at', '?')})"
    return head + "\n\n" + _grid(rows)
