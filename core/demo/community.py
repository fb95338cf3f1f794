"""The demo's community: roles given by hand beside the derived ones, the community rules in two
versions, the shipped word lists, a toxic thread flagged (and one in slow mode, one warned and
a spam post still waiting on the word lists), an on-call rota with one gap, and the 60-day
rollout in progress: started ``ROLLOUT_DAYS_AGO`` days before today, so the steps whose evidence
the demo has since then are ticked (the first five of nine) and the later ones are open. Draws
nothing from the random stream: it is called last."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from core.community import identities, moderation, rituals, rota
from core.demo.builder import DemoBuilder
from core.permissions import Actor
from core.records import stored_id
from core.sla import policies
from db.models import (
    Channel,
    Conversation,
    ConversationKind,
    FlagSource,
    MemberRole,
    ModerationActionCreate,
    ModerationFlagCreate,
    OnCallShiftCreate,
    RitualFormatCreate,
    Role,
    User,
    Workspace,
)

# The demo's rollout began this many days before today: the channel audit, the rules, the quick
# answers, the SLA and the three rubrics have evidence since then; the idea form and the retro (their
# evidence is 12 to 13 days old), the hero ritual and the plan's review have not.
ROLLOUT_DAYS_AGO = 9

RULES_V1 = (
    "1. Be kind: no insults, no personal attacks.\n"
    "2. No spam, no ads, no links to shops.\n"
    "3. Stay on topic: this space is about our product.\n"
    "4. No personal data of others."
)
RULES_V2 = RULES_V1 + "\n5. Sensitive topics: we point to help; we do not give medical or legal advice."

# (handle, channel index, hours ago, text, category): the thread the demo moderates.
TOXIC = (
    ("@grumpy.gus", 0, 30, "You are all idiots, the export is trash.", "export"),
    (
        "@Grumpy.Gus",
        0,
        27,
        "Still no fix. Shut up with your 'we are on it', morons. Notifications keep coming.",
        "notifications",
    ),
    ("@cheap.likes", 1, 20, "Buy followers now!!! Free followers on every plan, click here", "pricing"),
    (
        "@grumpy.gus",
        2,
        6,
        "Was für ein Scheißladen. Ihr Vollpfosten, die App hat schon wieder einen crash.",
        "mobile app",
    ),
    ("@Rude.Rita", 0, 2, "Where is my invoice, you idiots? Third time I ask.", "billing"),
)


def add_community(demo: DemoBuilder, *, users: dict[str, User], channels: list[Channel]) -> None:
    session, lead = demo.session, _actor(users["lead"])
    cora = _actor(users["community"])
    now = demo.local(demo.today, 9)
    _start_rollout(demo)
    identities.give_role(session=session, actor=cora, handle="@sofia2", role=MemberRole.expert)
    identities.give_role(session=session, actor=lead, handle="@ida10", role=MemberRole.moderator)
    identities.merge_identities(session=session, actor=cora, handle="@tom24", into="@tom39")
    moderation.publish_rules(session=session, actor=lead, text=RULES_V1, change_note="First version")
    moderation.publish_rules(session=session, actor=lead, text=RULES_V2, change_note="Help for sensitive topics")
    for language in moderation.LANGUAGES:
        moderation.add_shipped_words(session=session, actor=lead, language=language)

    thread = [
        _conversation(demo, channels[i], handle, now - dt.timedelta(hours=h), text, category)
        for handle, i, h, text, category in TOXIC
    ]
    first, second, _spam, german, _rude = thread
    # The first insult was flagged from the word lists and the member warned two hours later.
    _flag(demo, cora, first, "toxic", "medium", now - dt.timedelta(hours=29), words="idiots, trash")
    moderation.act(
        session=session,
        actor=cora,
        action=ModerationActionCreate(conversation_id=stored_id(first.id), kind="warned", rule="1. Be kind"),
        now=now - dt.timedelta(hours=27),
    )
    # The second went on: the thread is in slow mode until tomorrow evening.
    _flag(demo, cora, second, "toxic", "high", now - dt.timedelta(hours=26), words="morons, shut up")
    moderation.act(
        session=session,
        actor=cora,
        action=ModerationActionCreate(
            conversation_id=stored_id(second.id),
            kind="slow_mode",
            rule="1. Be kind",
            until=demo.local(demo.today + dt.timedelta(days=1), 20),
        ),
        now=now - dt.timedelta(hours=25),
    )
    # This morning's German insult is flagged and waits for a moderator; the spam and the latest insult
    # wait on the word lists' suggestions.
    _flag(demo, cora, german, "toxic", "high", now - dt.timedelta(hours=5), words="scheißladen, vollpfosten")
    _rota(demo, lead, users)
    _rituals(demo, lead, cora, channels, now)


def _start_rollout(demo: DemoBuilder) -> None:
    """Date the workspace (the rollout's day 1) a few days back, only when the demo created it."""
    workspace = demo.session.exec(select(Workspace)).first()
    if workspace is not None and workspace.is_demo:
        workspace.created_at = demo.local(demo.today - dt.timedelta(days=ROLLOUT_DAYS_AGO), 9)
        demo.session.add(workspace)


def _actor(user: User) -> Actor:
    return Actor(id=user.id, username=user.username, role=Role(user.role), name=user.name)


def _conversation(
    demo: DemoBuilder, channel: Channel, handle: str, at: dt.datetime, text: str, category: str
) -> Conversation:
    conversation = Conversation(
        channel_id=stored_id(channel.id),
        author_handle=handle,
        received_at=at,
        text=text,
        category=category,
        kind=ConversationKind.complaint,
    )
    policies.store_conversation_figures(demo.session, conversation)
    return demo.create(conversation, action="conversation.create")


def _flag(
    demo: DemoBuilder,
    actor: Actor,
    conversation: Conversation,
    category: str,
    severity: str,
    at: dt.datetime,
    *,
    words: str,
) -> None:
    flag = moderation.flag_conversation(
        session=demo.session,
        actor=actor,
        flag=ModerationFlagCreate(
            conversation_id=stored_id(conversation.id),
            category=category,
            severity=severity,
            source=FlagSource.word_list,
            words=words,
        ),
    )
    flag.flagged_at = at
    demo.session.add(flag)


def _rota(demo: DemoBuilder, lead: Actor, users: dict[str, User]) -> None:
    """Chiara and Lena take turns every day of the coming week and more; one afternoon nobody took."""
    people = [users["community"], users["lead"]]
    gap_day = None
    day = demo.today
    for offset in range(10):
        day = demo.today + dt.timedelta(days=offset)
        user = people[offset % 2]
        end_hour = 21
        if gap_day is None and offset >= 2 and day.weekday() < 5:
            gap_day, end_hour = day, 13  # the afternoon of the third day or later stays open
        rota.add_shift(
            session=demo.session,
            actor=lead,
            shift=OnCallShiftCreate(
                user_id=stored_id(user.id), starts_at=demo.local(day, 7), ends_at=demo.local(day, end_hour)
            ),
        )
    demo.session.flush()


def _rituals(demo: DemoBuilder, lead: Actor, cora: Actor, channels: list[Channel], now: dt.datetime) -> None:
    """Two recurring formats, consent asked and given for the best contributions, two newcomers welcomed."""
    rubrics = demo.rubrics()
    for name, weekday, at, rubric, prompt in (
        ("Friday AMA", 4, "17:00", "Question of the week", "Ask the product team anything, live for an hour."),
        ("Question of the week", 1, "10:00", "Question of the week", "One open question that invites answers."),
    ):
        rituals.add_ritual(
            session=demo.session,
            actor=lead,
            ritual=RitualFormatCreate(
                name=name,
                weekday=weekday,
                local_time=at,
                channel_id=stored_id(channels[0].id),
                rubric_id=rubrics[rubric].id,
                prompt=prompt,
            ),
        )
    best = rituals.showcase(demo.session, since=now - dt.timedelta(days=60))[:3]
    for item, status in zip(best, ("given", "asked", "refused"), strict=False):
        rituals.record_consent(session=demo.session, actor=cora, conversation_id=item.conversation_id, status=status)
    for newcomer in rituals.newcomers(session=demo.session, now=now)[-2:]:
        rituals.tick_onboarding(session=demo.session, actor=cora, handle=newcomer.key, step="welcomed", now=now)
