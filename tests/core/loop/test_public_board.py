"""The public idea board export: public fields only, every text escaped, self-contained."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from core.loop import public_board
from core.loop.items import create_loop_item
from core.permissions import CLI_ACTOR
from db.models import IdeaGiver, IdeaStatus, LoopItemCreate, Role
from tests.factories import make_channel, make_idea, make_user

UTC = dt.UTC
TODAY = dt.date(2026, 3, 18)
INTERNAL = (
    "INTERNAL-DESCRIPTION",
    "INTERNAL-REASON",
    "internal.example",
    "Ingrid Internal",
    "@secret_handle",
    "ingrid",
)


class _Sections(HTMLParser):
    """The text of each <section id=…>, and every tag and attribute seen."""

    def __init__(self):
        super().__init__()
        self.sections: dict[str, str] = {}
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self._current: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes |= {name for name, _ in attrs}
        if tag == "section":
            self._current = dict(attrs)["id"]
            self.sections[self._current] = ""

    def handle_endtag(self, tag):
        if tag == "section":
            self._current = None

    def handle_data(self, data):
        if self._current:
            self.sections[self._current] += data


@pytest.fixture
def board_html(write, read):
    with write() as s:
        lead = make_user(s, Role.lead, name="Ingrid Internal", username="ingrid")
        channel = make_channel(s)
        internal = {
            "description": "INTERNAL-DESCRIPTION",
            "status_reason": "INTERNAL-REASON",
            "source_url": "https://internal.example/t/1",
            "logged_by_id": lead.id,
            "impact": 5,
            "cost": 1,
        }
        planned = make_idea(
            s,
            title="<script>alert('x')</script> Dark mode",
            status=IdeaStatus.planned,
            category="mobile & app",
            **internal,
        )
        make_idea(s, title="Widgets", status=IdeaStatus.in_progress, category="mobile app", **internal)
        shipped = make_idea(
            s,
            title="Export as Excel",
            status=IdeaStatus.shipped,
            category="export",
            shipped_at=dt.datetime(2026, 3, 2, 9, tzinfo=UTC),
            **internal,
        )
        make_idea(s, title="Declined thing", status=IdeaStatus.declined, **internal)
        make_idea(s, title="Brand new thing", status=IdeaStatus.new)
        make_idea(s, title="Merged duplicate", status=IdeaStatus.planned, merged_into_id=planned.id)
        make_idea(
            s, title="Shipped long ago", status=IdeaStatus.shipped, shipped_at=dt.datetime(2024, 1, 5, 9, tzinfo=UTC)
        )
        for handle in ("@secret_handle", "@other"):
            s.add(IdeaGiver(idea_id=planned.id, handle=handle, channel_id=channel.id))
        s.add(IdeaGiver(idea_id=shipped.id, handle="@secret_handle", channel_id=channel.id))
        s.flush()
        create_loop_item(
            session=s,
            actor=lead,
            item_in=LoopItemCreate(
                what_changed="Excel export <img src=x onerror=alert(1)> is live",
                shipped_on=dt.date(2026, 3, 2),
                idea_ids=[shipped.id],
            ),
        )
    with read() as s:
        return public_board.export_html(session=s, actor=CLI_ACTOR, today=TODAY)


def test_idea_titles_are_escaped_so_a_script_never_runs(board_html):
    assert "<script" not in board_html.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Dark mode" in board_html
    assert "&lt;img src=x onerror=alert(1)&gt;" in board_html
    assert "mobile &amp; app" in board_html


def test_internal_fields_never_leave_the_workspace(board_html):
    for text in INTERNAL:
        assert text not in board_html
    assert "Impact" not in board_html and "vote" not in board_html.lower()


def test_the_page_is_self_contained(board_html):
    parser = _Sections()
    parser.feed(board_html)
    assert parser.tags.isdisjoint({"script", "link", "img", "iframe", "object"})
    assert parser.attributes.isdisjoint({"src", "href", "onerror", "onload"})
    assert "default-src 'none'" in board_html


def test_the_board_shows_planned_in_progress_and_recently_shipped_ideas_only(board_html):
    parser = _Sections()
    parser.feed(board_html)
    sections = parser.sections
    assert list(sections) == ["planned", "in_progress", "shipped"]
    assert "Dark mode" in sections["planned"] and "2 people asked for this" in sections["planned"]
    assert "Widgets" in sections["in_progress"]
    assert "Export as Excel" in sections["shipped"] and "shipped 2026-03-02" in sections["shipped"]
    assert "Excel export <img src=x onerror=alert(1)> is live" in sections["shipped"]  # as text, not a tag
    everything = " ".join(sections.values())
    for absent in ("Declined thing", "Brand new thing", "Merged duplicate", "Shipped long ago"):
        assert absent not in everything


def test_an_empty_board_says_so_in_every_section(read, write):
    with write() as s:
        make_user(s, Role.lead)
    with read() as s:
        html = public_board.export_html(session=s, actor=CLI_ACTOR, today=TODAY)
    assert html.count("Nothing here right now.") == 3
    assert re.search(r"<h2>Planned \(0\)</h2>", html)
