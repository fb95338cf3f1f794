"""The lead's rules: built-in and team rubrics, stop words, daily and rhythm limits, per role."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.content_plan import house_rules, queries
from core.errors import PermissionDenied, ValidationError
from core.permissions import CLI_ACTOR
from db.models import AuditLog

pytestmark = pytest.mark.daily_post_limit(2)  # Instagram allows 2 posts a day here


def test_the_papers_rubrics_come_built_in_and_a_lead_adds_the_teams_own(write, read, team):
    paper = [
        "Myth vs fact",
        "How it works",
        "Question of the week",
        "Ideas for the product",
        "Digest of the week",
        "Open retro",
        "You asked, we did",
    ]
    with write() as s:
        house_rules.add_rubric(session=s, actor=team["lead"], name="Behind the scenes")
    with read() as s:
        offered = {r.name: r.builtin for r in queries.calendar_options(s).rubrics}
    assert {name: offered.get(name) for name in paper} == dict.fromkeys(paper, True)
    assert offered["Behind the scenes"] is False


# --- content rules management ------------------------------------------------------------------------


def test_leads_manage_stop_words_rubrics_and_limits_and_editors_cannot(write, read, team, channel):
    with write() as s:
        word = house_rules.add_stop_word(session=s, actor=team["lead"], word="  Free   money ", mode="block")
        house_rules.set_stop_word_mode(session=s, actor=team["lead"], stop_word_id=word.id, mode="warn")
        rubric = house_rules.add_rubric(
            session=s, actor=team["lead"], name="Behind the scenes", description="The team at work."
        )
        house_rules.set_rubric_active(session=s, actor=team["lead"], rubric_id=rubric.id, active=False)
        limited = house_rules.set_daily_limit(
            session=s, actor=team["lead"], channel_id=channel.id, expected_version=channel.version, limit=5
        )
    assert word.word == "Free money" and limited.daily_post_limit == 5
    with read() as s:
        assert [(w.word, w.mode) for w in house_rules.list_stop_words(s)] == [("Free money", "warn")]
        assert not next(r for r in house_rules.list_rubrics(s) if r.name == "Behind the scenes").active
        assert {r.action for r in s.exec(select(AuditLog))} >= {
            "stop_word.create",
            "stop_word.update",
            "rubric.create",
            "rubric.update",
            "channel.daily_limit",
        }
    with pytest.raises(ValidationError, match="on the list already"), write() as s:
        house_rules.add_stop_word(session=s, actor=team["lead"], word="FREE MONEY")
    for call in (
        lambda s: house_rules.add_stop_word(session=s, actor=team["editor"], word="x"),
        lambda s: house_rules.add_rubric(session=s, actor=team["editor"], name="Mine"),
        lambda s: house_rules.set_daily_limit(
            session=s, actor=team["editor"], channel_id=channel.id, expected_version=2, limit=9
        ),
        lambda s: house_rules.remove_stop_word(session=s, actor=team["compliance"], stop_word_id=word.id),
    ):
        with pytest.raises(PermissionDenied), write() as s:
            call(s)


@pytest.mark.parametrize(
    ("word", "mode", "message"),
    [("", "warn", "Type the word"), ("spam", "shout", "'block'"), ("x" * 81, "warn", "80 characters")],
)
def test_bad_stop_words_are_refused(write, team, word, mode, message):
    with pytest.raises(ValidationError, match=message), write() as s:
        house_rules.add_stop_word(session=s, actor=CLI_ACTOR, word=word, mode=mode)
