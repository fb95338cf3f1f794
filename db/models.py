"""Every table of Dialog Desk, in one place.

Instants are stored in UTC (``UTCDateTime`` refuses naive values); whole local dates (holidays,
shipped dates, periods) are plain dates. Editable records carry a ``version`` that every update
checks and bumps, so a second save over a newer change is refused instead of overwriting it.
Enumerations are stored as short strings; the allowed values live in the ``StrEnum`` classes
below and are checked by the core.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from uuid import uuid4

from annotated_types import MaxLen
from sqlalchemy import Index, Text, UniqueConstraint
from sqlalchemy import text as sql_text
from sqlmodel import Field, SQLModel
from sqlmodel.main import SQLModelConfig

from db.types import UTCDateTime, utcnow

# Typed write inputs refuse names they do not know and cannot change after they are made.
_INPUT = SQLModelConfig(extra="forbid", frozen=True)


def _instant(*, nullable: bool = True, index: bool = False):
    return Field(
        default=None,
        sa_column_kwargs={},
        sa_type=UTCDateTime(),
        nullable=nullable,
        index=index,
    )


def _created():
    return Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)


def _text(*, max_length: int | None = None):
    # The column stays TEXT; ``max_length`` is the limit the core enforces on what people type.
    return Field(default="", sa_type=Text(), nullable=False, max_length=max_length)


def max_length(model: type[SQLModel], field: str) -> int:
    """The most characters ``model.field`` takes, as declared below (the core's checks and
    messages read the limit here instead of restating it)."""
    for constraint in model.model_fields[field].metadata:
        if isinstance(constraint, MaxLen):
            return constraint.max_length
    raise LookupError(f"{model.__name__}.{field} declares no max_length")


# --- enumerations -----------------------------------------------------------------------------


class Role(StrEnum):
    admin = "admin"
    lead = "lead"
    editor = "editor"
    community = "community"
    support = "support"
    analyst = "analyst"
    compliance = "compliance"
    viewer = "viewer"


class PostStatus(StrEnum):
    draft = "draft"
    in_review = "in_review"
    approved = "approved"
    scheduled = "scheduled"
    published = "published"
    cancelled = "cancelled"


class CognitiveLoad(StrEnum):
    low = "low"
    high = "high"


class NextStepType(StrEnum):
    poll = "poll"
    thread = "thread"
    form = "form"
    event = "event"
    guide_link = "guide_link"
    comment_prompt = "comment_prompt"


class IdeaSource(StrEnum):
    comment = "comment"
    dm = "dm"
    thread = "thread"
    form = "form"
    survey = "survey"
    team = "team"


class IdeaStatus(StrEnum):
    new = "new"
    valid = "valid"
    invalid = "invalid"
    planned = "planned"
    in_progress = "in_progress"
    shipped = "shipped"
    declined = "declined"


class ConversationKind(StrEnum):
    question = "question"
    complaint = "complaint"
    ugc = "ugc"
    praise = "praise"
    other = "other"


class ConversationStatus(StrEnum):
    open = "open"
    waiting = "waiting"
    resolved = "resolved"
    no_reply_needed = "no_reply_needed"
    # Imported history that was never answered: counted in the KPIs, not work in the queues.
    archived = "archived"


class LoopStatus(StrEnum):
    shipped = "shipped"
    announced = "announced"
    thanked = "thanked"
    measured = "measured"


class StopWordMode(StrEnum):
    block = "block"
    warn = "warn"


# --- people and workspace ---------------------------------------------------------------------


class WorkspaceBase(SQLModel):
    """The settings an admin or lead changes."""

    name: str = Field(default="Dialog Desk", max_length=120)
    timezone: str = Field(default="Europe/Berlin", max_length=64)
    high_load_run_limit: int = 2
    quick_win_min_impact: int = 4
    quick_win_max_cost: int = 2
    # The language of generated public texts (board, announcements, digests) and of every user who
    # has not chosen their own (core.i18n.LANGUAGES).
    language: str = Field(default="en", max_length=5, sa_column_kwargs={"server_default": "en"})


class Workspace(WorkspaceBase, table=True):
    """The one row of workspace-wide settings."""

    id: int | None = Field(default=None, primary_key=True)
    is_demo: bool = False
    # Generated once: the workspace's own part of every .ics UID, so two workspaces never collide.
    uid: str = Field(default_factory=lambda: str(uuid4()), max_length=36)
    created_at: dt.datetime = _created()
    version: int = 1
    # The weekday (Monday 0 … Sunday 6) the worker announces the weekly digest of the week before;
    # chosen by the people who edit the digest (core.live.worker.set_digest_day).
    digest_weekday: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class WorkspaceUpdate(SQLModel):
    """A change to the workspace settings: only the fields that are set change."""

    model_config = _INPUT

    name: str | None = None
    timezone: str | None = None
    high_load_run_limit: int | None = None
    quick_win_min_impact: int | None = None
    quick_win_max_cost: int | None = None
    language: str | None = None


class UserBase(SQLModel):
    username: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(default="", max_length=120)
    email: str = Field(default="", max_length=200)
    role: str = Field(max_length=20)


class User(UserBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=100)
    active: bool = True
    # The language the user reads Dialog Desk in; None: the workspace's.
    language: str | None = Field(default=None, max_length=5)
    password_changed_at: dt.datetime = _created()
    created_at: dt.datetime = _created()
    version: int = 1


class UserCreate(UserBase):
    """A new user (core.users.accounts.create_user)."""

    # As typed: the core normalises them and holds them to User's limits with a message.
    username: str
    name: str = ""
    email: str = ""
    role: str
    password: str


class DataVersion(SQLModel, table=True):
    """How often each domain's data has changed. Cached reads are keyed by these counters, so a
    save in any app process makes every process read that domain afresh, and only that domain."""

    __tablename__ = "data_version"
    domain: str = Field(primary_key=True, max_length=40)
    version: int = 0


class SignInThrottle(SQLModel, table=True):
    """Failed sign-ins counted per username (known or not, so both answer the same), per client
    address and for everyone together; a key that reaches its limit is locked for one window."""

    __tablename__ = "sign_in_throttle"
    scope: str = Field(primary_key=True, max_length=10)  # core.users.throttle.Scope
    key: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    window_started_at: dt.datetime = _created()
    locked_until: dt.datetime | None = _instant()
    last_failure_at: dt.datetime | None = _instant()


class UserSession(SQLModel, table=True):
    """A signed-in browser. Its cookie holds a random session id; this table keeps only a keyed
    hash of it, so a copy of the database cannot be turned into a cookie."""

    __tablename__ = "user_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: dt.datetime = _created()
    last_seen_at: dt.datetime = _created()
    expires_at: dt.datetime = Field(sa_type=UTCDateTime(), nullable=False)
    revoked_at: dt.datetime | None = _instant()
    revoked_reason: str = Field(default="", max_length=20)  # core.users.sessions.EndReason
    user_agent: str = Field(default="", max_length=300)
    client_address: str = Field(default="", max_length=64)


class DataImport(SQLModel, table=True):
    """One imported file: what it was, who imported it and what it created. The rows it created
    carry its id (``import_id``), so they can be listed; its audit entry names it."""

    __tablename__ = "data_import"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # conversations, messages, ideas, posts
    file_name: str = Field(default="", max_length=255)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    actor: str = Field(max_length=64)
    created_at: dt.datetime = _created()
    summary: str = Field(default="", sa_type=Text())  # JSON: counts and the ids created


def _import_id():
    return Field(default=None, foreign_key="data_import.id", index=True)


class AuditLog(SQLModel, table=True):
    """Who changed what, when: one row per write."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    actor: str = Field(max_length=64)
    action: str = Field(max_length=64, index=True)
    entity: str = Field(max_length=40)
    entity_id: int | None = None
    before: str | None = Field(default=None, sa_type=Text())
    after: str | None = Field(default=None, sa_type=Text())

    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)


