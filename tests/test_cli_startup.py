"""A command loads only what it runs: the parser lists every command, but a command's services (the
worker, the demo, the KPI report, Alembic for a current database, the holiday calendars) are
imported when that command runs, in a new process as a script or a cron job starts it."""

import json
import subprocess
import sys

import pytest

from core import cli
from tests.conftest import ROOT

# Runs one command as ``python -m core`` would and writes the modules it loaded to standard error.
_PROBE = """
import json, sys
from core.cli import main
code = main(sys.argv[1:])
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
sys.exit(code)
"""

_WORKER = ("core.live", "uvicorn", "starlette")
_ELSEWHERE = ("core.demo", "core.import_batches", "core.sla.imports", "core.ideas.imports")


def _loaded(database_url: str, *args: str) -> tuple[str, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=ROOT,
        env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    modules = json.loads(done.stderr.rsplit("MODULES ", 1)[1])
    return done.stdout, set(modules)


def _under(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in packages))


def test_kpis_loads_neither_the_worker_nor_alembic_nor_the_holiday_calendars(database_url):
    out, modules = _loaded(database_url, "kpis", "--from", "2026-10-01", "--to", "2026-10-31", "--json")
    assert json.loads(out)  # the command did its work
    assert "core.kpis.report" in modules
    assert _under(modules, (*_WORKER, *_ELSEWHERE, "alembic", "holidays")) == []


def test_users_list_loads_no_kpi_report_and_no_worker(database_url):
    out, modules = _loaded(database_url, "users", "list")
    assert "No users yet" in out
    assert _under(modules, (*_WORKER, *_ELSEWHERE, "core.kpis.report", "alembic")) == []


def test_the_probe_sees_a_command_load_its_own_services(database_url):
    """The other checks can fail: the command that needs the worker's rooms does load them."""
    out, modules = _loaded(database_url, "tokens", "list")
    assert "No API tokens yet" in out
    assert "core.live.tokens" in modules


@pytest.mark.parametrize(
    "command", ["migrate", "demo", "backup", "users", "setup", "imports", "kpis", "worker", "tokens", "channels"]
)
def test_the_parser_still_lists_every_command_with_its_help(command):
    parser = cli.build_parser()
    listing = parser.format_help()
    commands = next(a for a in parser._actions if a.dest == "command")
    assert command in commands.choices
    helps = {c.dest: c.help for c in commands._choices_actions}
    assert helps[command] and helps[command] in " ".join(listing.split())
    assert commands.choices[command].format_help().startswith(f"usage: python -m core {command}")
