"""A generated year of a social-media team's data, anchored to today, cached on disk.

``year_file(scale)`` returns a SQLite file at the newest schema holding a year that ends now:
posts planned a month ahead, conversations arriving until this hour (so the SLA queues hold
breached, at-risk and on-track items), ideas, votes, givers, loop items, quick answers,
escalation teams, threads in ``conversation_message``, audit rows and sign-in sessions. The
"200k" scale has 200,000 conversations, 20,000 posts, 50,000 ideas, 200,000 votes and 300 loop
items; "2k" is the same shape at a hundredth (the team, channels and settings stay the same).

A file is built once per scale and day and reused; its name carries a fingerprint of the
migrations and of this generator, so a changed schema or generator never reads a stale file.
Building needs the current code (it uses ``core.sla.figures`` for the SLA figures); other
checkouts receive a copy through ``bench.databases``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
import math
import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.compat import BENCH_PASSWORD  # noqa: E402
from core.handles import stored_key  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
TIMEZONE = ZoneInfo("Europe/Berlin")
UTC = dt.UTC
SEED = 15

# The people: one per role (username = role, a display name with a space), plus the wider team.
TEAM = (
    ("admin", "Ada Admin"),
    ("lead", "Lea Lead"),
    ("editor", "Eddie Editor"),
    ("community", "Cora Community"),
    ("support", "Sam Support"),
    ("analyst", "Ana Analyst"),
    ("compliance", "Cleo Compliance"),
    ("viewer", "Vic Viewer"),
)
MEMBER_ROLES = ("editor", "community", "support", "editor", "support")
MEMBERS = 40
CHANNELS = (
    ("Instagram", "instagram", 8),
    ("Telegram", "telegram", 10),
    ("YouTube", "youtube", 3),
    ("Community forum", "forum", 20),
)
CATEGORIES = ("billing", "login", "export", "mobile app", "notifications", "pricing")
TEAMS = ("Billing team", "Mobile developers", "Trust & safety", "Product managers", "Legal")
STOP_WORDS = (("guaranteed", "block"), ("free money", "block"), ("cheap", "warn"), ("best ever", "warn"))


@dataclass(frozen=True)
class Scale:
    """How much of each thing a generated year holds."""

    name: str
    conversations: int
    posts: int
    ideas: int
    votes: int
    loop_items: int
    audit_rows: int

    @property
    def handles(self) -> int:
        return max(200, self.conversations // 4)


SCALES = {
    "2k": Scale("2k", conversations=2_000, posts=200, ideas=500, votes=2_000, loop_items=3, audit_rows=1_000),
    "200k": Scale(
        "200k", conversations=200_000, posts=20_000, ideas=50_000, votes=200_000, loop_items=300, audit_rows=100_000
    ),
}

# Shares of the conversations: with a thread in conversation_message, linked to the post they answer.
THREAD_SHARE = 0.25
POST_LINK_SHARE = 0.3


def local_today(now: dt.datetime) -> dt.date:
    return now.astimezone(TIMEZONE).date()


def fingerprint() -> str:
    """Changes whenever a migration or this generator changes."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "db" / "migrations" / "versions").glob("*.py")) + [Path(__file__)]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def year_path(shape: Scale, today: dt.date, folder: Path = CACHE) -> Path:
    """Where the year of ``shape`` ending on ``today`` is cached, for this schema and generator."""
    return folder / f"year-{shape.name}-{today:%Y%m%d}-{fingerprint()}.db"