WATCH_WINDOW_HOURS = 48  # how long after publishing a post's conversations go to its SLA owner


class ChannelBase(SQLModel):
    name: str = Field(max_length=80, unique=True)
    platform: str = Field(default="", max_length=40)
    url: str = Field(default="", max_length=300)
    daily_post_limit: int = 3
    # A published post's watch window on this channel: conversations on the post received within
    # it go to the post's SLA owner unless someone else took them.
    watch_window_hours: int = WATCH_WINDOW_HOURS


class Channel(ChannelBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    active: bool = True
    version: int = 1


class ChannelCreate(ChannelBase):
    """A new channel as the admin types it (the core trims and checks it)."""

    model_config = _INPUT


class ChannelUpdate(SQLModel):
    """A change to a channel: only the fields that are set change."""

    model_config = _INPUT

    name: str | None = None
    platform: str | None = None
    url: str | None = None
    daily_post_limit: int | None = None
    watch_window_hours: int | None = None
    active: bool | None = None


class AudienceSizeBase(SQLModel):
    channel_id: int = Field(foreign_key="channel.id", index=True)
    period_start: dt.date
    period_end: dt.date


class AudienceSize(AudienceSizeBase, table=True):
    """The audience of a channel over a period, entered by the analyst (for the active share)."""

    __tablename__ = "audience_size"
    id: int | None = Field(default=None, primary_key=True)
    size: int
    version: int = 1


class AudienceSizeCreate(AudienceSizeBase):
    """A new audience size (core.kpis.audience.add_audience_size)."""

    # As entered: the core refuses a fraction or a size under 1 with a message saying what to fix.
    size: int | float


class AudienceSizeUpdate(SQLModel):
    """A change to an audience size: only the fields given change."""

    period_start: dt.date | None = None
    period_end: dt.date | None = None
    size: int | float | None = None


# --- content calendar -------------------------------------------------------------------------


class Rubric(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    description: str = _text()
    builtin: bool = False
    active: bool = True


class StopWord(SQLModel, table=True):
    __tablename__ = "stop_word"
    id: int | None = Field(default=None, primary_key=True)
    word: str = Field(max_length=80, unique=True)
    mode: str = Field(default=StopWordMode.warn, max_length=10)


class PostBase(SQLModel):
    """What an author writes on a post: the editor's form, a template, a CSV row. The length
    limits here are the ones the core enforces (``core.content_plan.validation.max_chars``)."""

    title: str = Field(max_length=200)
    body: str = _text(max_length=20_000)
    channel_id: int = Field(foreign_key="channel.id", index=True)
    rubric_id: int | None = Field(default=None, foreign_key="rubric.id", index=True)
    template: str = Field(default="", max_length=40)
    format: str = Field(default="text", max_length=20)
    cognitive_load: str = Field(default=CognitiveLoad.low, max_length=10)
    owner_id: int | None = Field(default=None, foreign_key="user.id")
    sla_owner_id: int | None = Field(default=None, foreign_key="user.id")
    scheduled_at: dt.datetime | None = _instant(index=True)
    # The next step that turns reading into a dialog (paper §3).
    next_step_type: str = Field(default="", max_length=20)
    next_step_text: str = _text(max_length=2_000)
    micro_goal: str = Field(default="", max_length=300)
    link_url: str = Field(default="", max_length=1000)
    # Pre-publication checklist inputs (paper §13).
    tone_confirmed: bool = False
    subtitles: bool = False
    timecodes: bool = False
    alt_text: str = _text(max_length=2_000)
    contrast_confirmed: bool = False
    sponsored: bool = False
    partner: str = Field(default="", max_length=120)
    ad_label: bool = False


class Post(PostBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default=PostStatus.draft, max_length=20, index=True)
    published_at: dt.datetime | None = _instant(index=True)
    # Compliance block, shown on the post until resolved.
    blocked_reason: str = _text()
    blocked_by_id: int | None = Field(default=None, foreign_key="user.id")
    blocked_at: dt.datetime | None = _instant()
    # Metrics after publishing, typed in or imported.
    impressions: int | None = None
    reactions: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    guide_clicks: int | None = None
    next_step_conversions: int | None = None
    # Has been on the plan (scheduled or published) and so in the calendars that subscribe to the
    # .ics export: once taken off the schedule it is sent as cancelled, not left out.
    calendar_listed: bool = False
    # Where the post can be read on the platform once it is out: comments on it carry this link.
    published_url: str = Field(default="", max_length=1000)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = _created()
    updated_at: dt.datetime = _created()
    import_id: int | None = _import_id()
    version: int = 1

    __table_args__ = (
        Index("ix_post_channel_scheduled", "channel_id", "scheduled_at"),
        # A channel's published posts, newest first (the post a conversation came in on).
        Index("ix_post_channel_status_published", "channel_id", "status", "published_at"),
        # Posts of a status going out in a time range (home: waiting for approval today).
        Index("ix_post_status_scheduled", "status", "scheduled_at"),
    )


class PostCreate(PostBase):
    """A new post as its author wrote it; also the unsaved form the editor's checklist reads.
    The core checks the values (known format, existing channel, tagged links…)."""

    model_config = _INPUT


class PostUpdate(SQLModel):
    """A change to a post: only the fields that are set change (``model_fields_set``)."""

    model_config = _INPUT

    title: str | None = None
    body: str | None = None
    channel_id: int | None = None
    rubric_id: int | None = None
    template: str | None = None
    format: str | None = None
    cognitive_load: str | None = None
    owner_id: int | None = None
    sla_owner_id: int | None = None
    scheduled_at: dt.datetime | None = None
    next_step_type: str | None = None
    next_step_text: str | None = None
    micro_goal: str | None = None
    link_url: str | None = None
    tone_confirmed: bool | None = None
    subtitles: bool | None = None
    timecodes: bool | None = None
    alt_text: str | None = None
    contrast_confirmed: bool | None = None
    sponsored: bool | None = None
    partner: str | None = None
    ad_label: bool | None = None


class PostMetrics(SQLModel):
    """A published post's figures as typed in: only the fields that are set change; None clears one."""

    model_config = _INPUT

    impressions: int | None = None
    reactions: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    guide_clicks: int | None = None
    next_step_conversions: int | None = None


class HelpPath(SQLModel, table=True):
    """A place to send people who need help (a helpline, a support page) and when to use it:
    the library sensitive-topic posts link from."""

    __tablename__ = "help_path"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120, unique=True)
    url: str = Field(max_length=1000)
    when_to_use: str = _text(max_length=1_000)
    active: bool = True


class HelpPathCreate(SQLModel):
    model_config = _INPUT

    title: str
    url: str
    when_to_use: str = ""


class PostSensitivity(SQLModel, table=True):
    """A post marked as touching a sensitive topic: it needs a visible disclaimer, a help path
    from the library and a compliance review before it may be approved."""

    __tablename__ = "post_sensitivity"
    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", unique=True)
    disclaimer: str = _text(max_length=1_000)
    help_path_id: int | None = Field(default=None, foreign_key="help_path.id")
    marked_by_id: int | None = Field(default=None, foreign_key="user.id")
    marked_at: dt.datetime = _created()
    reviewed_by_id: int | None = Field(default=None, foreign_key="user.id")
    reviewed_at: dt.datetime | None = _instant()


class SensitiveTopicSave(SQLModel):
    """A post's sensitive-topic details, saved whole (a change voids the compliance review)."""

    model_config = _INPUT

    disclaimer: str = ""
    help_path_id: int | None = None


# --- idea board -------------------------------------------------------------------------------


class IdeaBase(SQLModel):
    """What an idea says, as people type it: shared by the table and its write inputs.

    The inputs take text as typed (no length check on construction): the core cleans it and checks
    it against the table's column lengths, with messages that say what to fix."""

    title: str
    description: str = _text()
    source: str = IdeaSource.team
    channel_id: int | None = Field(default=None, foreign_key="channel.id", index=True)
    source_url: str = ""
    category: str = ""
    # The post that collected it (an "Ideas for the product" call, the post a comment answered).
    post_id: int | None = Field(default=None, foreign_key="post.id", index=True)


class Idea(IdeaBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # The column lengths: the core reads its limits (title, link, category) from here.
    title: str = Field(max_length=200)
    source: str = Field(default=IdeaSource.team, max_length=20, index=True)
    source_url: str = Field(default="", max_length=1000)
    category: str = Field(default="", max_length=80)
    status: str = Field(default=IdeaStatus.new, max_length=20, index=True)
    status_reason: str = _text()
    impact: int | None = None
    cost: int | None = None
    scored_by_id: int | None = Field(default=None, foreign_key="user.id")
    scored_at: dt.datetime | None = _instant()
    valid_at: dt.datetime | None = _instant(index=True)
    shipped_at: dt.datetime | None = _instant(index=True)
    merged_into_id: int | None = Field(default=None, foreign_key="idea.id", index=True)
    hot_plan_position: int | None = None
    import_key: str | None = Field(default=None, max_length=64, unique=True)
    import_id: int | None = _import_id()
    logged_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False, index=True)
    version: int = 1
    # Its givers and votes, counted: kept in step by ``db.counters`` in the transaction that writes them,
    # so the board's columns read their first ideas by demand from ``ix_idea_board``.
    demand: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    votes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})

    __table_args__ = (
        # New ideas from one source since a day (home: the rollout's idea form).
        Index("ix_idea_source_created", "source", "created_at"),
        Index(
            "ix_idea_board",
            "status",
            "demand",
            "votes",
            "created_at",
            "id",
            sqlite_where=sql_text("merged_into_id IS NULL"),
            postgresql_where=sql_text("merged_into_id IS NULL"),
        ),
    )


