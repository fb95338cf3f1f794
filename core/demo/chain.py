"""The demo's chain: every link from a post to "you asked, we did", laid out by rule (no random
draws, so the rest of the demo stays as it is; this part runs last).

- posts have their link on the platform, and the conversations that came in on a post within its
  watch window are on that post (their links are comments on it);
- every answered conversation keeps its reply as text in its thread (the quick answer's, or what
  the team typed), and some threads carry the person's thanks;
- the escalation teams have their RACI people, Legal its own office hours, every escalation an
  assignee and a deadline in business time, and two fresh ones are open in the team queues;
- a call for ideas ("Ideas for the product") from last month collected four proposals as
  conversations; one became an idea that was voted on, triaged, shipped in the middle of last month,
  announced two days later and its givers thanked — the whole chain, with the people who answered
  the call still to be told.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlmodel import col, select

from core.demo.builder import DemoBuilder
from core.demo.chain_showcase import add_showcase, comment_link, post_url
from core.demo.support_desk import SupportDesk
from core.records import stored_id
from core.sla.escalations import escalation_deadline
from core.sla.watch import in_watch_window
from db.models import (
    BusinessCalendarRow,
    Channel,
    Conversation,
    ConversationKind,
    ConversationMessage,
    ConversationStatus,
    EscalationTeam,
    EscalationTeamMember,
    MessageSource,
    Post,
    PostStatus,
    QuickAnswer,
    Raci,
    User,
)

LEGAL_HOURS = {
    "timezone": "Europe/Berlin",
    "weekly": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": [],
    "country": "DE",
}
# Team: (responsible, consulted, informed, deadline in business minutes, own office hours).
RACI = {
    "Billing": (("support",), ("admin",), ("lead",), 8 * 60, False),
    "Product": (("lead",), ("community",), ("analyst", "viewer"), 16 * 60, False),
    "Legal": (("compliance",), ("lead",), ("viewer",), 16 * 60, True),
}
REPLIES = {
    "billing": "Every invoice is under Settings → Billing → History and downloads as PDF; we sent you the last one by DM.",
    "login": "Tap 'Forgot password' on the sign-in screen; the link is valid for 30 minutes. Two-factor moves with your account.",
    "export": "Open the list, then ⋯ → Export → CSV. Large exports arrive by e-mail within a few minutes.",
    "notifications": "Settings → Notifications lets you mute each kind, and the digest mode sends one a day.",
    "mobile app": "Please update to the newest version; if it still happens, send us your device model by DM.",
    "pricing": "All plans are compared on our pricing page; the team plan is billed per seat.",
}
KIND_REPLIES = {
    ConversationKind.complaint: "Sorry about this — we are on it and will get back to you today.",
    ConversationKind.ugc: "This is great, thank you! May we show it in our weekly digest?",
    ConversationKind.praise: "Thank you, that made our day! We will pass it on to the team.",
    ConversationKind.other: "Good question — we will post the details in our next digest.",
}
THANKS = "Thanks, that worked!"


def add_chain(demo: DemoBuilder, *, users: dict[str, User], channels: list[Channel], desk: SupportDesk) -> None:
    _post_links(demo, channels)
    _threads(demo, users)
    _raci(demo, users, desk)
    add_showcase(demo, users=users, channels=channels)
    demo.session.flush()


# --- posts and their dialog -----------------------------------------------------------------------


def _post_links(demo: DemoBuilder, channels: list[Channel]) -> None:
    """Published posts get their link; history conversations that came in on a channel within a
    post's watch window are on that post (the latest one), with a comment link on it."""
    session = demo.session
    platforms = {stored_id(c.id): c.platform for c in channels}
    hours = {stored_id(c.id): c.watch_window_hours for c in channels}
    posts = session.exec(
        select(Post).where(Post.status == PostStatus.published).order_by(col(Post.published_at), col(Post.id))
    ).all()
    by_channel: dict[int, list[Post]] = {}
    for post in posts:
        post.published_url = post_url(post, platforms.get(post.channel_id, "web"))
        by_channel.setdefault(post.channel_id, []).append(post)
    history = session.exec(
        select(Conversation).where(col(Conversation.external_id).like("demo-%")).order_by(col(Conversation.id))
    ).all()
    for n, conversation in enumerate(history):
        if conversation.kind == ConversationKind.other:
            continue
        on = [
            p
            for p in by_channel.get(conversation.channel_id, [])
            if in_watch_window(
                published_at=p.published_at,
                window_hours=hours[conversation.channel_id],
                received_at=conversation.received_at,
            )
        ]
        if on:
            post = on[-1]
            conversation.post_id = post.id
            conversation.link = comment_link(post.published_url, platforms[post.channel_id], n)


def _reply_text(conversation: Conversation, answers: dict[int, QuickAnswer]) -> tuple[str, str, int | None]:
    """(text, source, quick answer) of the team's first reply."""
    answer = answers.get(conversation.quick_answer_id) if conversation.quick_answer_id else None
    if answer is not None:
        return answer.text, MessageSource.quick_answer, answer.id
    kind = ConversationKind(conversation.kind)
    if kind == ConversationKind.question:
        return REPLIES.get(conversation.category, KIND_REPLIES[ConversationKind.other]), MessageSource.typed, None
    return KIND_REPLIES[kind], MessageSource.typed, None


