"""The demo's conversations: eight weeks of dialog answered in business time, the live queue
around now (breached, at risk, on track) and two imported rows with a data problem."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.demo.builder import DemoBuilder
from core.demo.people import COMMUNITY_HANDLES
from core.demo.support_desk import SupportDesk
from core.records import stored_id
from core.sla import figures, policies, queues
from core.sla.business_time import BusinessCalendar
from db.models import Channel, Conversation, ConversationKind, ConversationStatus, User


@dataclass(frozen=True)
class Message:
    """What someone wrote, with what a support manager files and answers it under: the category
    that fits it, the quick answer that answers it (if one does) and the team it goes to when
    it needs escalating (None: never escalated)."""

    text: str
    category: str
    answer: str | None = None  # a quick answer's title (``support_desk.QUICK_ANSWERS``)
    team: str | None = None  # an escalation team's name (``support_desk.TEAMS``)


MESSAGES: dict[ConversationKind, tuple[Message, ...]] = {
    ConversationKind.question: (
        Message("How do I export my data to CSV?", "export", "Export to CSV", "Product"),
        Message("Where can I find last month's invoice?", "billing", "Where is my invoice?", "Billing"),
        Message("Is there a way to mute notifications on weekends?", "notifications", "Too many notifications"),
        Message("Can I sign in with two-factor on a new phone?", "login", "Two-factor sign-in", "Product"),
        Message("Which plan do I need for a team of five?", "pricing", "Plans and prices", "Billing"),
        Message("I forgot my password, how do I get back in?", "login", "Reset your password"),
        Message("Can I get back a list I deleted by mistake?", "productivity", "Restore a deleted list", "Product"),
        Message("Is there a keyboard shortcut for a new entry?", "productivity", "Keyboard shortcuts"),
        Message("The help centre search finds nothing for 'VAT' — where is it explained?", "help centre"),
    ),
    ConversationKind.complaint: (
        Message("The app crashed twice today while uploading.", "mobile app", "App crashes on start", "Product"),
        Message("I was charged twice this month!", "billing", "Refund request", "Billing"),
        Message("Password reset e-mail never arrives.", "login", "Reset e-mail not arriving", "Product"),
        Message("Notifications keep coming at 3 am.", "notifications", "Too many notifications", "Product"),
        Message("Delete everything you store about me, now.", "privacy", "Your data", "Legal"),
    ),
    ConversationKind.ugc: (
        Message("Made a little guide on how we use the export with our accountant 📊", "export"),
        Message("Our team's setup video — hope it helps someone!", "community"),
        Message("Cheat sheet of keyboard tricks I collected.", "productivity"),
    ),
    ConversationKind.praise: (
        Message("Support answered in ten minutes, thank you!", "community"),
        Message("The new summary e-mail is great.", "notifications"),
    ),
    ConversationKind.other: (
        Message("Are you hiring?", "company"),
        Message("Will you be at the meetup in Berlin?", "events"),
    ),
}

#: What the team needs from an escalated conversation, by team.
ESCALATION_REASONS = {
    "Billing": "A charge or an invoice to check in the billing system.",
    "Product": "Looks like a bug or a gap: the product team needs to reproduce it.",
    "Legal": "A data request with a legal deadline.",
}

# How often each kind turns up in the history.
KIND_MIX = (
    (ConversationKind.question,) * 9
    + (ConversationKind.complaint,) * 4
    + (ConversationKind.ugc,) * 3
    + (ConversationKind.praise,) * 2
    + (ConversationKind.other,)
)

# Open items by business time elapsed: past the deadline by N minutes (breached), a share of the
# at-risk threshold left (at risk), a share of the time before that threshold gone (on track).
LIVE_QUEUE = (
    (queues.Queue.breached, 25),
    (queues.Queue.breached, 70),
    (queues.Queue.breached, 140),
    (queues.Queue.at_risk, 0.3),
    (queues.Queue.at_risk, 0.5),
    (queues.Queue.at_risk, 0.7),
    (queues.Queue.at_risk, 0.9),
    (queues.Queue.on_track, 0.1),
    (queues.Queue.on_track, 0.3),
    (queues.Queue.on_track, 0.5),
    (queues.Queue.on_track, 0.7),
    (queues.Queue.on_track, 0.9),
)


class _Conversations:
    """The conversations of one load: who answers them, where, and with what."""

    def __init__(self, demo: DemoBuilder, *, users: dict[str, User], channels: list[Channel], desk: SupportDesk):
        self.demo = demo
        self.users = users
        self.channels = channels
        self.desk = desk
        self.book = policies.PolicyBook.load(demo.session)
        self.workers = [users["support"], users["community"]]

    def add(self) -> None:
        """The history, the live queue and the data problems, in that order (the history draws
        from the shared random stream, the rest lays out by rule)."""
        demo = self.demo
        # The live queue is laid out relative to the moment the demo is loaded; for a ``today`` in
        # the past, relative to the end of that day, so one past day always gives the same content.
        now = min(dt.datetime.now(dt.UTC).replace(microsecond=0), demo.local(demo.today + dt.timedelta(days=1), 0))
        self.history(now)
        self.live_queue(now)
        self.data_problems()
        demo.session.flush()

    def history(self, now: dt.datetime) -> None:
        """Eight weeks with realistic first replies (in business time); a few never answered."""
        demo, rng = self.demo, self.demo.rng
        start = demo.local(demo.start, 0)
        span = (demo.local(demo.today, 0) - start).total_seconds()
        for n in range(420):
            kind = rng.choice(KIND_MIX)
            received = start + dt.timedelta(seconds=int(rng.uniform(0, span)))
            channel = rng.choice(self.channels)
            message = rng.choice(MESSAGES[kind])
            conversation = self.conversation(n, kind, channel, message, received, rng.choice(self.workers))
            policy = self.book.for_conversation(channel_id=stored_id(channel.id), kind=kind)
            roll, speed, late, answer_roll, escalate_roll, resolve_roll = (rng.random() for _ in range(6))
            if not figures.needs_reply(kind, conversation.status) and roll < 0.5:
                conversation.status = ConversationStatus.no_reply_needed
                conversation.no_reply_reason = "Thanked with a reaction; nothing to answer."
            elif roll < 0.96 and policy is not None:
                window = dt.timedelta(minutes=policy.first_response_minutes)
                if roll < 0.74:  # within the SLA: part of the window in business time
                    reply = policy.calendar.deadline(received, window * (0.05 + 0.9 * speed))
                else:  # late: some business time after the deadline
                    reply = policy.calendar.deadline(received, window + dt.timedelta(minutes=10 + int(late * 300)))
                if reply <= now:
                    self.answered(conversation, kind, message, reply, now, answer_roll, escalate_roll, resolve_roll)
            # else: never answered (an old backlog item, breached)
            figures.apply_sla(conversation, policy=policy, calendar=None if policy is None else policy.calendar)
            demo.session.add(conversation)

    def conversation(
        self, n: int, kind: str, channel: Channel, message: Message, received: dt.datetime, worker: User
    ) -> Conversation:
        rng = self.demo.rng
        return Conversation(
            external_id=f"demo-{n}",
            channel_id=stored_id(channel.id),
            kind=kind,
            author_handle=rng.choice(COMMUNITY_HANDLES[: 40 + n // 4]),
            text=message.text,
            link=f"https://example.com/{channel.platform}/c/{n}",
            category=message.category,
            received_at=received,
            assignee_id=worker.id,
            engagement=rng.randint(0, 40),
            useful=kind == ConversationKind.ugc and rng.random() < 0.6,
            best=kind == ConversationKind.question and rng.random() < 0.05,
        )

    def answered(
        self,
        conversation: Conversation,
        kind: str,
        message: Message,
        reply: dt.datetime,
        now: dt.datetime,
        answer_roll: float,
        escalate_roll: float,
        resolve_roll: float,
    ) -> None:
        """The first reply at ``reply``, perhaps with the quick answer that fits the message, or
        an escalation to the team it belongs to, then resolved or waiting for the customer."""
        conversation.first_reply_at = reply
        answer = self.desk.answer(message.answer)
        if answer is not None and answer_roll < 0.6:
            conversation.quick_answer_id = answer.id
            answer.use_count += 1
        team = self.desk.team(message.team)
        if team is not None and escalate_roll < (0.15 if kind == ConversationKind.complaint else 0.03):
            conversation.escalation_team_id = team.id
            conversation.escalated_at = reply + dt.timedelta(minutes=5 + int(escalate_roll * 600))
            conversation.escalation_reason = ESCALATION_REASONS[team.name]
        resolved_at = reply + dt.timedelta(hours=1 + int(resolve_roll * 30))
        if resolve_roll < 0.85 and resolved_at <= now:
            conversation.status = ConversationStatus.resolved
            conversation.resolved_at = resolved_at
        else:
            conversation.status = ConversationStatus.waiting

    def live_queue(self, now: dt.datetime) -> None:
        """Open items placed by business time elapsed at ``now``: three breached, four at risk,
        five on track (what a support manager sees when opening the monitor)."""
        for index, (queue, amount) in enumerate(LIVE_QUEUE):
            kind = ConversationKind.complaint if index % 4 == 1 else ConversationKind.question
            channel = self.channels[index % len(self.channels)]
            policy = self.book.for_conversation(channel_id=stored_id(channel.id), kind=kind)
            if policy is None:
                continue
            window = float(policy.first_response_minutes)
            threshold = self.book.threshold(policy.id, window)
            if queue == queues.Queue.breached:
                elapsed = window + amount
            elif queue == queues.Queue.at_risk:
                elapsed = window - threshold * amount
            else:
                elapsed = (window - threshold) * amount
            received = _received_for_elapsed(policy.calendar, now, dt.timedelta(minutes=elapsed))
            messages = MESSAGES[ConversationKind(kind)]
            message = messages[index % len(messages)]
            worker = self.workers[index % 2]
            conversation = self.conversation(1000 + index, kind, channel, message, received, worker)
            if index % 3 == 2:
                conversation.assignee_id = None  # unassigned: someone should take it
            figures.apply_sla(conversation, policy=policy, calendar=policy.calendar)
            self.demo.session.add(conversation)

    def data_problems(self) -> None:
        """Two rows as a platform export delivers them: reply stamped before the message."""
        demo = self.demo
        sign_in = [m for m in MESSAGES[ConversationKind.question] if m.category == "login"]
        for index in range(2):
            channel = self.channels[1]
            received = demo.local(demo.today - dt.timedelta(days=3 + index), 11, 30)
            conversation = self.conversation(
                2000 + index, ConversationKind.question, channel, sign_in[index], received, self.users["support"]
            )
            conversation.external_id = f"export-{4711 + index}"
            conversation.first_reply_at = received - dt.timedelta(minutes=7)
            conversation.status = ConversationStatus.waiting
            policy = self.book.for_conversation(channel_id=stored_id(channel.id), kind=conversation.kind)
            figures.apply_sla(conversation, policy=policy, calendar=None if policy is None else policy.calendar)
            demo.session.add(conversation)


def add_conversations(demo: DemoBuilder, *, users: dict[str, User], channels: list[Channel], desk: SupportDesk) -> None:
    _Conversations(demo, users=users, channels=channels, desk=desk).add()


def _received_for_elapsed(calendar: BusinessCalendar, now: dt.datetime, elapsed: dt.timedelta) -> dt.datetime:
    """The latest instant from which ``elapsed`` business time has passed by ``now`` (bisection;
    the engine only counts forwards)."""
    low, high = now - dt.timedelta(days=21), now
    if calendar.elapsed(low, now) < elapsed:
        return low
    for _ in range(40):
        middle = low + (high - low) / 2
        if calendar.elapsed(middle, now) >= elapsed:
            low = middle
        else:
            high = middle
    return low.replace(microsecond=0)