class IdeaCreate(IdeaBase):
    """A new idea as logged on the board: what it says and who gave it."""

    # Free text ("@ann, @bo") or a list; the core splits, trims and checks the handles.
    handles: str | list[str] = ""


class IdeaUpdate(SQLModel):
    """An edit of what an idea says: only the fields given change (``channel_id=None`` clears the channel)."""

    title: str | None = None
    description: str | None = None
    category: str | None = None
    channel_id: int | None = None
    source_url: str | None = None
    post_id: int | None = None  # None clears it


class IdeaFromConversation(SQLModel):
    """A new idea from a conversation (core.ideas.from_conversations): its author becomes the
    giver; its link, channel, post and (unless one is typed) category come along."""

    model_config = _INPUT

    conversation_id: int
    # As typed; empty: the first sentence of the conversation's text.
    title: str = ""
    description: str = ""
    category: str | None = None  # None: the conversation's category
    source: str = IdeaSource.comment


class IdeaGiver(SQLModel, table=True):
    """A person in the community who gave an idea: the handle as written and its key
    (``core.handles.handle_key``), one row per person and idea."""

    __tablename__ = "idea_giver"
    id: int | None = Field(default=None, primary_key=True)
    idea_id: int = Field(foreign_key="idea.id", index=True)
    handle: str = Field(max_length=120)
    handle_key: str = Field(default="", max_length=120)
    channel_id: int | None = Field(default=None, foreign_key="channel.id")
    given_at: dt.datetime = _created()
    # Where the row came from before a merge moved it, so the merge can be undone.
    origin_idea_id: int | None = Field(default=None, foreign_key="idea.id")
    import_id: int | None = _import_id()

    __table_args__ = (
        UniqueConstraint("idea_id", "handle_key", name="uq_idea_giver_key"),
        # KPIs: people active in a period, and each person's first and next interaction.
        Index("ix_idea_giver_given_at", "given_at"),
        Index("ix_idea_giver_key_given", "handle_key", "given_at"),
    )


