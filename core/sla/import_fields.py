"""What an import of conversations reads: the fields of the two shapes of export, the choices a
person makes (channel, time zone, date order, backfill), and the mapping of a file's columns.

* **One row per conversation** (``FIELDS``): received time and author, and whatever else the
  platform exports — first reply, resolved time, kind, category, channel, assignee, escalation
  team, "no reply needed", the reply's text, the post it answers.
* **One row per message** (``MESSAGE_FIELDS``, ``core.sla.thread_exports``): a message id, what it
  replies to, its author, whether the team wrote it, its time and text.

Pure: no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from core import tabular
from core.columns import guess_columns
from core.errors import ValidationError
from core.i18n import N_, _
from db.models import ConversationKind

DEFAULT_HISTORY_DAYS = 7


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str  # a marked constant: shown as _(label)
    required: bool
    hints: tuple[str, ...]  # header names that suggest this field (lower case, no punctuation)
    help: str = ""  # a marked constant too


_RECEIVED_HINTS = (
    "received",
    "receivedat",
    "created",
    "createdat",
    "createdtime",
    "date",
    "time",
    "timestamp",
    "messagetime",
    "sentat",
    "postedat",
)
_CHANNEL = ImportField(
    "channel",
    N_("Channel"),
    False,
    ("channel", "platform", "network", "inbox", "source"),
    N_("Matched to the channels by name, whatever the case; rows without one go to the channel chosen below."),
)
_KIND = ImportField("kind", N_("Kind"), False, ("kind", "type", "messagetype", "category type"))  # i18n: not text
_CATEGORY = ImportField("category", N_("Category"), False, ("category", "topic", "tag", "tags", "subject"))
_LINK = ImportField("link", N_("Link"), False, ("link", "url", "permalink", "messageurl"))

FIELDS: tuple[ImportField, ...] = (
    ImportField("received", N_("Received time"), True, _RECEIVED_HINTS),
    ImportField(
        "author",
        N_("Author handle"),
        True,
        ("author", "handle", "user", "username", "from", "sender", "authorhandle", "name", "customer"),
    ),
    ImportField(
        "external_id",
        N_("External id"),
        False,
        ("id", "externalid", "messageid", "commentid", "ticketid", "conversationid"),
    ),
    ImportField(
        "replied",
        N_("First reply time"),
        False,
        (
            "replied",
            "repliedat",
            "firstreply",
            "firstreplyat",
            "firstresponse",
            "firstresponseat",
            "answeredat",
            "responsetime",
            "firstreplytime",
        ),
    ),
    ImportField(
        "resolved",
        N_("Resolved time"),
        False,
        ("resolved", "resolvedat", "closed", "closedat", "solvedat", "resolvedtime"),
    ),
    ImportField("text", N_("Text"), False, ("text", "message", "body", "content", "comment", "question")),
    _LINK,
    _KIND,
    _CATEGORY,
    _CHANNEL,
    ImportField(
        "assignee",
        N_("Assignee (username or e-mail)"),
        False,
        ("assignee", "assignedto", "agent", "owner", "handledby", "assigneeemail"),
    ),
    ImportField(
        "escalation",
        N_("Escalated to (team)"),
        False,
        ("escalatedto", "escalation", "escalationteam", "escalatedteam"),
        N_("The name of an escalation team; empty when not escalated."),
    ),
    ImportField("escalated_at", N_("Escalated at"), False, ("escalatedat", "escalationtime", "escalationdate")),
    ImportField(
        "no_reply",
        N_("No reply needed"),
        False,
        ("noreplyneeded", "noreply", "noresponseneeded", "replynotneeded"),
        N_("yes/true/1 (or a reason) marks it; no/false/0 or empty does not."),
    ),
    ImportField(
        "reply_text",
        N_("Reply text"),
        False,
        ("reply", "replytext", "response", "responsetext", "answer", "firstreplytext"),
        N_("Kept as the team's reply in the conversation's thread (needs the first reply time)."),
    ),
    ImportField(
        "post",
        N_("Post (id or URL)"),
        False,
        ("postid", "posturl", "post", "postlink"),
        N_("The post it answers: a Dialog Desk post number or the post's link."),
    ),
)

MESSAGE_FIELDS: tuple[ImportField, ...] = (
    ImportField("message_id", N_("Message id"), True, ("messageid", "tweetid", "id", "commentid")),
    ImportField(
        "in_reply_to",
        N_("Replies to (message id)"),
        False,
        ("inreplyto", "inresponsetotweetid", "inreplytotweetid", "parentid", "replyto", "inreplytoid"),
    ),
    ImportField(
        "thread_id",
        N_("Thread id"),
        False,
        ("threadid", "conversationid", "ticketid"),
        N_("When the export groups messages by thread, the thread's id (then replies need no 'replies to')."),
    ),
    ImportField("author", N_("Author"), True, ("author", "authorid", "handle", "user", "username", "from", "sender")),
    ImportField("sent", N_("Time"), True, ("createdat", "created", "sentat", "date", "time", "timestamp")),
    ImportField("text", N_("Text"), False, ("text", "message", "body", "content")),
    ImportField(
        "from_team",
        N_("From the team (yes/no)"),
        False,
        ("fromteam", "outgoing", "outbound", "isagent", "fromagent", "byteam"),
        N_("yes/true/1 = the team wrote it."),
    ),
    ImportField(
        "inbound",
        N_("Inbound (yes/no)"),
        False,
        ("inbound", "incoming", "fromcustomer", "iscustomer"),
        N_("yes/true/1 = the community wrote it (the team's messages are the others)."),
    ),
    _CHANNEL,
    _KIND,
    _CATEGORY,
    _LINK,
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
MESSAGE_FIELD_BY_KEY = {f.key: f for f in MESSAGE_FIELDS}
TIMESTAMP_FIELDS = ("received", "replied", "resolved", "escalated_at")

KIND_SYNONYMS = {
    "question": ConversationKind.question,
    "q": ConversationKind.question,
    "inquiry": ConversationKind.question,
    "complaint": ConversationKind.complaint,
    "issue": ConversationKind.complaint,
    "ugc": ConversationKind.ugc,
    "user generated content": ConversationKind.ugc,
    "user-generated content": ConversationKind.ugc,
    "praise": ConversationKind.praise,
    "compliment": ConversationKind.praise,
    "thanks": ConversationKind.praise,
    "other": ConversationKind.other,
}
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "x", "ja", "wahr"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "", "nein", "falsch", "-"})


@dataclass(frozen=True)
class ImportOptions:
    """What the person chose for one import (the screen's form, the command line's flags)."""

    channel_id: int | None  # the channel of rows without a channel column (or without a value in it)
    mapping: Mapping[str, str]  # our field key -> the file's column name
    timezone: str | None = None  # the zone of timestamps written without an offset (chosen explicitly)
    date_order: str | None = None  # DMY / MDY; None: the file's own dates settle it, or it is refused
    ambiguous: str | None = None  # "earlier" / "later": how to read the hour the clocks show twice
    default_kind: str = ConversationKind.question
    file_name: str = ""
    create_channels: bool = False  # create the channels the file names that do not exist yet
    # Backfill: unanswered items received more than ``history_days`` before now are archived.
    history: bool = False
    history_days: int = DEFAULT_HISTORY_DAYS
    # Messages mode (one row per message): the team's own handles, when no column says it.
    team_handles: tuple[str, ...] = field(default_factory=tuple)


def suggest_mapping(columns: Sequence[str], *, messages: bool = False) -> dict[str, str]:
    """A first guess of the mapping from the header names (the user confirms or changes it)."""
    fields = MESSAGE_FIELDS if messages else FIELDS
    return guess_columns(columns, {spec.key: spec.hints for spec in fields})


def parse_mapping(text: str, *, messages: bool = False) -> dict[str, str]:
    """``received=Created at,author=User`` (as the command line takes it) → a mapping."""
    known = MESSAGE_FIELD_BY_KEY if messages else FIELD_BY_KEY
    mapping: dict[str, str] = {}
    for part in (p for p in text.split(",") if p.strip()):
        if "=" not in part:
            raise ValidationError(
                _("'{part}' is not field=column; write e.g. received=created_at,author=user.", part=part)
            )
        key, column = (s.strip() for s in part.split("=", 1))
        if key not in known:
            raise ValidationError(
                _("Unknown field '{key}'; the fields are {fields}.", key=key, fields=", ".join(known))
            )
        mapping[key] = column
    return mapping


def check_mapping(
    table: tabular.Table, mapping: Mapping[str, str], errors: tabular.RowErrors, *, messages: bool = False
) -> None:
    """Problems of the mapping itself, reported on the header row (row 1)."""
    fields = MESSAGE_FIELDS if messages else FIELDS
    known = {spec.key for spec in fields}
    present = set(table.columns)
    for key in mapping:
        if key not in known:
            errors.add(
                1, key, _("Unknown field '{key}'; the fields are {fields}.", key=key, fields=", ".join(sorted(known)))
            )
    for spec in fields:
        column = mapping.get(spec.key)
        if not column:
            if spec.required:
                errors.add(1, "", _("Map a column to '{field}': it is required.", field=_(spec.label)))
            continue
        if column not in present:
            errors.add(
                1,
                column,
                _(
                    "The column '{column}' (for {field}) is not in the file; its columns are: {columns}.",
                    column=column,
                    field=_(spec.label),
                    columns=", ".join(table.columns),
                ),
            )
    chosen = [c for c in mapping.values() if c]
    for column in sorted({c for c in chosen if chosen.count(c) > 1}):
        errors.add(1, column, _("The column '{column}' is mapped to more than one field.", column=column))


def kind_of(value: str, default_kind: str) -> str | None:
    text = value.strip().lower()
    if not text:
        return default_kind
    return KIND_SYNONYMS.get(text)


def flag_of(value: str) -> bool | None:
    """True / False for yes-no cells, None for anything else."""
    text = value.strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None
