"""The board's CSV export: formula cells neutralised, givers listed."""

from __future__ import annotations

import csv
import io

from core.ideas.files import export_csv
from db.models import Role
from tests.core.ideas.helpers import log


def test_the_export_neutralises_formulas_and_lists_givers(write, read, team):
    log(write, team[Role.editor], title='=HYPERLINK("http://evil")', handles="@ann, @bo")
    with read() as s:
        text = export_csv(session=s, actor=team[Role.analyst])
    header, row = text.splitlines()[:2]
    assert header.split(",")[:4] == ["id", "title", "description", "status"]
    assert "'=HYPERLINK" in row and "@ann, @bo" in row


def test_the_export_for_german_excel_keeps_names_with_spaces_and_commas_in_one_cell(write, team):
    log(write, team[Role.editor], title="Dunkelmodus; bitte", handles="Doc James, @Ann")
    with write() as s:
        text = export_csv(session=s, actor=team[Role.analyst], dialect="excel_de")
    assert text.startswith("\ufeff")
    row = next(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert (row["title"], row["givers"]) == ("Dunkelmodus; bitte", "Doc James, @Ann")