class IdeaConversation(SQLModel, table=True):
    """A conversation an idea came from: the idea lists its conversations, a conversation shows
    its idea (one idea per conversation; a merge keeps the link on the merged idea)."""

    __tablename__ = "idea_conversation"
    id: int | None = Field(default=None, primary_key=True)
    idea_id: int = Field(foreign_key="idea.id", index=True)
    conversation_id: int = Field(foreign_key="conversation.id")
    linked_by_id: int | None = Field(default=None, foreign_key="user.id")
    linked_at: dt.datetime = _created()

    __table_args__ = (UniqueConstraint("conversation_id", name="uq_idea_conversation_conversation"),)


class Vote(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    idea_id: int = Field(foreign_key="idea.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    created_at: dt.datetime = _created()
    origin_idea_id: int | None = Field(default=None, foreign_key="idea.id")

    __table_args__ = (UniqueConstraint("idea_id", "user_id", name="uq_vote_idea_user"),)


# --- SLA --------------------------------------------------------------------------------------
# Write contracts beside their tables: ``XBase`` holds what people type, as typed (no length
# check on construction), ``XCreate`` / ``XUpdate`` carry it to the core, and the table declares
# the column lengths. The core checks values against those lengths (``core.sla.checks``) with
# messages that say what to fix.


class BusinessCalendarRow(SQLModel, table=True):
    """A business calendar: time zone, weekly schedule and holidays (JSON as in
    ``core.sla.business_time.BusinessCalendar.from_dict``)."""

    __tablename__ = "business_calendar"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    definition: str = Field(sa_type=Text())
    version: int = 1


class SlaPolicyBase(SQLModel):
    """An SLA policy as a lead writes it: its name, when an open item counts as at risk, and the
    conversations it is for. The first-response target is declared per class: the table stores
    whole minutes, the inputs take the number as entered (the core refuses a fraction)."""

    name: str
    at_risk_share: float = 0.25
    at_risk_min_minutes: int = 15
    # Optional scope: a policy for one channel and/or one kind wins over the general one.
    channel_id: int | None = Field(default=None, foreign_key="channel.id")
    kind: str | None = None


class SlaPolicy(SlaPolicyBase, table=True):
    __tablename__ = "sla_policy"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    kind: str | None = Field(default=None, max_length=20)
    first_response_minutes: int = 120
    calendar_id: int = Field(foreign_key="business_calendar.id")
    active: bool = True
    version: int = 1


class SlaPolicyCreate(SlaPolicyBase):
    """A new policy (core.sla.policy_admin.create_policy; its business calendar goes beside it)."""

    # As entered: the core refuses a fraction of a minute with a message saying what to fix.
    first_response_minutes: int | float = 120


class SlaPolicyUpdate(SQLModel):
    """A change to a policy: only the fields given change (``channel_id=None`` means every channel)."""

    name: str | None = None
    first_response_minutes: int | float | None = None
    at_risk_share: float | None = None
    at_risk_min_minutes: int | None = None
    channel_id: int | None = None
    kind: str | None = None
    active: bool | None = None


ESCALATION_DEADLINE_MINUTES = 480  # one business day of eight hours


class Raci(StrEnum):
    """Who does what on an escalation (paper §14). The accountable one is the team's owner."""

    responsible = "responsible"  # does the work: escalations are assigned to them
    accountable = "accountable"  # owns the outcome (EscalationTeam.owner_id)
    consulted = "consulted"  # asked before a decision
    informed = "informed"  # told what happened


class EscalationTeamBase(SQLModel):
    """A team conversations are escalated to, with its accountable owner and its deadline."""

    name: str
    description: str = _text()
    # The accountable owner in the RACI sense (paper §14).
    owner_id: int | None = Field(default=None, foreign_key="user.id")
    # The business hours the escalation deadline counts in; None: the conversation's SLA calendar.
    calendar_id: int | None = Field(default=None, foreign_key="business_calendar.id")


class EscalationTeam(EscalationTeamBase, table=True):
    __tablename__ = "escalation_team"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    # Business minutes from the escalation to the deadline for resolving it.
    deadline_minutes: int = ESCALATION_DEADLINE_MINUTES
    version: int = 1


class EscalationTeamMember(SQLModel, table=True):
    """A person's part in an escalation team: responsible, consulted or informed (RACI)."""

    __tablename__ = "escalation_team_member"
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="escalation_team.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    raci: str = Field(max_length=20)  # Raci, never "accountable" (that is the team's owner)

    __table_args__ = (UniqueConstraint("team_id", "user_id", "raci", name="uq_escalation_team_member"),)


class EscalationTeamCreate(EscalationTeamBase):
    """A new escalation team (core.sla.teams.create_team) with its RACI people."""

    # As entered: the core refuses a fraction of a minute with a message saying what to fix.
    deadline_minutes: int | float = ESCALATION_DEADLINE_MINUTES
    responsible_ids: list[int] = Field(default_factory=list)
    consulted_ids: list[int] = Field(default_factory=list)
    informed_ids: list[int] = Field(default_factory=list)


class EscalationTeamUpdate(SQLModel):
    """A change to an escalation team: only the fields given change (a list given replaces the people)."""

    name: str | None = None
    description: str | None = None
    owner_id: int | None = None
    calendar_id: int | None = None
    deadline_minutes: int | float | None = None
    responsible_ids: list[int] | None = None
    consulted_ids: list[int] | None = None
    informed_ids: list[int] | None = None


class QuickAnswerBase(SQLModel):
    """A script for a typical question or a FAQ entry (paper §5, §12)."""

    title: str
    category: str = ""
    text: str = Field(sa_type=Text())
    link: str = ""
    kind: str = "script"


class QuickAnswer(QuickAnswerBase, table=True):
    __tablename__ = "quick_answer"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    category: str = Field(default="", max_length=80, index=True)
    link: str = Field(default="", max_length=1000)
    kind: str = Field(default="script", max_length=10)
    use_count: int = 0
    version: int = 1


class QuickAnswerCreate(QuickAnswerBase):
    """A new entry of the quick-answer library (core.sla.quick_answers.create_quick_answer)."""


class QuickAnswerUpdate(SQLModel):
    """A change to a quick answer: only the fields given change."""

    title: str | None = None
    category: str | None = None
    text: str | None = None
    link: str | None = None
    kind: str | None = None


class ConversationBase(SQLModel):
    """A message from the community as it arrived on a channel."""

    channel_id: int = Field(foreign_key="channel.id")  # first in uq_conversation_external
    external_id: str | None = None
    kind: str = ConversationKind.question
    author_handle: str
    text: str = _text()
    link: str = ""
    category: str = ""
    received_at: dt.datetime = Field(sa_type=UTCDateTime(), nullable=False)  # first in ix_conversation_kpi


class Conversation(ConversationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    external_id: str | None = Field(default=None, max_length=120)
    kind: str = Field(default=ConversationKind.question, max_length=20)
    # As written; never searched (revision 0013 dropped its index): people are found by author_key.
    author_handle: str = Field(max_length=120)
    # Who wrote it (core.handles.handle_key): the people KPIs count keys, not spellings.
    author_key: str = Field(default="", max_length=120)
    link: str = Field(default="", max_length=1000)
    category: str = Field(default="", max_length=80)  # first in ix_conversation_category_received
    first_reply_at: dt.datetime | None = _instant()
    resolved_at: dt.datetime | None = _instant()
    status: str = Field(
        default=ConversationStatus.open, max_length=20
    )  # first in ix_conversation_status_reply_deadline
    no_reply_reason: str = _text()
    assignee_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    escalation_team_id: int | None = Field(default=None, foreign_key="escalation_team.id")
    escalated_at: dt.datetime | None = _instant()
    escalation_reason: str = _text()
    # When the escalation team should have resolved it, in the team's business time.
    escalation_deadline_at: dt.datetime | None = _instant()
    quick_answer_id: int | None = Field(default=None, foreign_key="quick_answer.id")
    useful: bool = False
    best: bool = False
    engagement: int = 0
    # The post this conversation answers (a comment under it, a reply to it), when known.
    post_id: int | None = Field(default=None, foreign_key="post.id", index=True)
    # SLA figures fixed when the conversation is stored (a changed policy applies to new items;
    # recomputing old ones is an explicit admin action).
    sla_policy_id: int | None = Field(default=None, foreign_key="sla_policy.id")
    deadline_at: dt.datetime | None = _instant(index=True)
    window_minutes: float | None = None
    business_minutes_to_reply: float | None = None
    calendar_minutes_to_reply: float | None = None
    reply_before_message: bool = False
    created_at: dt.datetime = _created()
    import_id: int | None = _import_id()
    version: int = 1

    __table_args__ = (
        UniqueConstraint("channel_id", "external_id", name="uq_conversation_external"),
        # The SLA queues: open items still waiting for a first reply, nearest deadline first.
        Index("ix_conversation_status_reply_deadline", "status", "first_reply_at", "deadline_at"),
        # Open escalations per team.
        Index("ix_conversation_escalation", "escalation_team_id", "status"),
        # KPIs: each person's first and next interaction (returns D7/D30).
        Index("ix_conversation_author_received", "author_key", "received_at"),
        # KPIs: every per-period figure is read from this index alone (no table lookups).
        Index(
            "ix_conversation_kpi",
            "received_at",
            "kind",
            "status",
            "reply_before_message",
            "channel_id",
            "business_minutes_to_reply",
            "calendar_minutes_to_reply",
            "deadline_at",
            "first_reply_at",
            "escalated_at",
            "escalation_team_id",
            "useful",
            "author_key",
        ),
        # "You asked, we did" impact: conversations in some categories over a date range.
        Index("ix_conversation_category_received", "category", "received_at"),
    )


class MessageSource(StrEnum):
    typed = "typed"  # written on the SLA screen
    quick_answer = "quick_answer"  # a quick answer from the library, maybe edited
    imported = "imported"  # from a platform export
    api = "api"  # pushed by the ingest endpoint


class ConversationMessage(SQLModel, table=True):
    """One message of a conversation's thread, in the order it was sent: the community member's
    own messages and the team's public replies (internal notes are not messages)."""

    __tablename__ = "conversation_message"
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id")
    # The platform's id of the message, when it came from an export or a webhook.
    external_id: str | None = Field(default=None, max_length=120)
    sent_at: dt.datetime = Field(sa_type=UTCDateTime(), nullable=False)
    from_team: bool = False
    author_handle: str = Field(default="", max_length=120)
    # The team member who wrote or logged a reply.
    user_id: int | None = Field(default=None, foreign_key="user.id")
    text: str = _text(max_length=10_000)
    quick_answer_id: int | None = Field(default=None, foreign_key="quick_answer.id")
    source: str = Field(default=MessageSource.typed, max_length=20)
    created_at: dt.datetime = _created()
    import_id: int | None = _import_id()

    __table_args__ = (
        UniqueConstraint("conversation_id", "external_id", name="uq_conversation_message_external"),
        Index("ix_conversation_message_thread", "conversation_id", "sent_at"),
    )


class ConversationCreate(ConversationBase):
    """A conversation typed in by hand (core.sla.conversations.log_conversation); its SLA
    figures are computed by the core."""

    # The post it answers, when known; a link to a published post finds it too.
    post_id: int | None = None


# --- "You asked, we did" ----------------------------------------------------------------------


IMPACT_WINDOW_DAYS = 30  # whole local days before and after the shipped day, unless set otherwise


class LoopItemBase(SQLModel):
    what_changed: str = Field(max_length=300)
    details: str = _text()
    shipped_on: dt.date = Field(index=True)
    impact_window_days: int = IMPACT_WINDOW_DAYS


class LoopItem(LoopItemBase, table=True):
    __tablename__ = "loop_item"
    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default=LoopStatus.shipped, max_length=20, index=True)
    announcement_post_id: int | None = Field(default=None, foreign_key="post.id", index=True)
    announced_at: dt.datetime | None = _instant()
    # Impact: NPS before/after, or conversation counts in these categories around shipping.
    nps_before: float | None = None
    nps_after: float | None = None
    impact_categories: str = Field(default="", max_length=300)  # comma-separated
    measured_at: dt.datetime | None = _instant()
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = _created()
    version: int = 1


class LoopItemCreate(LoopItemBase):
    """Opening a loop for one or more ideas (core.loop.items.create_loop_item)."""

    # As typed: the core tidies the spaces, then holds it to LoopItem's limit with a message.
    what_changed: str
    idea_ids: list[int]
    # The version of each idea as the person loaded it; ideas not shipped yet are shipped on the way.
    idea_versions: dict[int, int] = Field(default_factory=dict)
    impact_categories: list[str] | None = None  # None: the categories of the linked ideas


class LoopItemUpdate(SQLModel):
    """A correction to a loop item: only the fields given change."""

    what_changed: str | None = None
    details: str | None = None
    shipped_on: dt.date | None = None


class LoopItemImpact(SQLModel):
    """How a loop item's effect is measured, set as a whole: NPS before and after, and/or the
    conversations in these categories in the window's days before and after shipping."""

    nps_before: float | None = None
    nps_after: float | None = None
    impact_categories: list[str] = Field(default_factory=list)
    impact_window_days: int = IMPACT_WINDOW_DAYS


class LoopItemIdea(SQLModel, table=True):
    __tablename__ = "loop_item_idea"
    loop_item_id: int = Field(foreign_key="loop_item.id", primary_key=True)
    idea_id: int = Field(foreign_key="idea.id", primary_key=True, index=True)


class LoopThanks(SQLModel, table=True):
    """An idea giver thanked for a loop item."""

    __tablename__ = "loop_thanks"
    id: int | None = Field(default=None, primary_key=True)
    loop_item_id: int = Field(foreign_key="loop_item.id", index=True)
    handle: str = Field(max_length=120)
    handle_key: str = Field(default="", max_length=120)
    thanked_by_id: int | None = Field(default=None, foreign_key="user.id")
    thanked_at: dt.datetime = _created()

    __table_args__ = (UniqueConstraint("loop_item_id", "handle_key", name="uq_loop_thanks_key"),)


# --- weekly rituals ---------------------------------------------------------------------------


class WeeklyDigestNoteBase(SQLModel):
    week_start: dt.date = Field(unique=True)
    hero_handle: str = Field(default="", max_length=120)
    hero_reason: str = Field(default="", sa_type=Text(), nullable=False, max_length=1000)
    next_topic: str = Field(default="", max_length=300)


class WeeklyDigestNote(WeeklyDigestNoteBase, table=True):
    """The community manager's picks for a week's digest: hero of the week and next topic."""

    __tablename__ = "weekly_digest_note"
    id: int | None = Field(default=None, primary_key=True)
    chosen_by_id: int | None = Field(default=None, foreign_key="user.id")
    version: int = 1


class WeeklyDigestNoteSave(WeeklyDigestNoteBase):
    """The picks for one week, saved whole: a new note, or over the version the person loaded."""

    # As typed: the core trims them, then holds them to the limits above with a message.
    hero_handle: str = ""
    hero_reason: str = ""
    next_topic: str = ""


# --- live operations: notifications, the worker, comments, the ingest API ----------------------


class NotifyChannel(StrEnum):
    """Where a person wants one kind of event: the inbox, e-mail, the team's chat, or nowhere."""

    in_app = "in_app"
    email = "email"
    webhook = "webhook"
    off = "off"


class DeliveryStatus(StrEnum):
    queued = "queued"  # waiting for its time (or for the server to come back)
    sending = "sending"  # claimed by one worker until ``claimed_until``
    delivered = "delivered"
    failed = "failed"  # gave up after the last attempt


class Notification(SQLModel, table=True):
    """Something happened that people are told about, stored once (``dedupe_key``: one "at risk"
    per conversation, one mention per comment and person, …)."""

    __tablename__ = "notification"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)
    dedupe_key: str = Field(max_length=200, unique=True)
    entity: str = Field(default="", max_length=40)
    entity_id: int | None = None
    title: str = Field(max_length=300)
    body: str = _text()
    urgent: bool = False  # a breach: sent during quiet hours too
    created_at: dt.datetime = _created()


class NotificationDelivery(SQLModel, table=True):
    """One notification for one person on one channel: the in-app inbox entry, or a row of the
    outbox that the worker sends (attempts with backoff, then delivered or failed)."""

    __tablename__ = "notification_delivery"
    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notification.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    channel: str = Field(max_length=10)  # NotifyChannel, never "off"
    status: str = Field(default=DeliveryStatus.queued, max_length=10)
    attempts: int = 0
    next_attempt_at: dt.datetime = _created()
    claimed_by: str = Field(default="", max_length=64)
    claimed_until: dt.datetime | None = _instant()
    last_error: str = _text()
    delivered_at: dt.datetime | None = _instant()
    read_at: dt.datetime | None = _instant()
    created_at: dt.datetime = _created()

    __table_args__ = (
        UniqueConstraint("notification_id", "user_id", "channel", name="uq_notification_delivery_once"),
        # The worker: due rows of the outbox.
        Index("ix_notification_delivery_due", "status", "next_attempt_at"),
        # The sidebar: a person's unread inbox entries.
        Index("ix_notification_delivery_inbox", "user_id", "channel", "read_at"),
    )


class NotificationPreference(SQLModel, table=True):
    """A person's choice for one kind of event (no row: the kind's default)."""

    __tablename__ = "notification_preference"
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    kind: str = Field(primary_key=True, max_length=30)
    channel: str = Field(max_length=10)  # NotifyChannel


class WorkerLease(SQLModel, table=True):
    """A job only one worker runs at a time (the SLA scan, the digest): held until ``expires_at``."""

    __tablename__ = "worker_lease"
    name: str = Field(primary_key=True, max_length=40)
    holder: str = Field(default="", max_length=64)
    expires_at: dt.datetime = _created()


class Comment(SQLModel, table=True):
    """An internal note on a post, an idea or a conversation; never exported, never public."""

    __tablename__ = "comment"
    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=20)  # post, idea, conversation
    entity_id: int
    author_id: int | None = Field(default=None, foreign_key="user.id")
    text: str = _text(max_length=5_000)
    created_at: dt.datetime = _created()

    __table_args__ = (Index("ix_comment_entity", "entity", "entity_id", "created_at"),)


