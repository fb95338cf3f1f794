"""The home screen's counts of what needs attention today."""

import datetime as dt
from zoneinfo import ZoneInfo

from core.attention import UPCOMING, DeadlineClock, attention
from db.models import IdeaStatus, LoopItem, LoopItemIdea, PostStatus
from tests.factories import make_channel, make_conversation, make_idea, make_post

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_counts_what_needs_attention(write, read):
    with write() as s:
        channel = make_channel(s)
        past_due = NOW - dt.timedelta(hours=1)
        make_conversation(
            s, channel=channel, kind="question", received_at=NOW - dt.timedelta(hours=5), deadline_at=past_due
        )
        make_conversation(
            s,
            channel=channel,
            kind="complaint",
            received_at=NOW - dt.timedelta(minutes=10),
            deadline_at=NOW + dt.timedelta(hours=2),
        )
        make_conversation(
            s,
            channel=channel,
            kind="question",
            received_at=NOW - dt.timedelta(hours=5),
            deadline_at=past_due,
            first_reply_at=past_due,
        )
        make_conversation(
            s, channel=channel, kind="praise", received_at=NOW - dt.timedelta(hours=5), deadline_at=past_due
        )
        make_conversation(
            s,
            channel=channel,
            kind="question",
            received_at=NOW - dt.timedelta(hours=5),
            deadline_at=past_due,
            status="no_reply_needed",
        )
        # Marked "no reply needed" and then resolved: closed, nothing is waiting.
        make_conversation(
            s,
            channel=channel,
            kind="question",
            received_at=NOW - dt.timedelta(hours=5),
            deadline_at=past_due,
            status="resolved",
            no_reply_reason="Spam",
            resolved_at=past_due,
        )
        make_post(s, channel=channel, status=PostStatus.in_review)
        # 23:30 Berlin on the 10th is 22:30 UTC: still today in the workspace's zone.
        make_post(
            s, channel=channel, status=PostStatus.scheduled, scheduled_at=dt.datetime(2026, 3, 10, 22, 30, tzinfo=UTC)
        )
        make_post(
            s, channel=channel, status=PostStatus.scheduled, scheduled_at=dt.datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
        )
        make_post(s, channel=channel, status=PostStatus.approved, blocked_reason="Missing ad label")
        make_idea(s, status=IdeaStatus.new)
        merged_target = make_idea(s, status=IdeaStatus.valid)
        make_idea(s, status=IdeaStatus.new, merged_into_id=merged_target.id)
        s.add(LoopItem(what_changed="Dark mode", shipped_on=dt.date(2026, 3, 1)))
    with read() as s:
        result = attention(s, now=NOW, tz=BERLIN)
    assert result.breached == 1
    assert result.waiting_for_reply == 2
    assert result.posts_in_review == 1
    assert result.posts_today == 1
    assert result.blocked_posts == 1
    assert result.new_ideas == 1
    assert result.open_loops == 1


def test_an_empty_workspace_needs_nothing(read):
    with read() as s:
        result = attention(s, now=NOW, tz=BERLIN)
    assert result == type(result)(DeadlineClock(NOW, 0), 0, 0, 0, 0, 0, 0)


def test_shipped_ideas_without_a_loop_item_are_to_announce_on_home(write, read):
    with write() as s:
        # One loop item not announced, with its shipped idea; two more shipped ideas no loop answers;
        # a shipped idea merged away and a declined one count for nothing.
        answered = make_idea(s, status=IdeaStatus.shipped)
        item = LoopItem(what_changed="Dark mode", shipped_on=dt.date(2026, 3, 1))
        s.add(item)
        s.flush()
        s.add(LoopItemIdea(loop_item_id=item.id, idea_id=answered.id))
        make_idea(s, status=IdeaStatus.shipped, title="Offline mode")
        kept = make_idea(s, status=IdeaStatus.shipped, title="Export to CSV")
        make_idea(s, status=IdeaStatus.shipped, title="CSV export", merged_into_id=kept.id)
        make_idea(s, status=IdeaStatus.declined)
    with read() as s:
        result = attention(s, now=NOW, tz=BERLIN)
    assert result.open_loops == 1
    assert result.shipped_without_loop == 2
    assert result.to_announce == 3


def test_the_count_past_the_sla_follows_the_clock_from_one_read(write, read, channel):
    """Read once, the count past the deadline is right at later moments, until the deadlines read
    run out; then the screen reads again."""
    soon = [NOW + dt.timedelta(minutes=10 * n) for n in range(1, UPCOMING + 3)]
    with write() as s:
        for n, deadline in enumerate([NOW - dt.timedelta(hours=1), *soon]):
            make_conversation(s, channel=channel, deadline_at=deadline, text=f"Where is order {n}?")
        make_conversation(s, channel=channel, deadline_at=NOW + dt.timedelta(minutes=5), first_reply_at=NOW)
    with read() as s:
        result = attention(s, now=NOW, tz=BERLIN)
    assert result.breached == 1 and result.waiting_for_reply == UPCOMING + 3
    assert result.breached_at(NOW - dt.timedelta(minutes=1)) == 1  # a clock behind the read
    assert result.breached_at(NOW + dt.timedelta(minutes=10)) == 2  # a deadline at the moment has passed
    assert result.breached_at(NOW + dt.timedelta(minutes=25)) == 3
    last_read = soon[UPCOMING - 1]
    assert result.breached_at(last_read - dt.timedelta(seconds=1)) == UPCOMING
    assert result.breached_at(last_read) is None  # beyond the deadlines read: read again
    with read() as s:
        again = attention(s, now=last_read, tz=BERLIN)
    assert again.breached == UPCOMING + 1
    with read() as s:
        for later in (NOW + dt.timedelta(minutes=10), NOW + dt.timedelta(minutes=25)):
            assert attention(s, now=later, tz=BERLIN).breached == result.breached_at(later)
