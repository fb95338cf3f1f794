"""The moderation KPIs, defined once in core.kpis: flagged share, time to moderate, repeat
offenders (identities merged) and the share of threads in slow mode."""

import datetime as dt

import pytest

from core.community import identities, moderation
from core.kpis.definitions import KPI_BY_KEY, Family
from core.kpis.overview import compute_kpis
from db.models import ModerationActionCreate, ModerationFlagCreate
from tests.factories import make_channel, make_conversation

UTC = dt.UTC
# June 2026 in Berlin; May is the period before.
START, END = dt.date(2026, 6, 1), dt.date(2026, 6, 30)
NOW = dt.datetime(2026, 7, 1, 12, tzinfo=UTC)


def at(day: int, hour: int = 10, month: int = 6) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=UTC)


def kpis(read, channel_id=None):
    with read() as s:
        return {
            v.key: v
            for v in compute_kpis(s, start=START, end=END, channel_id=channel_id, now=NOW)
            if v.definition.family == Family.moderation
        }


@pytest.fixture
def moderated(write, team, channel):
    lead, cora = team["lead"], team["community"]
    with write() as s:
        facebook = make_channel(s, name="Facebook")
        moderation.publish_rules(session=s, actor=lead, text="1. Be kind.\n2. No spam.")
        old = make_conversation(
            s, channel=channel, author_handle="@Troll.Tom", received_at=at(20, month=5), text="idiot"
        )
        toxic = make_conversation(s, channel=channel, author_handle="@troll.tom", received_at=at(3), text="idiots all")
        alias = make_conversation(s, channel=facebook, author_handle="Tom T", received_at=at(4), text="morons")
        spam = make_conversation(s, channel=channel, author_handle="@promo", received_at=at(5), text="free followers")
        for day in range(6, 12):
            make_conversation(s, channel=channel, author_handle=f"@fan{day}", received_at=at(day), text="love it")
    with write() as s:
        identities.merge_identities(session=s, actor=cora, handle="Tom T", into="@troll.tom")

    def flag(conversation, category, flagged_at):
        with write() as s:
            f = moderation.flag_conversation(
                session=s,
                actor=cora,
                flag=ModerationFlagCreate(conversation_id=conversation.id, category=category, severity="high"),
            )
            f.flagged_at = flagged_at

    def act(conversation, kind, when, until=None):
        with write() as s:
            moderation.act(
                session=s,
                actor=cora,
                action=ModerationActionCreate(
                    conversation_id=conversation.id, kind=kind, rule="1. Be kind", until=until
                ),
                now=when,
            )

    act(old, "warned", at(20, 12, month=5))  # May: Tom's first warning
    flag(toxic, "toxic", at(3, 11))
    act(toxic, "slow_mode", at(3, 13), until=at(4, 13))  # two hours to moderate
    flag(alias, "toxic", at(4, 11))
    act(alias, "hidden", at(4, 17))  # six hours
    flag(spam, "spam", at(5, 11))  # still open
    return channel, facebook


def test_the_moderation_kpis_are_defined_once_for_the_moderation_screen():
    for key in ("flagged_share", "time_to_moderate", "repeat_offenders", "slow_mode_share"):
        assert KPI_BY_KEY[key].family == Family.moderation and KPI_BY_KEY[key].page == "moderation"


def test_the_moderation_kpis_of_a_period(moderated, read):
    found = kpis(read)
    assert found["flagged_share"].value == pytest.approx(3 / 9 * 100)  # 3 flagged of 9 conversations in June
    assert found["time_to_moderate"].value == pytest.approx(4.0)  # median of 2 h and 6 h; the open flag waits
    assert dict(found["time_to_moderate"].counts) == {"moderated": 2, "open": 1}
    assert found["repeat_offenders"].value == 1  # Tom, as "@Troll.Tom" and merged "Tom T"
    assert found["slow_mode_share"].value == pytest.approx(1 / 9 * 100)
    assert found["flagged_share"].previous == 0 and found["repeat_offenders"].previous == 0


def test_the_moderation_kpis_of_one_channel(moderated, read):
    instagram, facebook = moderated
    on_facebook = kpis(read, facebook.id)
    assert on_facebook["flagged_share"].value == 100.0
    assert on_facebook["time_to_moderate"].value == pytest.approx(6.0)
    assert on_facebook["slow_mode_share"].value == 0.0
    assert kpis(read, instagram.id)["time_to_moderate"].value == pytest.approx(2.0)


def test_without_the_merge_nobody_repeats_in_june(moderated, write, read, team):
    with write() as s:
        identities.undo_merge(session=s, actor=team["community"], handle="Tom T")
    # "Tom T" was hidden once; @troll.tom's June action is slow mode, which is about the thread, not him.
    assert kpis(read)["repeat_offenders"].value == 0
    assert dict(kpis(read)["repeat_offenders"].counts) == {"repeat": 0, "acted_on": 1}