class CommentCreate(SQLModel):
    model_config = _INPUT

    entity: str
    entity_id: int
    text: str


class ApiToken(SQLModel, table=True):
    """A key for the ingest endpoint, good for one channel; only its hash is stored."""

    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channel.id", index=True)
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = _created()
    revoked_at: dt.datetime | None = _instant()
    last_used_at: dt.datetime | None = _instant()


class ApiTokenCreate(SQLModel):
    model_config = _INPUT

    channel_id: int
    name: str


# --- community and moderation -----------------------------------------------------------------


class MemberRole(StrEnum):
    """A community member's role: the first three derived from activity, the last two given by hand."""

    newcomer = "newcomer"
    active = "active"
    activist = "activist"
    expert = "expert"
    moderator = "moderator"


class FlagCategory(StrEnum):
    toxic = "toxic"
    spam = "spam"
    manipulation = "manipulation"
    off_topic = "off_topic"
    sensitive = "sensitive"


class FlagSeverity(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class FlagSource(StrEnum):
    hand = "hand"  # set by a moderator
    word_list = "word_list"  # suggested by the word lists, confirmed by a moderator


class ModerationKind(StrEnum):
    hidden = "hidden"
    deleted = "deleted"  # deleted on the platform
    warned = "warned"
    muted = "muted"  # the member, until …
    slow_mode = "slow_mode"  # the thread, until …


class CommunitySettingsBase(SQLModel):
    """The lead's rules for the derived member roles (paper §4) and the rota's calendar."""

    # active: at least this many contributions (conversations, ideas) in the window
    active_min_contributions: int = 3
    active_window_days: int = 30
    # activist: at least this many useful contributions (useful or best answers, valid ideas) in the window
    activist_min_useful: int = 5
    activist_window_days: int = 30
    # newcomer: first seen within this many days
    newcomer_days: int = 30
    # The business hours the on-call rota must cover (None: the first calendar).
    rota_calendar_id: int | None = Field(default=None, foreign_key="business_calendar.id")


class CommunitySettings(CommunitySettingsBase, table=True):
    __tablename__ = "community_settings"
    id: int | None = Field(default=None, primary_key=True)
    version: int = 1


class CommunitySettingsUpdate(SQLModel):
    """A change to the role rules: only the fields given change."""

    model_config = _INPUT

    active_min_contributions: int | None = None
    active_window_days: int | None = None
    activist_min_useful: int | None = None
    activist_window_days: int | None = None
    newcomer_days: int | None = None
    rota_calendar_id: int | None = None


class MemberMerge(SQLModel, table=True):
    """Two identities of one person merged by hand: ``handle_key`` now counts as ``into_key``.
    Undoing the merge deletes the row, which leaves everything exactly as before."""

    __tablename__ = "member_merge"
    id: int | None = Field(default=None, primary_key=True)
    handle_key: str = Field(max_length=120, unique=True)
    into_key: str = Field(max_length=120, index=True)
    merged_by_id: int | None = Field(default=None, foreign_key="user.id")
    merged_at: dt.datetime = _created()


class MemberRoleGrant(SQLModel, table=True):
    """A role given by hand (expert, moderator) to a member's identity."""

    __tablename__ = "member_role_grant"
    id: int | None = Field(default=None, primary_key=True)
    handle_key: str = Field(max_length=120, index=True)
    role: str = Field(max_length=20)
    given_by_id: int | None = Field(default=None, foreign_key="user.id")
    given_at: dt.datetime = _created()

    __table_args__ = (UniqueConstraint("handle_key", "role", name="uq_member_role_grant"),)


class CommunityRules(SQLModel, table=True):
    """One version of the community rules; the newest is the one in force."""

    __tablename__ = "community_rules"
    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    text: str = _text(max_length=20_000)
    change_note: str = Field(default="", max_length=300)
    published_by_id: int | None = Field(default=None, foreign_key="user.id")
    published_at: dt.datetime = _created()


class FlagWord(SQLModel, table=True):
    """A word (or phrase) of the lead's lists that suggests a flag, matched like stop words."""

    __tablename__ = "flag_word"
    id: int | None = Field(default=None, primary_key=True)
    word: str = Field(max_length=80)
    language: str = Field(default="en", max_length=5)
    category: str = Field(default=FlagCategory.toxic, max_length=20)
    severity: str = Field(default=FlagSeverity.medium, max_length=10)

    __table_args__ = (UniqueConstraint("word", "category", name="uq_flag_word"),)


class FlagWordCreate(SQLModel):
    model_config = _INPUT

    word: str
    language: str = "en"
    category: str = FlagCategory.toxic
    severity: str = FlagSeverity.medium


class ModerationFlag(SQLModel, table=True):
    """A conversation flagged for moderation, by hand or from the word lists."""

    __tablename__ = "moderation_flag"
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    category: str = Field(max_length=20)
    severity: str = Field(max_length=10)
    source: str = Field(default=FlagSource.hand, max_length=10)
    words: str = Field(default="", max_length=300)  # the words that suggested it
    note: str = _text(max_length=2_000)
    flagged_by_id: int | None = Field(default=None, foreign_key="user.id")
    flagged_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False, index=True)
    # The first moderation action on it (or its dismissal) closes it: time to moderate.
    closed_at: dt.datetime | None = _instant()
    dismissed: bool = False


