"""The home screen shows what needs attention, with links for the roles that may act on it."""

import re
from zoneinfo import ZoneInfo

import pytest

from core import demo, workspace
from core.attention import attention
from core.local_time import local_today
from db.types import utcnow
from tests.pages.apptest import open_page
from tests.pages.german import english_left


def test_home_shows_what_needs_attention_on_the_demo(write):
    with write() as s:
        demo.load_demo(s, password_rounds=4)
    at = open_page("home", username="support")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) == {
        "Past the SLA, no reply yet",
        "Posts waiting for approval",
        "Posts blocked by compliance",
        "New ideas to triage",
        "Shipped, not yet announced",
    }
    assert int(metrics["New ideas to triage"]) > 0


@pytest.mark.parametrize("role", ["lead", "support"])
def test_home_reads_german_with_german_counts_and_dates(write, read, role):
    with write() as s:
        demo.load_demo(s, password_rounds=4)
    at = open_page("home", username=role, language="de")
    assert not at.exception and not at.error
    assert not english_left(at)
    assert [h.value for h in at.subheader][0] == "Braucht heute Aufmerksamkeit"
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) == {
        "SLA überschritten, noch keine Antwort",
        "Beiträge warten auf Freigabe",
        "Von Compliance blockierte Beiträge",
        "Neue Ideen zum Sichten",
        "Umgesetzt, noch nicht angekündigt",
    }
    with read() as s:
        tz = ZoneInfo(workspace.info(s).timezone)
        today = attention(s, tz=tz, day=local_today(utcnow(), tz))
    waiting = today.waiting_for_reply
    expected = (
        f"{waiting} wartet auf eine erste Antwort" if waiting == 1 else f"{waiting} warten auf eine erste Antwort"
    )
    assert expected in [c.value for c in at.caption]
    if role == "lead":  # who runs the 60-day rollout sees its next steps, due on German dates
        steps = [m.value for m in at.markdown if "fällig am" in m.value]
        assert steps
        assert all(re.search(r"fällig am \d{2}\.\d{2}\.\d{4}$", step) for step in steps)
        assert re.fullmatch(r"\d+ von \d+ Schritten erledigt", at.get("progress")[0].proto.text)
    else:
        assert not [m.value for m in at.markdown if "fällig am" in m.value]
