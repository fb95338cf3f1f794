"""The board's CSV export: formula cells neutralised, givers listed."""

from __future__ import annotations

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