class ModerationFlagCreate(SQLModel):
    model_config = _INPUT

    conversation_id: int
    category: str
    severity: str = FlagSeverity.medium
    note: str = ""
    source: str = FlagSource.hand
    words: str = ""


class ModerationAction(SQLModel, table=True):
    """What the team did about a conversation, with the rule it enforces."""

    __tablename__ = "moderation_action"
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    kind: str = Field(max_length=20)
    # Muted members and slow-mode threads: until when (None for the other kinds).
    until: dt.datetime | None = _instant()
    member_key: str = Field(default="", max_length=120, index=True)
    rules_id: int | None = Field(default=None, foreign_key="community_rules.id")
    rule: str = Field(default="", max_length=200)  # which rule of that version it enforces
    note: str = _text(max_length=2_000)
    acted_by_id: int | None = Field(default=None, foreign_key="user.id")
    acted_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False, index=True)


class ModerationActionCreate(SQLModel):
    model_config = _INPUT

    conversation_id: int
    kind: str
    rule: str
    until: dt.datetime | None = None
    note: str = ""


class OnCallShift(SQLModel, table=True):
    """A moderator on call from ``starts_at`` to ``ends_at``."""

    __tablename__ = "on_call_shift"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    starts_at: dt.datetime = Field(sa_type=UTCDateTime(), nullable=False, index=True)
    ends_at: dt.datetime = Field(sa_type=UTCDateTime(), nullable=False)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")


