"""The moderation screen per role: community, lead and admin moderate; every other role reads.
Flag from the word lists, put the thread in slow mode, see it in the moderation KPIs."""

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlmodel import select

from core.community import moderation
from db.models import BusinessCalendarRow, FlagWordCreate, ModerationAction, ModerationFlag
from tests.factories import make_conversation
from tests.pages.apptest import open_page, texts
from tests.pages.german import english_left

NOW = dt.datetime.now(dt.UTC)
BERLIN = ZoneInfo("Europe/Berlin")
MODERATORS = ("admin", "lead", "community")
ALL_DAY = {
    "timezone": "Europe/Berlin",
    "weekly": {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
}


@pytest.fixture
def toxic(write, team, channel):
    with write() as s:
        moderation.publish_rules(session=s, actor=team["lead"], text="1. Be kind: no insults.\n2. No spam.")
        moderation.add_flag_word(
            session=s, actor=team["lead"], word=FlagWordCreate(word="Vollpfosten", language="de", severity="high")
        )
        s.add(BusinessCalendarRow(name="Around the clock", definition=json.dumps(ALL_DAY)))
        bad = make_conversation(
            s,
            channel=channel,
            author_handle="@Troll.Tom",
            received_at=NOW - dt.timedelta(hours=2),
            text="Ihr VOLLPFOSTEN!",
        )
        make_conversation(
            s,
            channel=channel,
            author_handle="@Mia",
            received_at=NOW - dt.timedelta(hours=1),
            text="Danke, hat geholfen",
        )
    return bad.id


def _tab(at, label):
    return next(t for t in at.tabs if t.label == label)


@pytest.mark.parametrize("role", ["admin", "lead", "community", "editor", "support", "analyst", "compliance", "viewer"])
def test_every_role_reads_moderation_and_only_moderators_act(toxic, role):
    at = open_page("moderation", username=role)
    assert not at.exception
    shown = texts(at)
    assert "Community rules, version 1" in shown and "Ihr VOLLPFOSTEN!" in shown
    assert re.search(r"\d+ gaps? in the coming week: nobody is on call then", shown)  # nobody on call around the clock
    may = role in MODERATORS
    assert any(b.label == "Flag" for b in at.button) is may
    assert any(b.label == "Flag it" for b in at.button) is may
    assert any(b.label == "Publish this version" for b in at.button) is (role in ("admin", "lead"))
    assert any(b.label == "Add the shift" for b in at.button) is (role in ("admin", "lead"))


def test_flag_a_suggestion_then_slow_mode_shows_in_the_kpis(toxic, read):
    at = open_page("moderation", username="community")
    at.button(key=f"suggest_flag_{toxic}").click().run()
    assert not at.exception
    with read() as s:
        flag = s.exec(select(ModerationFlag)).one()
    assert (flag.conversation_id, flag.category, flag.severity, flag.source, flag.words) == (
        toxic,
        "toxic",
        "high",
        "word_list",
        "Vollpfosten",
    )
    kpis = _tab(at, "KPIs")
    assert any(m.label == "Flagged share" and m.value == "50.0\u00a0%" for m in kpis.metric)

    at.selectbox(key="moderation_kind").set_value("slow_mode")
    at.text_input(key="moderation_rule").input("1. Be kind")
    next(b for b in at.button if b.label == "Record the action").click().run()
    assert not at.exception, at.exception
    with read() as s:
        action = s.exec(select(ModerationAction)).one()
        assert s.get(ModerationFlag, flag.id).closed_at is not None
    assert action.kind == "slow_mode" and action.rule == "1. Be kind" and action.until > NOW
    assert "Thread in slow mode: recorded." in texts(at)
    assert any(m.label == "Threads in slow mode now" and m.value == "1" for m in at.metric)
    kpis = _tab(at, "KPIs")
    assert any(m.label == "Threads in slow mode" and m.value == "50.0\u00a0%" for m in kpis.metric)


def test_an_action_without_a_rule_is_refused_and_nothing_is_saved(toxic, write, team, read):
    at = open_page("moderation", username="lead")
    at.button(key=f"suggest_flag_{toxic}").click().run()
    at.selectbox(key="moderation_kind").set_value("warned")
    next(b for b in at.button if b.label == "Record the action").click().run()
    assert any("rule it enforces" in e.value for e in at.error)
    with read() as s:
        assert s.exec(select(ModerationAction)).all() == []


def test_the_lead_adds_the_shipped_german_list(toxic, read):
    at = open_page("moderation", username="lead")
    at.button(key="words_shipped_de").click().run()
    assert not at.exception
    words = _tab(at, "Word lists").dataframe[0].value
    assert "verpiss dich" in set(words["Word"]) and len(words) > 20


@pytest.fixture
def tables_scannable(monkeypatch):
    """tests/pages/german.py reads ``value.name`` of a table before its columns (its default is
    evaluated first); a DataFrame has no name: give it one while the scan runs."""
    monkeypatch.setattr(pd.DataFrame, "name", None, raising=False)


@pytest.mark.parametrize("role", ["community", "viewer"])
def test_the_moderation_page_in_german(toxic, role, tables_scannable):
    at = open_page("moderation", username=role, language="de")
    assert not at.exception
    assert not english_left(at)
    shown = texts(at)
    assert "Community-Regeln, Version 1" in shown
    received = (NOW - dt.timedelta(hours=2)).astimezone(BERLIN)
    assert f"@Troll.Tom** · Instagram · {received:%d.%m.%Y %H:%M}" in shown
    assert re.search(r"\d+ Lücken? in der kommenden Woche: Dann ist niemand in Bereitschaft", shown)
    assert "0,0\u00a0%" in shown
    assert any(b.label == "Markieren" for b in at.button) is (role == "community")
