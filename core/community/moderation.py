"""Writes of moderation: the community rules as a versioned document, the lead's flag words,
flags on conversations (by hand or confirmed from the word lists) and the actions taken, each
with the rule it enforces."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session, col

from core import records
from core.community import rules
from core.controls import check_text
from core.errors import ConflictError, ValidationError
from core.i18n import N_, _
from core.permissions import Action, Actor, require
from db.models import (
    CommunityRules,
    Conversation,
    FlagCategory,
    FlagSeverity,
    FlagSource,
    FlagWord,
    FlagWordCreate,
    ModerationAction,
    ModerationActionCreate,
    ModerationFlag,
    ModerationFlagCreate,
    ModerationKind,
    max_length,
)

WORDLISTS = Path(__file__).with_name("wordlists")
LANGUAGES = {"en": N_("in English"), "de": N_("in German")}
NEEDS_UNTIL = (ModerationKind.muted, ModerationKind.slow_mode)
# The action as offered (with what it needs) and as recorded in the log.
KIND_LABELS = {
    ModerationKind.hidden: N_("Hidden"),
    ModerationKind.deleted: N_("Deleted on the platform"),
    ModerationKind.warned: N_("Warned"),
    ModerationKind.muted: N_("Member muted until …"),
    ModerationKind.slow_mode: N_("Thread in slow mode until …"),
}
DONE_LABELS = rules.ACTION_LABELS


def _text(value: str, model: type, field: str, what: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    problem = check_text(value, what) if value else None
    if problem:
        raise ValidationError(problem)
    if required and not value:
        raise ValidationError(_("The {what} is empty: write it first.", what=_(what)))
    limit = max_length(model, field)
    if len(value) > limit:
        raise ValidationError(
            _("The {what} has {count} characters; {limit} at most.", what=_(what), count=len(value), limit=limit)
        )
    return value


# --- the community rules -------------------------------------------------------------------------


def current_rules(session: Session) -> CommunityRules | None:
    return session.scalars(select(CommunityRules).order_by(col(CommunityRules.number).desc())).first()


def publish_rules(*, session: Session, actor: Actor, text: str, change_note: str = "") -> CommunityRules:
    """A new version of the community rules; it is in force from now on (the old ones stay readable)."""
    require(actor, Action.manage_community_rules)
    body = _text(text, CommunityRules, "text", N_("text of the rules"), required=True)
    note = _text(change_note, CommunityRules, "change_note", N_("change note"))
    current = current_rules(session)
    if current is not None and current.text == body:
        raise ValidationError(
            _("This is the text of version {number} already: change something first.", number=current.number)
        )
    number = (current.number if current else 0) + 1
    row = CommunityRules(number=number, text=body, change_note=note, published_by_id=actor.id)
    return records.create(session, row, actor=actor, action="community.publish_rules")


# --- flag words ----------------------------------------------------------------------------------


def add_flag_word(*, session: Session, actor: Actor, word: FlagWordCreate) -> FlagWord:
    require(actor, Action.manage_community_rules)
    text = _text(word.word, FlagWord, "word", N_("flag word"), required=True)
    category, severity = _category(word.category), _severity(word.severity)
    if word.language not in LANGUAGES:
        raise ValidationError(
            _("Unknown language {language!r}; choose {choices}.", language=word.language, choices=", ".join(LANGUAGES))
        )
    exists = session.scalars(
        select(FlagWord).where(func.lower(FlagWord.word) == text.casefold(), col(FlagWord.category) == category)
    ).first()
    if exists:
        raise ConflictError(
            _("'{word}' is on the list of {flag} words already.", word=text, flag=_(rules.CATEGORY_LABELS[category]))
        )
    row = FlagWord(word=text, language=word.language, category=category, severity=severity)
    return records.create(session, row, actor=actor, action="community.add_flag_word")


def remove_flag_word(*, session: Session, actor: Actor, word_id: int) -> None:
    require(actor, Action.manage_community_rules)
    records.delete(
        session,
        records.get_or_404(session, FlagWord, word_id, what=_("Flag word")),
        actor=actor,
        action="community.remove_flag_word",
    )


def shipped_words(language: str) -> list[tuple[str, str, str]]:
    """The word list shipped for ``language`` (word, category, severity)."""
    if language not in LANGUAGES:
        raise ValidationError(
            _("No word list for {language!r}; there are {choices}.", language=language, choices=", ".join(LANGUAGES))
        )
    return rules.parse_word_list((WORDLISTS / f"{language}.txt").read_text(encoding="utf-8"))


def add_shipped_words(*, session: Session, actor: Actor, language: str) -> int:
    """Add the shipped list of ``language`` to the lead's words (words already there are kept as
    they are); returns how many were added."""
    require(actor, Action.manage_community_rules)
    have = {(w.word.casefold(), w.category) for w in session.scalars(select(FlagWord))}
    added = 0
    for word, category, severity in shipped_words(language):
        if (word.casefold(), category) in have:
            continue
        records.create(
            session,
            FlagWord(word=word, language=language, category=category, severity=severity),
            actor=actor,
            action="community.add_flag_word",
        )
        added += 1
    return added


def flag_word_rules(session: Session) -> list[rules.FlagWordRule]:
    return [rules.FlagWordRule(w.word, w.category, w.severity) for w in session.scalars(select(FlagWord))]


# --- flags and actions ---------------------------------------------------------------------------


def _category(value: str) -> str:
    if value not in set(FlagCategory):
        raise ValidationError(
            _(
                "Unknown flag {flag!r}; choose {choices}.",
                flag=value,
                choices=", ".join(_(label) for label in rules.CATEGORY_LABELS.values()),
            )
        )
    return FlagCategory(value).value


def _severity(value: str) -> str:
    if value not in set(FlagSeverity):
        raise ValidationError(
            _("Unknown severity {severity!r}; choose {choices}.", severity=value, choices=", ".join(FlagSeverity))
        )
    return FlagSeverity(value).value


def flag_conversation(*, session: Session, actor: Actor, flag: ModerationFlagCreate) -> ModerationFlag:
    """Flag a conversation for moderation (one open flag per conversation and category)."""
    require(actor, Action.moderate)
    conversation = records.get_or_404(session, Conversation, flag.conversation_id, what=_("Conversation"))
    category, severity = _category(flag.category), _severity(flag.severity)
    if flag.source not in set(FlagSource):
        raise ValidationError(_("Unknown flag source {source!r}.", source=flag.source))
    open_same = session.scalars(
        select(ModerationFlag).where(
            col(ModerationFlag.conversation_id) == conversation.id,
            col(ModerationFlag.category) == category,
            col(ModerationFlag.closed_at).is_(None),
        )
    ).first()
    if open_same:
        raise ConflictError(
            _("This conversation is flagged {flag} already.", flag=_(rules.CATEGORY_LABELS[category]).lower())
        )
    row = ModerationFlag(
        conversation_id=records.stored_id(conversation.id),
        category=category,
        severity=severity,
        source=flag.source,
        words=_text(flag.words, ModerationFlag, "words", N_("words")),
        note=_text(flag.note, ModerationFlag, "note", N_("note")),
        flagged_by_id=actor.id,
    )
    return records.create(session, row, actor=actor, action="moderation.flag")


def dismiss_flag(*, session: Session, actor: Actor, flag_id: int, now: dt.datetime) -> ModerationFlag:
    """A flag that needs no action: closed, counted as moderated."""
    require(actor, Action.moderate)
    flag = records.get_or_404(session, ModerationFlag, flag_id, what=_("Flag"))
    if flag.closed_at is not None:
        raise ConflictError(_("This flag is closed already."))
    return records.update(
        session, flag, {"closed_at": now, "dismissed": True}, actor=actor, action="moderation.dismiss"
    )


def act(*, session: Session, actor: Actor, action: ModerationActionCreate, now: dt.datetime) -> ModerationAction:
    """Record what was done about a conversation, with the rule of the current community rules it
    enforces; it closes the conversation's open flags (their time to moderate ends here)."""
    require(actor, Action.moderate)
    conversation = records.get_or_404(session, Conversation, action.conversation_id, what=_("Conversation"))
    if action.kind not in set(ModerationKind):
        raise ValidationError(
            _(
                "Unknown action {action!r}; choose {choices}.",
                action=action.kind,
                choices=", ".join(_(label) for label in KIND_LABELS.values()),
            )
        )
    if action.kind in NEEDS_UNTIL:
        if action.until is None:
            raise ValidationError(_("{action}: say until when.", action=_(KIND_LABELS[ModerationKind(action.kind)])))
        if action.until.tzinfo is None:
            raise ValidationError(_("The end time has no time zone: pick it again on the form."))
        if action.until <= now:
            raise ValidationError(_("The end time is in the past: pick a time after now."))
    elif action.until is not None:
        raise ValidationError(_("{action} has no end time.", action=_(DONE_LABELS[ModerationKind(action.kind)])))
    rules_row = current_rules(session)
    if rules_row is None:
        raise ValidationError(_("Publish the community rules first: every action names the rule it enforces."))
    rule = _text(action.rule, ModerationAction, "rule", N_("rule it enforces"), required=True)
    row = ModerationAction(
        conversation_id=records.stored_id(conversation.id),
        kind=ModerationKind(action.kind).value,
        until=action.until,
        # The identity that wrote it; merges are applied when reading, so undoing one is exact.
        member_key=conversation.author_key,
        rules_id=rules_row.id,
        rule=rule,
        note=_text(action.note, ModerationAction, "note", N_("note")),
        acted_by_id=actor.id,
        acted_at=now,
    )
    created = records.create(session, row, actor=actor, action=f"moderation.{row.kind}")
    for flag in session.scalars(
        select(ModerationFlag).where(
            col(ModerationFlag.conversation_id) == conversation.id, col(ModerationFlag.closed_at).is_(None)
        )
    ):
        flag.closed_at = now
        session.add(flag)
    return created