class OnCallShiftCreate(SQLModel):
    model_config = _INPUT

    user_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime


class RolloutTick(SQLModel, table=True):
    """A step of the 60-day rollout ticked by hand, with who and when."""

    __tablename__ = "rollout_tick"
    id: int | None = Field(default=None, primary_key=True)
    step: str = Field(max_length=40, unique=True)
    ticked_by_id: int | None = Field(default=None, foreign_key="user.id")
    ticked_at: dt.datetime = _created()


class MemberOnboarding(SQLModel, table=True):
    """A newcomer's onboarding checklist: welcomed and rules linked by hand (the first question
    answered is read from their conversations)."""

    __tablename__ = "member_onboarding"
    id: int | None = Field(default=None, primary_key=True)
    handle_key: str = Field(max_length=120, unique=True)
    welcomed_at: dt.datetime | None = _instant()
    welcomed_by_id: int | None = Field(default=None, foreign_key="user.id")
    rules_linked_at: dt.datetime | None = _instant()
    rules_linked_by_id: int | None = Field(default=None, foreign_key="user.id")


class ConsentStatus(StrEnum):
    asked = "asked"
    given = "given"
    refused = "refused"


class UgcConsent(SQLModel, table=True):
    """The author's consent to reuse a piece of UGC in a showcase: asked, given or refused, when."""

    __tablename__ = "ugc_consent"
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", unique=True)
    status: str = Field(max_length=10)
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    recorded_at: dt.datetime = _created()


