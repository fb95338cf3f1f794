"""The demo's idea board: two dozen ideas with givers and votes, scored so the Impact/Cost
matrix shows every quadrant, a hot plan, kept reasons and one duplicate merged the board's way."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select

from core.demo.builder import WEEKS, DemoBuilder
from core.demo.people import COMMUNITY_HANDLES
from core.ideas import merges
from core.permissions import Actor
from core.records import stored_id
from db.models import Channel, Idea, IdeaGiver, IdeaSource, IdeaStatus, Role, User, Vote

IDEA_TITLES = (
    ("Dark mode for the mobile app", "mobile app"),
    ("Export reports as Excel", "export"),
    ("Weekly summary e-mail", "notifications"),
    ("Pay by bank transfer", "billing"),
    ("Sign in with a passkey", "login"),
    ("Mute notifications at night", "notifications"),
    ("Shared team templates", "productivity"),
    ("Cheaper plan for students", "pricing"),
    ("Offline mode on the train", "mobile app"),
    ("Invoices with our VAT number", "billing"),
    ("Keyboard shortcuts", "productivity"),
    ("Widget for the home screen", "mobile app"),
    ("Bigger font option", "mobile app"),
    ("Schedule exports every Monday", "export"),
    ("Family plan", "pricing"),
    ("Remember me for 30 days", "login"),
    ("Push only for mentions", "notifications"),
    ("Annual billing discount", "pricing"),
    ("Import from spreadsheets", "export"),
    ("Better search in the help centre", "help centre"),
    ("Undo for deleted items", "productivity"),
    ("Show price in local currency", "pricing"),
    ("Calendar sync", "productivity"),
    ("Split invoices per department", "billing"),
)

# The status of the n-th idea: mostly new and valid, a few planned or under way, three shipped.
STATUS_MIX = (
    (IdeaStatus.new,) * 6
    + (IdeaStatus.valid,) * 5
    + (IdeaStatus.invalid,) * 2
    + (IdeaStatus.planned,) * 4
    + (IdeaStatus.in_progress,) * 3
    + (IdeaStatus.shipped,) * 3
    + (IdeaStatus.declined,)
)

# Scores chosen so the Impact/Cost matrix shows every quadrant and a few quick wins are still
# waiting for the hot plan (impact, cost by title; unlisted valid-or-later ideas keep theirs).
IDEA_SCORES = {
    "Shared team templates": (5, 3),
    "Cheaper plan for students": (3, 2),
    "Offline mode on the train": (4, 4),
    "Invoices with our VAT number": (4, 1),
    "Keyboard shortcuts": (4, 2),
    "Schedule exports every Monday": (4, 2),
    "Family plan": (3, 4),
    "Remember me for 30 days": (5, 1),
    "Push only for mentions": (4, 2),
    "Annual billing discount": (2, 1),
    "Import from spreadsheets": (5, 4),
    "Better search in the help centre": (4, 3),
    "Undo for deleted items": (5, 3),
    "Show price in local currency": (3, 2),
    "Calendar sync": (4, 2),
    "Split invoices per department": (2, 5),
}
IDEA_HOT_PLAN = ("Remember me for 30 days", "Invoices with our VAT number", "Push only for mentions")


def add_ideas(demo: DemoBuilder, *, users: dict[str, User], channels: list[Channel]) -> list[Idea]:
    """The ideas as logged over the eight weeks (givers and the team's votes with them), then
    shaped for the board; returns them in the order they were logged."""
    rng, session = demo.rng, demo.session
    team = [u for u in users.values() if u.role != Role.viewer]
    ideas = []
    for n, (title, category) in enumerate(IDEA_TITLES):
        status = STATUS_MIX[n % len(STATUS_MIX)]
        logged = demo.local(demo.start + dt.timedelta(days=rng.randint(0, WEEKS * 7 - 10)), rng.randint(9, 17))
        idea = Idea(
            title=title,
            description=f"Asked for by the community: {title.lower()}.",
            source=rng.choice(list(IdeaSource)),
            channel_id=rng.choice(channels).id,
            source_url=f"https://example.com/thread/{1000 + n}",
            category=category,
            status=status,
            status_reason="Out of scope for this year." if status == IdeaStatus.declined else "",
            logged_by_id=rng.choice(team).id,
            created_at=logged,
        )
        if status not in (IdeaStatus.new, IdeaStatus.invalid):
            valid_at = logged + dt.timedelta(days=rng.randint(1, 6))
            idea.valid_at = valid_at
            idea.impact, idea.cost = rng.randint(1, 5), rng.randint(1, 5)
            idea.scored_by_id, idea.scored_at = users["lead"].id, valid_at
            if status == IdeaStatus.shipped:
                idea.shipped_at = min(valid_at + dt.timedelta(days=rng.randint(5, 20)), demo.local(demo.today, 9))
        demo.create(idea, action="idea.create")
        idea_id = stored_id(idea.id)
        for handle in rng.sample(COMMUNITY_HANDLES[:60], rng.randint(1, 5)):
            session.add(IdeaGiver(idea_id=idea_id, handle=handle, channel_id=idea.channel_id, given_at=logged))
        for voter in rng.sample(team, rng.randint(0, len(team))):
            session.add(Vote(idea_id=idea_id, user_id=stored_id(voter.id), created_at=logged))
        ideas.append(idea)
    session.flush()
    _shape_board(demo, ideas, users=users, channels=channels)
    return ideas


def _shape_board(demo: DemoBuilder, ideas: list[Idea], *, users: dict[str, User], channels: list[Channel]) -> None:
    """Scores, the hot plan, kept reasons and one merged duplicate, without drawing from the
    shared random stream (so the rest of the demo stays as it is)."""
    session = demo.session
    by_title = {i.title: i for i in ideas}
    for title, (impact, cost) in IDEA_SCORES.items():
        by_title[title].impact, by_title[title].cost = impact, cost
    for position, title in enumerate(IDEA_HOT_PLAN, start=1):
        by_title[title].hot_plan_position = position
    by_title["Bigger font option"].status_reason = "Already there: Settings → Display → Text size."
    by_title[
        "Split invoices per department"
    ].status_reason = "Out of scope for this year: billing is moving to a new provider."
    session.flush()
    _merge_a_duplicate(demo, by_title["Dark mode for the mobile app"], users=users, channels=channels)


def _merge_a_duplicate(demo: DemoBuilder, target: Idea, *, users: dict[str, User], channels: list[Channel]) -> None:
    """A survey answer logged again as its own idea, sharing a giver with ``target``, merged
    into it with the idea board's own merge (so the demo shows a real one)."""
    session = demo.session
    target_id = stored_id(target.id)
    forum = next(c for c in channels if c.platform == "forum")
    logged = target.created_at + dt.timedelta(days=9, hours=3)
    duplicate = Idea(
        title="Dark theme, please",
        description="From the monthly survey: “my eyes hurt at night, a dark theme would help”.",
        source=IdeaSource.survey,
        channel_id=forum.id,
        category=target.category,
        logged_by_id=users["community"].id,
        created_at=logged,
    )
    demo.create(duplicate, action="idea.create")
    duplicate_id = stored_id(duplicate.id)
    first_giver = session.exec(
        select(IdeaGiver.handle).where(IdeaGiver.idea_id == target_id).order_by(col(IdeaGiver.id)).limit(1)
    ).one()
    for handle in (first_giver, *COMMUNITY_HANDLES[60:63]):
        session.add(IdeaGiver(idea_id=duplicate_id, handle=handle, channel_id=forum.id, given_at=logged))
    for username in ("lead", "community", "analyst"):
        session.add(Vote(idea_id=duplicate_id, user_id=stored_id(users[username].id), created_at=logged))
    session.flush()
    lead = users["lead"]
    merges.merge(
        session=session,
        actor=Actor(id=lead.id, username=lead.username, role=Role(lead.role), name=lead.name),
        source_id=duplicate_id,
        target_id=target_id,
        expected_version=duplicate.version,
    )