def year_file(scale: str | Scale, *, now: dt.datetime | None = None, folder: Path = CACHE) -> Path:
    """The cached SQLite file of ``scale`` for today (built when missing)."""
    shape = SCALES[scale] if isinstance(scale, str) else scale
    now = now or dt.datetime.now(UTC)
    folder.mkdir(parents=True, exist_ok=True)
    path = year_path(shape, local_today(now), folder)
    if path.exists():
        return path
    for old in folder.glob(f"year-{shape.name}-*.db"):
        old.unlink(missing_ok=True)  # yesterday's or an older schema's: never read again
    tmp = path.with_suffix(".tmp")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    from db.engine import make_engine
    from db.migrate import upgrade_to_head

    engine = make_engine(f"sqlite:///{tmp}")
    upgrade_to_head(engine)
    Generator(shape, now=now).fill(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    tmp.rename(path)
    print(f"generated the {shape.name} year in {time.perf_counter() - started:.0f} s: {path.name}", file=sys.stderr)
    return path


def batches(rows: list[dict[str, Any]], size: int = 5_000) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def defaults(model: Any) -> dict[str, Any]:
    """Every column of ``model`` with its declared default (callables called once), id left out."""
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name == "id" or name not in model.__table__.c:
            continue
        if field.default_factory is not None:
            values[name] = field.default_factory()
        elif not field.is_required():
            values[name] = field.default
    return values


def skewed(rng: random.Random, items: list[Any], power: float = 1.6) -> Any:
    """A pick where the first items come up far more often (a few people write most)."""
    return items[min(len(items) - 1, int(len(items) * rng.random() ** power))]


class Generator:
    """Draws one year from a fixed seed; ``fill`` writes it in a few bulk transactions."""

    def __init__(self, scale: Scale, *, now: dt.datetime):
        self.scale = scale
        self.now = now.astimezone(UTC).replace(microsecond=0)
        self.today = local_today(self.now)
        self.start = self.now - dt.timedelta(days=365)
        self.rng = random.Random(SEED)
        first_names = ("mila", "Jonas", "ANNA", "lea_m", "Ben", "sofia", "Noah", "emma", "Finn", "Lina")
        self.handles = [f"@{first_names[n % len(first_names)]}{'_' if n % 3 else ''}{n}" for n in range(scale.handles)]

    # --- helpers ----------------------------------------------------------------------------

    def instant(self, *, ahead_days: int = 0) -> dt.datetime:
        """A moment of the year (until now, or ``ahead_days`` past it), busier on weekdays."""
        span = (self.now - self.start).total_seconds() + ahead_days * 86400
        while True:
            when = self.start + dt.timedelta(seconds=self.rng.uniform(0, span))
            local = when.astimezone(TIMEZONE)
            if local.weekday() < 5 or self.rng.random() < 0.4:
                return when

    def local(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TIMEZONE).astimezone(UTC)

    # --- the year ---------------------------------------------------------------------------

    def fill(self, engine) -> None:
        from sqlalchemy import insert
        from sqlmodel import select

        from core import workspace
        from core.permissions import CLI_ACTOR
        from core.users.rules import hash_password
        from db.engine import write_session
        from db.models import (
            AudienceSize,
            BusinessCalendarRow,
            Channel,
            EscalationTeam,
            QuickAnswer,
            Rubric,
            SlaPolicy,
            StopWord,
            User,
            WeeklyDigestNote,
        )

        rng = self.rng
        with write_session(engine) as session:
            workspace.ensure_workspace(session=session, actor=CLI_ACTOR, name="Northwind community")
            password_hash = hash_password(BENCH_PASSWORD, rounds=4)
            people = list(TEAM) + [
                (f"member{n}", f"Member {n} {'Smith' if n % 2 else 'Meyer'}") for n in range(MEMBERS)
            ]
            for n, (username, name) in enumerate(people):
                role = username if n < len(TEAM) else MEMBER_ROLES[n % len(MEMBER_ROLES)]
                created = self.start - dt.timedelta(days=30)
                session.add(
                    User(
                        username=username,
                        name=name,
                        email=f"{username}@example.com",
                        role=role,
                        password_hash=password_hash,
                        created_at=created,
                        password_changed_at=created,
                    )
                )
            for name, platform, limit in CHANNELS:
                session.add(
                    Channel(name=name, platform=platform, url=f"https://example.com/{platform}", daily_post_limit=limit)
                )
            for word, mode in STOP_WORDS:
                session.add(StopWord(word=word, mode=mode))
            from core.demo.support_desk import DEMO_CALENDAR, QUICK_ANSWERS

            calendar_row = BusinessCalendarRow(name="Support hours", definition=json.dumps(DEMO_CALENDAR))
            session.add(calendar_row)
            session.flush()
            general = SlaPolicy(name="General", calendar_id=calendar_row.id, first_response_minutes=120)
            complaints = SlaPolicy(
                name="Complaints", calendar_id=calendar_row.id, first_response_minutes=60, kind="complaint"
            )
            session.add_all([general, complaints])
            session.flush()
            users = {u.username: u for u in session.exec(select(User))}
            self.user_ids = [u.id for u in users.values()]
            self.role_ids: dict[str, list[int]] = {}
            for u in users.values():
                self.role_ids.setdefault(u.role, []).append(u.id)
            for n, name in enumerate(TEAMS):
                session.add(
                    EscalationTeam(name=name, description=f"Takes {name.lower()} questions.", owner_id=self.user_ids[n])
                )
            for n in range(40):
                title, category, text, link = QUICK_ANSWERS[n % len(QUICK_ANSWERS)]
                session.add(
                    QuickAnswer(
                        title=title if n < len(QUICK_ANSWERS) else f"{title} ({n // len(QUICK_ANSWERS) + 1})",
                        category=category,
                        text=text,
                        link=link,
                        kind="faq" if n % 4 == 0 else "script",
                    )
                )
            session.flush()
            self.channel_ids = list(session.exec(select(Channel.id)))
            self.rubric_ids = list(session.exec(select(Rubric.id)))
            self.team_ids = list(session.exec(select(EscalationTeam.id)))
            self.answer_ids = list(session.exec(select(QuickAnswer.id)))
            self.policies = {None: (general.id, 120), "complaint": (complaints.id, 60)}
            first_month = self.start.date().replace(day=1)
            for channel_id in self.channel_ids:
                month = first_month
                while month <= self.today:
                    following = (month + dt.timedelta(days=32)).replace(day=1)
                    session.add(
                        AudienceSize(
                            channel_id=channel_id,
                            period_start=month,
                            period_end=following - dt.timedelta(days=1),
                            size=rng.randint(8_000, 60_000),
                        )
                    )
                    month = following
            monday = self.today - dt.timedelta(days=self.today.weekday())
            for week in range(1, 53):
                session.add(
                    WeeklyDigestNote(
                        week_start=monday - dt.timedelta(weeks=week),
                        hero_handle=skewed(rng, self.handles),
                        hero_reason="Answered three newcomers before we could.",
                        next_topic=rng.choice(CATEGORIES).title() + " tips",
                        chosen_by_id=self.role_ids["community"][0],
                    )
                )

        from core.sla import calendars

        self.calendar = calendars.calendar_from_json(DEMO_CALENDAR)
        from db.models import (
            AuditLog,
            Conversation,
            ConversationMessage,
            Idea,
            IdeaGiver,
            LoopItem,
            LoopItemIdea,
            LoopThanks,
            Post,
            SignInThrottle,
            UserSession,
            Vote,
        )

        with engine.begin() as connection:

            def put(model: Any, rows: list[dict[str, Any]]) -> None:
                for batch in batches(rows):
                    connection.execute(insert(model), batch)

            posts = self.posts(defaults(Post))
            put(Post, posts)
            post_rows = connection.execute(select(Post.id, Post.channel_id, Post.published_at)).all()
            ideas = self.ideas(defaults(Idea))
            put(Idea, ideas)
            idea_rows = connection.execute(select(Idea.id, Idea.status, Idea.shipped_at, Idea.created_at)).all()
            givers, votes = self.givers_and_votes(idea_rows)
            put(IdeaGiver, givers)
            put(Vote, votes)
            self.merge_and_plan(connection, idea_rows)
            conversations = self.conversations(defaults(Conversation), post_rows)
            put(Conversation, conversations)
            conversation_rows = connection.execute(
                select(
                    Conversation.id,
                    Conversation.author_handle,
                    Conversation.text,
                    Conversation.received_at,
                    Conversation.first_reply_at,
                    Conversation.assignee_id,
                    Conversation.quick_answer_id,
                )
            ).all()
            put(ConversationMessage, self.messages(defaults(ConversationMessage), conversation_rows))
            self.loop(connection, idea_rows, defaults(LoopItem), LoopItem, LoopItemIdea, LoopThanks)
            put(AuditLog, self.audit(defaults(AuditLog)))
            put(UserSession, self.sessions(defaults(UserSession)))
            put(SignInThrottle, self.throttle())
        # Givers and votes went in without the ORM: the ideas' counts are taken as the app keeps them.
        from db import counters

        with write_session(engine) as session:
            counters.recount_all(session)

    def posts(self, base: dict[str, Any]) -> list[dict[str, Any]]:
        rng = self.rng
        rows = []
        editors = self.role_ids["editor"] + self.role_ids["lead"]
        for n in range(self.scale.posts):
            when = self.instant(ahead_days=30).replace(second=0)
            published = when < self.now
            if published:
                status = "published" if rng.random() < 0.96 else "cancelled"
            elif when < self.now + dt.timedelta(days=3):
                status = rng.choice(("scheduled", "scheduled", "approved", "in_review"))
            else:
                status = rng.choice(("draft", "draft", "in_review", "approved", "scheduled"))
            impressions = rng.randint(500, 40_000) if status == "published" else None
            blocked = status in ("in_review", "draft") and rng.random() < 0.05
            rows.append(
                base
                | dict(
                    title=f"{rng.choice(('How to', 'Ask us about', 'Behind the scenes:', 'Poll:'))} {rng.choice(CATEGORIES)} #{n}",
                    body="What would you like to see next? Tell us in the comments.",
                    channel_id=rng.choice(self.channel_ids),
                    rubric_id=rng.choice(self.rubric_ids),
                    format=rng.choice(("carousel", "video", "text", "image", "poll")),
                    cognitive_load=rng.choice(("low", "low", "high")),
                    owner_id=rng.choice(editors),
                    created_by_id=rng.choice(editors),
                    status=status,
                    scheduled_at=when,
                    published_at=when if status == "published" else None,
                    next_step_type=rng.choice(("poll", "thread", "form", "comment_prompt", "")),
                    next_step_text="Tell us what you think.",
                    micro_goal="Ten questions about the topic",
                    tone_confirmed=True,
                    alt_text="A photo of the team at work.",
                    blocked_reason="The claim needs a source." if blocked else "",
                    blocked_by_id=self.role_ids["compliance"][0] if blocked else None,
                    blocked_at=when - dt.timedelta(days=2) if blocked else None,
                    impressions=impressions,
                    reactions=impressions and impressions // rng.randint(15, 40),
                    comments=impressions and impressions // rng.randint(60, 200),
                    shares=impressions and impressions // rng.randint(100, 400),
                    saves=impressions and impressions // rng.randint(30, 90),
                    guide_clicks=impressions and impressions // rng.randint(50, 120),
                    next_step_conversions=impressions and impressions // rng.randint(100, 300),
                    created_at=min(when, self.now) - dt.timedelta(days=rng.randint(1, 14)),
                    updated_at=min(when, self.now),
                )
            )
        return rows

    def ideas(self, base: dict[str, Any]) -> list[dict[str, Any]]:
        rng = self.rng
        statuses = ("new", "new", "valid", "invalid", "planned", "in_progress", "shipped", "declined")
        topics = ("Dark mode", "Export to Excel", "Cheaper team plan", "Offline mode", "Widgets", "Faster search")
        rows = []
        for n in range(self.scale.ideas):
            logged = self.instant()
            status = rng.choice(statuses)
            if status == "new" and (self.now - logged).days > 60 and rng.random() < 0.8:
                status = "valid"  # the team triages; old ideas rarely wait
            valid = logged + dt.timedelta(days=rng.randint(1, 10)) if status not in ("new", "invalid") else None
            valid = valid if valid is None or valid < self.now else self.now
            shipped = None
            if status == "shipped" and valid is not None:
                shipped = min(valid + dt.timedelta(days=rng.randint(7, 60)), self.now)
            rows.append(
                base
                | dict(
                    title=f"{rng.choice(topics)} for {rng.choice(CATEGORIES)} ({n})",
                    description="Asked for in the comments more than once.",
                    source=rng.choice(("comment", "dm", "thread", "form", "survey", "team")),
                    channel_id=rng.choice(self.channel_ids),
                    category=rng.choice(CATEGORIES),
                    status=status,
                    status_reason="Out of scope this year." if status == "declined" else "",
                    impact=rng.randint(1, 5) if valid else None,
                    cost=rng.randint(1, 5) if valid else None,
                    scored_by_id=self.role_ids["lead"][0] if valid else None,
                    scored_at=valid,
                    valid_at=valid,
                    shipped_at=shipped,
                    logged_by_id=rng.choice(self.user_ids),
                    created_at=logged,
                )
            )
        return rows

    def givers_and_votes(self, ideas: list[Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rng = self.rng
        givers = []
        for idea_id, _status, _shipped, created in ideas:
            count = 1 + int(rng.expovariate(0.6))
            for handle in {skewed(rng, self.handles) for _ in range(count)}:
                given = min(created + dt.timedelta(days=rng.uniform(0, 20)), self.now)
                givers.append(
                    dict(
                        idea_id=idea_id,
                        handle=handle,
                        handle_key=stored_key(handle),
                        given_at=given,
                        channel_id=rng.choice(self.channel_ids),
                    )
                )
        pairs: set[tuple[int, int]] = set()
        limit = min(self.scale.votes, len(ideas) * len(self.user_ids))
        while len(pairs) < limit:
            pairs.add((skewed(rng, ideas, 1.3)[0], rng.choice(self.user_ids)))
        created = {row[0]: row[3] for row in ideas}
        votes = [
            dict(idea_id=i, user_id=u, created_at=min(created[i] + dt.timedelta(days=1), self.now))
            for i, u in sorted(pairs)
        ]
        return givers, votes

    def merge_and_plan(self, connection, ideas: list[Any]) -> None:
        """A few duplicates merged into others, and a hot plan of quick wins."""
        from sqlalchemy import update

        from db.models import Idea

        rng = self.rng
        open_ids = [row[0] for row in ideas if row[1] in ("valid", "planned")]
        merged = rng.sample(open_ids, k=min(len(open_ids) // 2, max(1, len(ideas) // 50)))
        targets = [i for i in open_ids if i not in set(merged)]
        for idea_id in merged:
            connection.execute(
                update(Idea).where(Idea.id == idea_id).values(merged_into_id=rng.choice(targets), status="invalid")
            )
        for position, idea_id in enumerate(rng.sample(targets, k=min(12, len(targets))), start=1):
            connection.execute(
                update(Idea).where(Idea.id == idea_id).values(hot_plan_position=position, impact=5, cost=1)
            )

    def conversations(self, base: dict[str, Any], posts: list[Any]) -> list[dict[str, Any]]:
        from core.sla.figures import sla_figures

        rng = self.rng
        published: dict[int, list[tuple[dt.datetime, int]]] = {}
        for post_id, channel_id, published_at in posts:
            if published_at is not None:
                published.setdefault(channel_id, []).append((published_at, post_id))
        for entries in published.values():
            entries.sort()
        workers = self.role_ids["support"] + self.role_ids["community"]
        texts = {
            "question": "Hi! How do I {} on the new version? Thanks",
            "complaint": "Third time this week: {} is broken again.",
            "ugc": "Made a short video about {} — feel free to share",
            "praise": "Love the new {} screen, thank you!",
            "other": "Is anyone from the team reading this? ({})",
        }
        rows = []
        for n in range(self.scale.conversations):
            received = self.instant()
            kind = rng.choice(("question", "question", "question", "complaint", "ugc", "praise", "other"))
            category = rng.choice(CATEGORIES)
            channel_id = rng.choice(self.channel_ids)
            age_days = (self.now - received).total_seconds() / 86400
            needs = kind in ("question", "complaint")
            unanswered = 0.1 if age_days < 7 else 0.02
            reply = None
            if rng.random() > (unanswered if needs else 0.5):
                reply = received + dt.timedelta(minutes=rng.expovariate(1 / 150))
                if reply > self.now:
                    reply = None
            status, reason = "open", ""
            if reply is not None:
                status = "resolved" if rng.random() < 0.85 else "waiting"
            elif not needs:
                status, reason = "no_reply_needed", "Nothing to answer."
            resolved = reply + dt.timedelta(hours=rng.randint(1, 48)) if status == "resolved" and reply else None
            if resolved is not None and resolved > self.now:
                resolved, status = None, "waiting"
            escalated = needs and rng.random() < 0.04
            policy_id, minutes = self.policies["complaint" if kind == "complaint" else None]
            figures = sla_figures(
                received_at=received,
                first_reply_at=reply,
                policy_id=policy_id,
                first_response_minutes=minutes,
                calendar=self.calendar,
            )
            post_id = None
            if rng.random() < POST_LINK_SHARE and published.get(channel_id):
                entries = published[channel_id]
                at = bisect.bisect_right(entries, (received, math.inf)) - 1
                if at >= 0:
                    post_id = entries[max(0, at - rng.randint(0, 5))][1]
            author = skewed(rng, self.handles)
            rows.append(
                base
                | figures.as_columns()
                | dict(
                    channel_id=channel_id,
                    external_id=f"{channel_id}-{n}",
                    kind=kind,
                    author_handle=author,
                    author_key=stored_key(author),
                    text=texts[kind].format(category),
                    link=f"https://example.com/c/{n}",
                    category=category,
                    received_at=received,
                    first_reply_at=reply,
                    resolved_at=resolved,
                    status=status,
                    no_reply_reason=reason,
                    assignee_id=rng.choice(workers) if needs else None,
                    escalation_team_id=rng.choice(self.team_ids) if escalated else None,
                    escalated_at=received + dt.timedelta(hours=1) if escalated else None,
                    escalation_reason="Needs the team that owns it." if escalated else "",
                    quick_answer_id=rng.choice(self.answer_ids) if reply and rng.random() < 0.2 else None,
                    useful=kind == "ugc" and rng.random() < 0.5,
                    best=kind == "ugc" and rng.random() < 0.05,
                    engagement=rng.randint(0, 50),
                    post_id=post_id,
                    created_at=received,
                )
            )
        return rows

    def messages(self, base: dict[str, Any], conversations: list[Any]) -> list[dict[str, Any]]:
        """Threads for a share of the conversations: the message, the team's reply, a follow-up."""
        rng = self.rng
        rows = []
        for conversation_id, handle, text, received, reply, assignee, answer in conversations:
            if rng.random() >= THREAD_SHARE:
                continue
            rows.append(
                base
                | dict(
                    conversation_id=conversation_id,
                    external_id=f"m{conversation_id}-1",
                    sent_at=received,
                    author_handle=handle,
                    text=text,
                    source="imported",
                    created_at=received,
                )
            )
            if reply is None:
                continue
            rows.append(
                base
                | dict(
                    conversation_id=conversation_id,
                    external_id=f"m{conversation_id}-2",
                    sent_at=reply,
                    from_team=True,
                    user_id=assignee,
                    text="Thanks for asking! Here is how it works.",
                    quick_answer_id=answer,
                    source="quick_answer" if answer else "imported",
                    created_at=reply,
                )
            )
            follow_up = reply + dt.timedelta(minutes=rng.randint(5, 600))
            if rng.random() < 0.3 and follow_up < self.now:
                rows.append(
                    base
                    | dict(
                        conversation_id=conversation_id,
                        external_id=f"m{conversation_id}-3",
                        sent_at=follow_up,
                        author_handle=handle,
                        text="That worked, thanks!",
                        source="imported",
                        created_at=follow_up,
                    )
                )
        return rows

    def loop(self, connection, ideas: list[Any], base: dict[str, Any], LoopItem, LoopItemIdea, LoopThanks) -> None:
        """Loop items on shipped ideas: a few still to announce, most announced, many thanked and measured."""
        from sqlalchemy import insert, select

        from db.models import IdeaGiver

        rng = self.rng
        settled = self.now - dt.timedelta(days=3)
        shipped = sorted(row for row in ideas if row[1] == "shipped" and row[2] is not None and row[2] < settled)
        shipped = rng.sample(shipped, k=min(len(shipped), self.scale.loop_items * 2))
        rng.shuffle(shipped)
        position = 0
        for n in range(min(self.scale.loop_items, len(shipped))):
            size = rng.randint(1, 3)
            chunk = shipped[position : position + size] or shipped[-1:]
            position += size
            shipped_on = max(row[2] for row in chunk).astimezone(TIMEZONE).date()
            roll = rng.random()
            status = (
                "shipped" if roll < 0.15 else "announced" if roll < 0.4 else "thanked" if roll < 0.7 else "measured"
            )
            announced = self.local(shipped_on + dt.timedelta(days=2), 12) if status != "shipped" else None
            if announced is not None and announced > self.now:
                announced, status = None, "shipped"
            item_id = connection.execute(
                insert(LoopItem).values(
                    base
                    | dict(
                        what_changed=f"You asked for {rng.choice(CATEGORIES)} improvements: #{n} is live",
                        details="Thanks to everyone who asked for it.",
                        shipped_on=shipped_on,
                        status=status,
                        announced_at=announced,
                        impact_categories=", ".join(rng.sample(CATEGORIES, k=rng.randint(1, 2))),
                        nps_before=round(rng.uniform(20, 40), 1) if status == "measured" else None,
                        nps_after=round(rng.uniform(30, 55), 1) if status == "measured" else None,
                        measured_at=announced + dt.timedelta(days=30) if status == "measured" and announced else None,
                        created_by_id=self.role_ids["lead"][0],
                        created_at=self.local(shipped_on, 10),
                    )
                )
            ).inserted_primary_key[0]
            idea_ids = sorted({row[0] for row in chunk})
            connection.execute(insert(LoopItemIdea), [dict(loop_item_id=item_id, idea_id=i) for i in idea_ids])
            if status in ("announced", "thanked", "measured"):
                handles = sorted(
                    set(connection.execute(select(IdeaGiver.handle).where(IdeaGiver.idea_id.in_(idea_ids))).scalars())
                )
                thanked = handles if status != "announced" else handles[: len(handles) // 2]
                if thanked:
                    connection.execute(
                        insert(LoopThanks),
                        [
                            dict(
                                loop_item_id=item_id,
                                handle=h,
                                handle_key=stored_key(h),
                                thanked_by_id=self.role_ids["community"][0],
                                thanked_at=announced,
                            )
                            for h in thanked
                        ],
                    )

    def audit(self, base: dict[str, Any]) -> list[dict[str, Any]]:
        rng = self.rng
        kinds = (
            ("post", "post.update"),
            ("post", "post.status"),
            ("idea", "idea.status"),
            ("conversation", "conversation.reply"),
            ("conversation", "import.conversations"),
            ("loop_item", "loop.advance"),
            ("sign_in", "sign_in.ok"),
        )
        rows = []
        for _ in range(self.scale.audit_rows):
            entity, action = rng.choice(kinds)
            user_id = rng.choice(self.user_ids)
            rows.append(
                base
                | dict(
                    at=self.instant(),
                    actor_id=user_id,
                    actor=f"user{user_id}",
                    action=action,
                    entity=entity,
                    entity_id=rng.randint(1, 1000),
                    after=json.dumps({"status": "published"}),
                )
            )
        rows.sort(key=lambda r: r["at"])
        return rows

    def sessions(self, base: dict[str, Any]) -> list[dict[str, Any]]:
        """A year of sign-ins: a few a week per person, nearly all long over."""
        rng = self.rng
        rows = []
        agents = (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0",
            "Mozilla/5.0 (Macintosh) Safari/17.5",
            "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
        )
        for user_id in self.user_ids:
            for _ in range(150):
                started = self.instant()
                expires = started + dt.timedelta(days=7)
                revoked = started + dt.timedelta(hours=rng.randint(1, 30)) if rng.random() < 0.7 else None
                revoked = revoked if revoked is None or revoked < self.now else None
                rows.append(
                    base
                    | dict(
                        token_hash=f"{rng.getrandbits(256):064x}",
                        user_id=user_id,
                        created_at=started,
                        last_seen_at=min(started + dt.timedelta(hours=2), self.now),
                        expires_at=expires,
                        revoked_at=revoked,
                        revoked_reason="signed_out" if revoked else "",
                        user_agent=rng.choice(agents),
                        client_address=f"10.0.{user_id % 250}.{rng.randint(1, 250)}",
                    )
                )
        return rows

    def throttle(self) -> list[dict[str, Any]]:
        rows = []
        for n in range(30):
            at = self.now - dt.timedelta(days=n)
            rows.append(
                dict(scope="username", key=f"guess{n}", failures=1 + n % 4, window_started_at=at, last_failure_at=at)
            )
        return rows


def iter_scales(names: Iterable[str]) -> list[Scale]:
    return [SCALES[name] for name in names]