class RitualFormat(SQLModel, table=True):
    """A recurring format (Friday AMA, question of the week, team briefing, challenge): each week
    on its weekday and time it becomes a draft in the content calendar."""

    __tablename__ = "ritual_format"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    weekday: int  # 0 = Monday
    local_time: str = Field(max_length=5)  # "HH:MM" in the workspace's time zone
    channel_id: int = Field(foreign_key="channel.id")
    rubric_id: int | None = Field(default=None, foreign_key="rubric.id")
    prompt: str = _text(max_length=2_000)
    active: bool = True


class RitualFormatCreate(SQLModel):
    model_config = _INPUT

    name: str
    weekday: int
    local_time: str
    channel_id: int
    rubric_id: int | None = None
    prompt: str = ""


class RitualDraft(SQLModel, table=True):
    """The draft a ritual created for one local date (so a week is drafted once)."""

    __tablename__ = "ritual_draft"
    id: int | None = Field(default=None, primary_key=True)
    ritual_id: int = Field(foreign_key="ritual_format.id")
    day: dt.date
    post_id: int = Field(foreign_key="post.id")

    __table_args__ = (UniqueConstraint("ritual_id", "day", name="uq_ritual_draft"),)


# --- languages: generated texts in the workspace's language, worded by the lead ---------------


class TextTemplateBase(SQLModel):
    # A key of core.text_templates.TEMPLATES (announcement, thank_you, monthly_update, …).
    key: str = Field(max_length=40)
    language: str = Field(max_length=5)
    body: str = Field(sa_type=Text(), nullable=False, max_length=10_000)


class TextTemplate(TextTemplateBase, table=True):
    """The lead's own wording of one generated text in one language (none: the shipped wording)."""

    __tablename__ = "text_template"
    id: int | None = Field(default=None, primary_key=True)
    updated_at: dt.datetime = _created()
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    version: int = 1

    __table_args__ = (UniqueConstraint("key", "language", name="uq_text_template"),)


# Kept in step on every session that writes through these tables (imported last: it reads them).
from db import counters as _counters  # noqa: E402, F401
