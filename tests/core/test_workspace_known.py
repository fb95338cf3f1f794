"""The workspace row, read once for a cached read: core readers inside ``workspace.known`` take
it from there; outside they read the row."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from core import workspace
from core.permissions import CLI_ACTOR


def test_info_inside_known_sends_no_statement_and_outside_reads_the_row(team, write, read, sql_statements):
    with write() as s:
        workspace.ensure_workspace(session=s, actor=CLI_ACTOR, name="Nordlicht Support", timezone_name="Europe/Berlin")
    with read() as s:
        stored = workspace.info(s)
    # What the caller read for this data version (another process may have changed the row since).
    as_read = stored.__class__(**{**stored.__dict__, "timezone": "America/New_York", "language": "de"})

    with read() as s, sql_statements() as seen, workspace.known(as_read):
        assert workspace.info(s) == as_read
        assert workspace.timezone(s) == ZoneInfo("America/New_York")
        assert workspace.language(s) == "de"
        assert workspace.state(s) == workspace.WorkspaceState.live
    assert not [statement for statement in seen if "workspace" in statement.lower()]

    with read() as s, sql_statements() as seen:
        assert workspace.info(s) == stored
        assert workspace.timezone(s) == ZoneInfo("Europe/Berlin")
    assert len([statement for statement in seen if "from workspace" in statement.lower()]) == 2


def test_known_ends_with_its_block_even_when_the_reader_fails(write, read):
    with write() as s:
        workspace.ensure_workspace(session=s, actor=CLI_ACTOR, timezone_name="Europe/Berlin")
    with read() as s:
        stored = workspace.info(s)
    other = stored.__class__(**{**stored.__dict__, "timezone": "Asia/Tokyo"})
    try:
        with workspace.known(other):
            raise LookupError("the reader failed")
    except LookupError:
        pass
    with read() as s:
        assert workspace.timezone(s) == ZoneInfo("Europe/Berlin")