def _threads(demo: DemoBuilder, users: dict[str, User]) -> None:
    """Each answered conversation keeps its first reply as text; every third resolved one has the
    person's thanks after it. Replies stamped before the message (the import's data problems) are
    left as the export gave them."""
    session = demo.session
    answers = {stored_id(a.id): a for a in session.exec(select(QuickAnswer))}
    answered = session.exec(
        select(Conversation)
        .where(col(Conversation.first_reply_at).is_not(None), col(Conversation.reply_before_message).is_(False))
        .order_by(col(Conversation.id))
    ).all()
    for n, conversation in enumerate(answered):
        assert conversation.first_reply_at is not None
        text, source, answer_id = _reply_text(conversation, answers)
        session.add(
            ConversationMessage(
                conversation_id=stored_id(conversation.id),
                sent_at=conversation.first_reply_at,
                from_team=True,
                user_id=conversation.assignee_id or users["support"].id,
                text=text,
                quick_answer_id=answer_id,
                source=source,
            )
        )
        thanked_at = conversation.first_reply_at + dt.timedelta(minutes=25)
        if (
            n % 3 == 0
            and conversation.status == ConversationStatus.resolved
            and conversation.resolved_at is not None
            and thanked_at < conversation.resolved_at
        ):
            session.add(
                ConversationMessage(
                    conversation_id=stored_id(conversation.id),
                    sent_at=thanked_at,
                    author_handle=conversation.author_handle,
                    text=THANKS,
                    source=MessageSource.imported,
                )
            )


# --- escalation through RACI ------------------------------------------------------------------------


def _raci(demo: DemoBuilder, users: dict[str, User], desk: SupportDesk) -> None:
    """The teams' RACI people, deadlines and hours; every escalation assigned to the team's
    responsible person with its deadline (resolved after it was escalated); two fresh ones open."""
    session = demo.session
    legal_hours = demo.create(
        BusinessCalendarRow(name="Legal office hours (Berlin)", definition=json.dumps(LEGAL_HOURS)),
        action="business_calendar.create",
    )
    teams = {t.name: t for t in desk.teams}
    for name, (responsible, consulted, informed, minutes, own_hours) in RACI.items():
        team = teams[name]
        team.deadline_minutes = minutes
        team.calendar_id = legal_hours.id if own_hours else None
        for raci, usernames in (
            (Raci.responsible, responsible),
            (Raci.consulted, consulted),
            (Raci.informed, informed),
        ):
            for username in usernames:
                session.add(
                    EscalationTeamMember(team_id=stored_id(team.id), user_id=stored_id(users[username].id), raci=raci)
                )
    session.flush()
    doers = {stored_id(t.id): users[RACI[t.name][0][0]] for t in desk.teams}
    by_id = {stored_id(t.id): t for t in desk.teams}
    escalated = session.exec(
        select(Conversation).where(col(Conversation.escalation_team_id).is_not(None)).order_by(col(Conversation.id))
    ).all()
    now = _now(demo)
    for n, conversation in enumerate(escalated):
        _escalate(demo, conversation, by_id[conversation.escalation_team_id or 0], doers, now, n)
    _fresh_escalations(demo, teams, doers, now)


def _now(demo: DemoBuilder) -> dt.datetime:
    return min(dt.datetime.now(dt.UTC).replace(microsecond=0), demo.local(demo.today + dt.timedelta(days=1), 0))


def _escalate(
    demo: DemoBuilder,
    conversation: Conversation,
    team: EscalationTeam,
    doers: dict[int, User],
    now: dt.datetime,
    n: int,
) -> None:
    assert conversation.escalated_at is not None
    conversation.assignee_id = doers[stored_id(team.id)].id
    conversation.escalation_deadline_at = escalation_deadline(
        demo.session, team=team, conversation=conversation, escalated_at=conversation.escalated_at
    )
    if conversation.resolved_at is not None:
        # Resolved by the team after the escalation: most within the deadline, every fourth later.
        deadline = conversation.escalation_deadline_at or conversation.escalated_at + dt.timedelta(hours=8)
        resolved = conversation.escalated_at + (deadline - conversation.escalated_at) * (0.6 if n % 4 else 1.4)
        if resolved <= now:
            conversation.resolved_at = resolved.replace(microsecond=0)
        else:
            conversation.status, conversation.resolved_at = ConversationStatus.waiting, None


def _fresh_escalations(
    demo: DemoBuilder, teams: dict[str, EscalationTeam], doers: dict[int, User], now: dt.datetime
) -> None:
    """The latest answered, unresolved conversation of each team's subjects goes to Legal (a
    privacy question) and to Product (a product question), so their queues, the people who act on
    them and those informed each have one open."""
    session = demo.session
    subjects = {
        "Legal": col(Conversation.category) == "privacy",
        "Product": col(Conversation.category).not_in(("billing", "pricing", "privacy")),
    }
    reasons = {
        "Legal": "Asks us to delete every message they sent: a data request.",
        "Product": "Reproducible on our side: the product team must look.",
    }
    for name, subject in subjects.items():
        conversation = session.exec(
            select(Conversation)
            .where(
                Conversation.status == ConversationStatus.waiting,
                col(Conversation.escalation_team_id).is_(None),
                col(Conversation.reply_before_message).is_(False),
                col(Conversation.first_reply_at).is_not(None),
                subject,
            )
            .order_by(col(Conversation.first_reply_at).desc(), col(Conversation.id).desc())
            .limit(1)
        ).first()
        if conversation is None:
            continue
        reason = reasons[name]
        assert conversation.first_reply_at is not None
        team = teams[name]
        conversation.escalation_team_id = team.id
        conversation.escalated_at = min(conversation.first_reply_at + dt.timedelta(minutes=15), now)
        conversation.escalation_reason = reason
        _escalate(demo, conversation, team, doers, now, 1)
