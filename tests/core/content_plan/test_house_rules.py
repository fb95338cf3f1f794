"""The lead's rules: built-in and team rubrics, stop words, daily and rhythm limits, per role."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.content_plan import guards, house_rules, queries
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


# --- shipped stop word lists ---------------------------------------------------------------------


@pytest.mark.parametrize("language", ["de", "en"])
def test_each_shipped_stop_word_list_is_small_clean_and_has_both_modes(language):
    words = house_rules.shipped_stop_words(language)
    assert 5 <= len(words) <= 50
    assert {mode for _word, mode in words} == {"block", "warn"}
    folded = [word.casefold() for word, _mode in words]
    assert len(folded) == len(set(folded)), "a word twice"
    assert all(word == " ".join(word.split()) and word for word, _mode in words)


def test_a_lead_loads_the_german_list_with_one_call_and_a_word_already_there_keeps_its_mode(write, read, team):
    with write() as s:
        # The lead had chosen to block "Kostenlos" (the shipped list only warns about it).
        house_rules.add_stop_word(session=s, actor=team["lead"], word="Kostenlos", mode="block")
        added = house_rules.add_shipped_stop_words(session=s, actor=team["lead"], language="de")
    shipped = house_rules.shipped_stop_words("de")
    assert added == len(shipped) - 1
    with read() as s:
        have = {w.word: w.mode for w in house_rules.list_stop_words(s)}
        actions = [a.action for a in s.exec(select(AuditLog)) if a.action == "stop_word.create"]
    assert have["Kostenlos"] == "block" and "kostenlos" not in have
    assert have["garantiert"] == "block" and have["größte"] == "warn"
    assert len(have) == len(shipped) and len(actions) == len(shipped)
    with write() as s:  # loading it again adds nothing
        assert house_rules.add_shipped_stop_words(session=s, actor=team["lead"], language="de") == 0


def test_both_lists_load_side_by_side_and_an_unknown_language_or_an_editor_is_refused(write, read, team):
    with write() as s:
        german = house_rules.add_shipped_stop_words(session=s, actor=team["lead"], language="de")
        english = house_rules.add_shipped_stop_words(session=s, actor=team["lead"], language="en")
    with read() as s:
        assert len(house_rules.list_stop_words(s)) == german + english
    with pytest.raises(ValidationError, match="No stop word list for 'fr'"), write() as s:
        house_rules.add_shipped_stop_words(session=s, actor=team["lead"], language="fr")
    with pytest.raises(PermissionDenied), write() as s:
        house_rules.add_shipped_stop_words(session=s, actor=team["editor"], language="de")


@pytest.mark.parametrize(
    ("text", "hits"),
    [
        ("Die GRÖSSTE Auswahl der Stadt", {"größte"}),  # ß folds to ss, umlauts as written
        ("Das ist garantiert kein Wundermittel.", {"garantiert", "wundermittel"}),
        ("Nur heute: 20 % auf alles", {"nur heute"}),
        ("Unsere größten Fans und die Garantie", set()),  # word boundaries: no hit inside a word
        ("Kostenloser Versand", set()),
    ],
)
def test_the_shipped_german_words_are_matched_by_the_guard_on_word_boundaries(text, hits):
    rules = [guards.StopWordRule(word, mode) for word, mode in house_rules.shipped_stop_words("de")]
    found = {hit.word for hit in guards.match_stop_words({"body": text}, rules)}
    assert found == hits


def test_the_shipped_english_words_are_matched_by_the_guard_on_word_boundaries():
    rules = [guards.StopWordRule(word, mode) for word, mode in house_rules.shipped_stop_words("en")]
    found = {hit.word for hit in guards.match_stop_words({"title": "GUARANTEED results, act now!"}, rules)}
    assert found == {"guaranteed", "act now"}
    assert not guards.match_stop_words({"title": "Freedom of speech, forevermore"}, rules)
