"""From an empty database to KPIs with the command line only, as a new team would start: the
example set-up file, then a multi-channel export written month/day/year, then ``kpis --json`` —
each a separate ``python -m core`` process, no Python call in between."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

# Two channels in one file (their names in any case), dates written month/day/year with one row
# (c3, the 25th) that settles the order, "@Ann" and "@ann" the same person, a display name with a
# space. Policies from the example file: questions 2 business hours (Mon–Fri 09–18 Berlin),
# complaints 60 minutes (Mon–Fri 08–20).
EXPORT = (
    "id,Received,Network,User,First reply,Type\n"
    "c1,03/02/2026 10:00,instagram,@Ann,03/02/2026 10:30,question\n"  # met (30 min)
    "c2,03/03/2026 09:15,TELEGRAM,@ann,03/03/2026 13:00,complaint\n"  # breached (225 min > 60)
    "c3,03/25/2026 11:00,Instagram,Doc James,,question\n"  # never answered: breached
    "c4,03/04/2026 16:00,telegram,Bo Li,03/04/2026 17:00,question\n"  # met (60 min)
    "c5,03/06/2026 12:00,Instagram,Bo Li,,praise\n"  # needs no reply
)


@pytest.fixture
def empty_database_url(backend, database_url, tmp_path) -> str:
    """PostgreSQL emptied by the fixture; SQLite a file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'fresh.db'}" if backend == "sqlite" else database_url


def core(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "core", *args],
        cwd=ROOT,
        env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_setup_then_import_then_kpis_from_an_empty_database(empty_database_url, tmp_path):
    url = empty_database_url
    example = str(ROOT / "docs" / "examples" / "workspace.toml")
    first = core(url, "setup", example)
    assert first.returncode == 0, first.stderr
    assert "created: channel 'Instagram'" in first.stdout and "created: policy 'Support hours'" in first.stdout
    again = core(url, "setup", example)  # idempotent
    assert again.returncode == 0, again.stderr
    assert "0 created, 0 changed" in again.stdout

    export = tmp_path / "export.csv"
    export.write_text(EXPORT, encoding="utf-8")
    mapping = "external_id=id,received=Received,channel=Network,author=User,replied=First reply,kind=Type"
    imported = core(url, "import-conversations", str(export), "--map", mapping, "--timezone", "Europe/Berlin")
    assert imported.returncode == 0, imported.stderr
    assert "month/day/year" in imported.stdout and "row 4" in imported.stdout  # row 4 has 03/25/2026
    assert "5 new" in imported.stdout

    kpis = core(url, "kpis", "--from", "2026-03-01", "--to", "2026-03-31", "--json")
    assert kpis.returncode == 0, kpis.stderr
    report = json.loads(kpis.stdout)
    assert report["previous_period"] == {"from": "2026-02-01", "to": "2026-02-28"}
    by_key = {k["key"]: k for k in report["kpis"]}
    sla = by_key["sla_share"]
    assert sla["counts"] == {"conversations": 5, "needing_reply": 4, "met": 2, "breached": 2}
    assert sla["value"] == 50.0
    assert sla["previous_counts"]["conversations"] == 0
    assert by_key["first_response_median"]["counts"]["answered"] == 3
    # "@Ann" and "@ann" are one person: new in March, back the next day.
    returns = by_key["returns_d7"]["counts"]
    assert returns == {"new_people": 3, "back_within_7_days": 2}
