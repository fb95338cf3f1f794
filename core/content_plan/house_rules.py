"""The rules a lead sets for the content plan: stop words (block or warn), the team's own rubrics,
each channel's daily post limit and the rhythm limit of high-load posts in a row.

German and English default stop words ship in ``stopwords/<language>.txt`` (one ``word | mode`` a
line); a lead loads one with ``add_shipped_stop_words``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, func, select

from core import records, workspace
from core.content_plan.queries import RubricView, rubric_view
from core.content_plan.validation import max_chars
from core.errors import ValidationError
from core.i18n import _
from core.permissions import Action, Actor, require
from core.text import check_plain_text, check_plain_texts
from db.models import Channel, Rubric, StopWord, StopWordMode, WorkspaceUpdate


@dataclass(frozen=True)
class StopWordView:
    id: int
    word: str
    mode: str


STOP_WORDS = Path(__file__).with_name("stopwords")
#: The languages a stop word list ships for.
STOP_WORD_LANGUAGES = ("de", "en")

# --- stop words ------------------------------------------------------------------------------


def _stop_word_view(row: StopWord) -> StopWordView:
    if row.id is None:
        raise ValueError("an unsaved stop word has no view")  # i18n: not text
    return StopWordView(row.id, row.word, row.mode)


def list_stop_words(session: Session) -> list[StopWordView]:
    return [_stop_word_view(w) for w in session.exec(select(StopWord).order_by(col(StopWord.word)))]


def _clean_mode(mode: str) -> str:
    if mode not in tuple(StopWordMode):
        raise ValidationError(_("A stop word either blocks publication ('block') or warns ('warn')."))
    return mode


def add_stop_word(*, session: Session, actor: Actor, word: str, mode: str = StopWordMode.warn) -> StopWordView:
    require(actor, Action.manage_content_rules)
    word = " ".join(check_plain_text(word or "", field=_("stop word")).split())
    if not word:
        raise ValidationError(_("Type the word or phrase to watch for."))
    limit = max_chars("word", StopWord)
    if limit is not None and len(word) > limit:
        raise ValidationError(_("Keep a stop word to {limit} characters.", limit=limit))
    folded = word.casefold()
    if any(w.word.casefold() == folded for w in session.exec(select(StopWord))):
        raise ValidationError(_("{word!r} is on the list already; change its mode instead.", word=word))
    row = records.create(session, StopWord(word=word, mode=_clean_mode(mode)), actor=actor, action="stop_word.create")
    return _stop_word_view(row)


def set_stop_word_mode(*, session: Session, actor: Actor, stop_word_id: int, mode: str) -> StopWordView:
    require(actor, Action.manage_content_rules)
    row = records.get_or_404(session, StopWord, stop_word_id, what=_("Stop word"))
    records.update(session, row, {"mode": _clean_mode(mode)}, actor=actor, action="stop_word.update")
    return _stop_word_view(row)


def remove_stop_word(*, session: Session, actor: Actor, stop_word_id: int) -> None:
    require(actor, Action.manage_content_rules)
    row = records.get_or_404(session, StopWord, stop_word_id, what=_("Stop word"))
    records.delete(session, row, actor=actor, action="stop_word.delete")


def shipped_stop_words(language: str) -> list[tuple[str, str]]:
    """The stop word list shipped for ``language``: (word or phrase, mode), in the file's order."""
    if language not in STOP_WORD_LANGUAGES:
        raise ValidationError(
            _(
                "No stop word list for {language!r}; there are {choices}.",
                language=language,
                choices=", ".join(STOP_WORD_LANGUAGES),
            )
        )
    entries = []
    for line in (STOP_WORDS / f"{language}.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            word, mode = (part.strip() for part in line.split("|"))
            entries.append((" ".join(word.split()), StopWordMode(mode).value))
    return entries


def add_shipped_stop_words(*, session: Session, actor: Actor, language: str) -> int:
    """Add the shipped list of ``language`` to the lead's stop words (a word already on the list
    keeps its mode); returns how many were added."""
    require(actor, Action.manage_content_rules)
    have = {w.word.casefold() for w in session.exec(select(StopWord))}
    added = 0
    for word, mode in shipped_stop_words(language):
        if word.casefold() in have:
            continue
        records.create(session, StopWord(word=word, mode=mode), actor=actor, action="stop_word.create")
        have.add(word.casefold())
        added += 1
    return added


# --- rubrics ---------------------------------------------------------------------------------


def list_rubrics(session: Session) -> list[RubricView]:
    """Every rubric, the archived ones too."""
    return [rubric_view(r) for r in workspace.list_rubrics(session, include_inactive=True)]


def add_rubric(*, session: Session, actor: Actor, name: str, description: str = "") -> RubricView:
    require(actor, Action.manage_content_rules)
    check_plain_texts(((_("rubric name"), name), (_("rubric description"), description)))
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("A rubric needs a name."))
    limit = max_chars("name", Rubric)
    if limit is not None and len(name) > limit:
        raise ValidationError(_("Keep a rubric's name to {limit} characters.", limit=limit))
    if session.exec(select(Rubric.id).where(func.lower(Rubric.name) == name.lower())).first() is not None:
        raise ValidationError(_("A rubric called {name!r} exists already.", name=name))
    row = records.create(
        session,
        Rubric(name=name, description=(description or "").strip(), builtin=False),
        actor=actor,
        action="rubric.create",
    )
    return rubric_view(row)


def set_rubric_active(*, session: Session, actor: Actor, rubric_id: int, active: bool) -> RubricView:
    """Archive a rubric (its posts keep it; new posts can't pick it) or bring it back."""
    require(actor, Action.manage_content_rules)
    row = records.get_or_404(session, Rubric, rubric_id, what=_("Rubric"))
    records.update(session, row, {"active": bool(active)}, actor=actor, action="rubric.update")
    return rubric_view(row)


# --- limits ----------------------------------------------------------------------------------


def set_daily_limit(
    *, session: Session, actor: Actor, channel_id: int, expected_version: int, limit: int
) -> workspace.ChannelView:
    """A channel's anti-spam limit: how many posts may go out per local day."""
    require(actor, Action.manage_content_rules)
    if int(limit) < 1:
        raise ValidationError(_("The daily post limit must be at least 1."))
    records.update_versioned(
        session,
        Channel,
        channel_id,
        expected_version=expected_version,
        changes={"daily_post_limit": int(limit)},
        actor=actor,
        action="channel.daily_limit",
    )
    return next(c for c in workspace.list_channels(session, include_inactive=True) if c.id == channel_id)


def set_rhythm_limit(*, session: Session, actor: Actor, expected_version: int, limit: int) -> workspace.WorkspaceInfo:
    """How many high-load posts in a row a channel may get before the rhythm guard warns."""
    require(actor, Action.manage_content_rules)
    return workspace.update_settings(
        session=session,
        actor=actor,
        expected_version=expected_version,
        settings_in=WorkspaceUpdate(high_load_run_limit=int(limit)),
    )
