"""The chain KPIs and the escalation KPIs on hand-computed data (June 2025 in Berlin, read on
5 July 2025 at noon), on the screen's overview and in ``python -m core kpis --json``; posts ranked
by the dialog they created."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from core.kpis import chain as chain_kpis
from core.kpis.escalations import deadline_verdict
from core.kpis.overview import compute_kpis
from db.models import (
    ConversationStatus,
    IdeaConversation,
    IdeaGiver,
    IdeaStatus,
    LoopItem,
    LoopItemIdea,
    LoopThanks,
    PostStatus,
)
from tests.factories import (
    ensure_workspace,
    make_channel,
    make_conversation,
    make_escalation_team,
    make_idea,
    make_ready_post,
)
from tests.test_cli import run_cli

BERLIN = ZoneInfo("Europe/Berlin")
JUNE = (dt.date(2025, 6, 1), dt.date(2025, 6, 30))
NOW = dt.datetime(2025, 7, 5, 12, 0, tzinfo=BERLIN)


def b(month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, tzinfo=BERLIN)


def _loop(session, idea, *, shipped_on, announced_at, givers, thanked):
    item = LoopItem(
        what_changed=f"{idea.title} is live",
        shipped_on=shipped_on,
        status="announced" if announced_at else "shipped",
        announced_at=announced_at,
    )
    session.add(item)
    session.flush()
    session.add(LoopItemIdea(loop_item_id=item.id, idea_id=idea.id))
    for handle in givers:
        session.add(IdeaGiver(idea_id=idea.id, handle=handle, given_at=idea.created_at))
    for handle in thanked:
        session.add(LoopThanks(loop_item_id=item.id, handle=handle, thanked_at=announced_at or b(6, 30)))
    return item


@pytest.fixture
def ideas(session):
    """Shipped in June: A 14.0 days after logging, announced 2.0 days later (within 14); B 10.0
    days, announced 19.0 days later (late); C 4.0 days, never announced (its 14 days are over);
    D 1.0 day, not announced, shipped 6 days before now (not decided). E shipped in July, F was
    merged into A: neither counts."""
    ensure_workspace(session)
    a = make_idea(session, title="Dark mode", status=IdeaStatus.shipped, created_at=b(5, 20), shipped_at=b(6, 3))
    bb = make_idea(session, title="CSV export", status=IdeaStatus.shipped, created_at=b(6, 1), shipped_at=b(6, 11))
    make_idea(session, title="Passkeys", status=IdeaStatus.shipped, created_at=b(6, 16), shipped_at=b(6, 20))
    make_idea(session, title="Bigger font", status=IdeaStatus.shipped, created_at=b(6, 28), shipped_at=b(6, 29))
    e = make_idea(session, title="Offline mode", status=IdeaStatus.shipped, created_at=b(6, 2), shipped_at=b(7, 2))
    make_idea(
        session,
        title="Night theme",
        status=IdeaStatus.shipped,
        created_at=b(6, 1),
        shipped_at=b(6, 3),
        merged_into_id=a.id,
    )
    # Givers thanked over June's loop items: 2 of 3 for A, 0 of 2 for B ("@mila schmidt" is one person).
    _loop(
        session,
        a,
        shipped_on=dt.date(2025, 6, 3),
        announced_at=b(6, 5),
        givers=["@Mila Schmidt", "@ben_2", "@Tom"],
        thanked=["@Mila Schmidt", "@Tom"],
    )
    _loop(
        session,
        bb,
        shipped_on=dt.date(2025, 6, 11),
        announced_at=b(6, 30),
        givers=["@Ana Paula", "@mila schmidt"],
        thanked=[],
    )
    _loop(session, e, shipped_on=dt.date(2025, 7, 2), announced_at=None, givers=["@lea"], thanked=[])
    session.commit()


def _question(session, channel, post, *, at, due_hours=2, replied_after=None, **fields):
    return make_conversation(
        session,
        channel=channel,
        post_id=post.id,
        received_at=at,
        kind=fields.pop("kind", "question"),
        deadline_at=at + dt.timedelta(hours=due_hours),
        first_reply_at=None if replied_after is None else at + dt.timedelta(hours=replied_after),
        status=ConversationStatus.waiting if replied_after is not None else ConversationStatus.open,
        **fields,
    )


@pytest.fixture
def posts(session):
    """June's posts: P1 both questions met (answered); P2 one met, one breached (against, on
    Telegram); P3 unanswered past its deadline (against); P4 one question not due yet (neither);
    P5 only UGC (neither); P6 one met, one not due (neither). P7 was published in May."""
    ensure_workspace(session)
    insta, telegram = make_channel(session, name="Instagram"), make_channel(session, name="Telegram")

    def post(channel, title, day, month=6):
        return make_ready_post(
            session, channel=channel, title=title, status=PostStatus.published, published_at=b(month, day, 9)
        )

    p1, p2, p3 = post(insta, "P1", 2), post(telegram, "P2", 3), post(insta, "P3", 4)
    p4, p5, p6, p7 = post(insta, "P4", 5), post(insta, "P5", 6), post(insta, "P6", 7), post(insta, "P7", 28, 5)
    _question(session, insta, p1, at=b(6, 2, 10), replied_after=1)
    _question(session, insta, p1, at=b(6, 2, 11), replied_after=2)  # at the deadline itself: met
    _question(session, telegram, p2, at=b(6, 3, 10), replied_after=1)
    _question(session, telegram, p2, at=b(6, 3, 11), replied_after=3)
    _question(session, insta, p3, at=b(6, 4, 10))
    _question(session, insta, p4, at=b(7, 5, 11))  # due at 13:00 on the day we read
    _question(session, insta, p4, at=b(6, 5, 10), kind="praise")
    _question(session, insta, p5, at=b(6, 6, 10), kind="ugc")
    _question(session, insta, p6, at=b(6, 7, 10), replied_after=1)
    _question(session, insta, p6, at=b(7, 5, 11, 30))
    _question(session, insta, p7, at=b(5, 28, 10), replied_after=1)
    session.commit()
    return dict(insta=insta, telegram=telegram, p1=p1, p2=p2, p3=p3, p4=p4, p6=p6)


def _kpis(session, channel=None):
    values = compute_kpis(
        session, start=JUNE[0], end=JUNE[1], channel_id=None if channel is None else channel.id, now=NOW
    )
    return {v.key: v for v in values}


def test_idea_to_shipped_and_shipped_to_announced_medians_and_the_14_day_share(session, ideas):
    kpis = _kpis(session)
    assert kpis["idea_to_shipped_days"].value == pytest.approx(7.0)  # median of 14, 10, 4, 1
    assert kpis["idea_to_shipped_days"].detail == "4 ideas shipped"
    assert kpis["shipped_to_announced_days"].value == pytest.approx(10.5)  # median of 2 and 19
    assert kpis["shipped_to_announced_days"].detail == "2 of 4 announced; 2 still to announce"
    assert kpis["announced_within_14_days"].value == pytest.approx(100 / 3)  # 1 of (1 + 2)
    assert kpis["announced_within_14_days"].detail == (
        "1 within 14 days, 2 later or not yet; 1 shipped less than 14 days ago"
    )
    assert kpis["givers_thanked_share"].value == pytest.approx(40.0)
    assert kpis["givers_thanked_share"].detail == "2 of 5 givers thanked"


def test_posts_whose_dialog_was_answered_within_sla(session, posts):
    kpis = _kpis(session)
    assert kpis["posts_answered_within_sla"].value == pytest.approx(100 / 3)
    assert kpis["posts_answered_within_sla"].detail == "1 of 3 posts with questions; 2 still being answered"
    instagram = _kpis(session, posts["insta"])
    assert instagram["posts_answered_within_sla"].value == pytest.approx(50.0)  # P2 is on Telegram


def test_the_chain_kpis_are_in_kpis_json(engine, session, ideas):
    code, out, _ = run_cli(engine, "kpis", "--from", "2025-06-01", "--to", "2025-06-30", "--json")
    assert code == 0
    by_key = {k["key"]: k for k in json.loads(out)["kpis"]}
    chain = {key: by_key[key] for key in ("idea_to_shipped_days", "shipped_to_announced_days")}
    assert {k: (v["unit"], v["family"], v["value"]) for k, v in chain.items()} == {
        "idea_to_shipped_days": ("days", "chain", 7.0),
        "shipped_to_announced_days": ("days", "chain", 10.5),
    }
    assert by_key["givers_thanked_share"]["value"] == pytest.approx(40.0)


@pytest.fixture
def escalated(session, team, channel):
    """June's escalations: Billing resolved one in 5 h (within), one in 24 h (past its deadline)
    and has one open past its deadline; Legal has one open not yet due and one resolved after
    30 h without a deadline. A May escalation does not count."""
    billing = make_escalation_team(session, name="Billing", owner_id=team["support"].id)
    legal = make_escalation_team(session, name="Legal", owner_id=team["lead"].id)

    def escalation(team_row, at, *, resolved_after=None, deadline=None):
        make_conversation(
            session,
            channel=channel,
            received_at=at - dt.timedelta(hours=1),
            escalation_team_id=team_row.id,
            escalated_at=at,
            escalation_deadline_at=deadline,
            status=ConversationStatus.resolved if resolved_after is not None else ConversationStatus.waiting,
            resolved_at=None if resolved_after is None else at + dt.timedelta(hours=resolved_after),
            first_reply_at=at,
        )

    escalation(billing, b(6, 2, 10), resolved_after=5, deadline=b(6, 2, 18))
    escalation(billing, b(6, 3, 9), resolved_after=24, deadline=b(6, 3, 17))
    escalation(billing, b(6, 10, 9), deadline=b(6, 11, 9))
    escalation(legal, b(6, 20, 9), deadline=b(7, 10, 9))
    escalation(legal, b(6, 5, 9), resolved_after=30)
    escalation(legal, b(5, 20, 9), resolved_after=1, deadline=b(5, 20, 17))
    session.commit()


def test_escalations_per_team_time_to_resolve_and_share_within_the_deadline(session, escalated):
    kpis = _kpis(session)
    assert kpis["escalations"].value == 5
    assert kpis["escalations"].notes == (
        "Billing: 3 escalations · 2 resolved, median 14.5 h · 1 of 3 within the deadline",
        "Legal: 2 escalations · 1 resolved, median 30.0 h",
    )
    assert kpis["escalation_resolve_hours"].value == pytest.approx(24.0)  # median of 5, 24, 30
    assert kpis["escalation_within_deadline"].value == pytest.approx(100 / 3)
    assert kpis["escalation_within_deadline"].previous == pytest.approx(100.0)  # May: 1 of 1


@pytest.mark.parametrize(
    ("deadline", "resolved_at", "resolved", "verdict"),
    [
        (b(6, 3, 17), b(6, 3, 17), True, True),
        (b(6, 3, 17), b(6, 3, 17, 1), True, False),
        (b(6, 3, 17), None, False, False),  # open and past it at NOW
        (b(7, 10, 9), None, False, None),  # open, not due
        (None, b(6, 3, 17), True, None),
    ],
)
def test_an_escalation_is_within_its_deadline_when_resolved_by_it(deadline, resolved_at, resolved, verdict):
    assert deadline_verdict(deadline, resolved_at, resolved=resolved, now=NOW) is verdict


@pytest.mark.parametrize(
    ("shipped", "announced", "verdict"),
    [
        (b(6, 1), b(6, 15), True),  # exactly 14 days
        (b(6, 1), b(6, 15, 12, 1), False),
        (b(6, 25), None, None),  # 10 days before NOW
        (b(6, 20), None, False),  # 15 days before NOW
    ],
)
def test_an_idea_is_announced_within_14_days_or_not_yet_decided(shipped, announced, verdict):
    assert chain_kpis.announced_within(shipped, announced, now=NOW) is verdict


def test_posts_are_ranked_by_the_dialog_they_created(session, posts):
    idea = make_idea(session, title="Captions on carousels", post_id=posts["p6"].id)
    other = make_idea(session, title="Video version")
    conversation = make_conversation(
        session, channel=posts["insta"], post_id=posts["p1"].id, received_at=b(6, 2, 13), kind="praise"
    )
    session.add(IdeaConversation(idea_id=other.id, conversation_id=conversation.id))
    session.commit()
    ranked = chain_kpis.posts_by_dialog(session, start=JUNE[0], end=JUNE[1])
    top = [(r.title, r.conversations, r.needing_reply, r.answered, r.met, r.ideas) for r in ranked[:3]]
    assert top == [("P1", 3, 2, 2, 2, 1), ("P2", 2, 2, 2, 1, 0), ("P4", 2, 1, 0, 0, 0)]
    assert {r.title for r in ranked} == {"P1", "P2", "P3", "P4", "P5", "P6"}
    assert next(r for r in ranked if r.title == "P6").ideas == 1 and idea.post_id == posts["p6"].id
