"""The demo's showcase of the whole chain, laid out by rule: a call for ideas ("Ideas for the
product") from last month collected four proposals as conversations (in its watch window, so they
went to its SLA owner); one became an idea that was voted on, triaged, shipped in the middle of last
month, announced two days later and its givers thanked — with the people who answered the call
still to be told. Also the links of posts and comments on each platform the demo uses.
"""

from __future__ import annotations

import datetime as dt

from core.demo.builder import DemoBuilder
from core.loop import rules as loop_rules
from core.records import stored_id
from core.sla import figures, policies
from core.sla.watch import WatchBook
from db.models import (
    AuditLog,
    Channel,
    Conversation,
    ConversationKind,
    ConversationMessage,
    ConversationStatus,
    Idea,
    IdeaConversation,
    IdeaGiver,
    IdeaSource,
    IdeaStatus,
    LoopItem,
    LoopItemIdea,
    LoopStatus,
    LoopThanks,
    MessageSource,
    Post,
    PostStatus,
    User,
    Vote,
)

# The call for ideas and what people answered (author, text, the category it is filed under).
CALL_TITLE = "Ideas for the product: what should the app do better?"
CALL_ANSWERS = (
    ("@Mila Schmidt", "Could you import my contacts from a spreadsheet? Typing 300 of them is no fun.", "export"),
    ("@jonas.becker", "A dark theme for the web app too, please!", "web app"),
    ("@Ana Paula", "Let me undo when I delete something by mistake.", "productivity"),
    ("@tom_k", "Same as Mila: importing from Excel would save me a whole afternoon.", "export"),
)
SHOWCASE_IDEA = "Import contacts from a spreadsheet"
SHOWCASE_FROM = (0, 3)  # the answers that became (and joined) the idea
CALL_REPLY = "Thank you! We logged it as an idea on our board and will come back when it ships."


def post_url(post: Post, platform: str) -> str:
    """A post's link on its platform, as the team would paste it."""
    number = stored_id(post.id)
    return {
        "instagram": f"https://www.instagram.com/p/DlgDsk{number:04d}/",
        "telegram": f"https://t.me/dialogdesk_demo/{1200 + number}",
        "youtube": f"https://www.youtube.com/watch?v=dlgdsk{number:05d}",
        "forum": f"https://forum.example.com/t/post-{number}",
    }.get(platform, f"https://example.com/{platform}/posts/{number}")


def comment_link(url: str, platform: str, n: int) -> str:
    """The link of a comment on a post (what platform exports carry)."""
    return {
        "instagram": f"{url}c/{18000 + n}/",
        "telegram": f"{url}?comment={n}",
        "youtube": f"{url}&lc=Ugz{n:05d}",
        "forum": f"{url}#post-{n}",
    }.get(platform, f"{url}#comment-{n}")


# --- the showcase: one call for ideas through to the thanks ---------------------------------------


def _last_month_middle(demo: DemoBuilder) -> dt.date:
    """The 15th of the previous calendar month (16 to 46 days back: inside the history)."""
    return (demo.today.replace(day=1) - dt.timedelta(days=1)).replace(day=15)


def add_showcase(demo: DemoBuilder, *, users: dict[str, User], channels: list[Channel]) -> None:
    """A call for ideas last month, its answers, the idea one became and its loop, to the thanks."""
    rubrics = demo.rubrics()
    instagram = next(c for c in channels if c.platform == "instagram")
    shipped_on = _last_month_middle(demo)
    called = demo.local(shipped_on - dt.timedelta(days=12), 12)
    call = demo.create(
        Post(
            title=CALL_TITLE,
            body="One wish for the app? Tell us in the comments or the form — we read every answer and come back with results.",
            channel_id=stored_id(instagram.id),
            rubric_id=rubrics["Ideas for the product"].id,
            template="ideas_for_the_product",
            format="image",
            cognitive_load="low",
            owner_id=users["lead"].id,
            sla_owner_id=users["community"].id,
            status=PostStatus.published,
            scheduled_at=called,
            published_at=called,
            next_step_type="form",
            next_step_text="Fill in the one-question form or comment below.",
            micro_goal="30 proposals",
            link_url="https://example.com/ideas?utm_source=instagram&utm_medium=social&utm_campaign=ideas_call",
            tone_confirmed=True,
            alt_text="A phone with a lightbulb above it",
            contrast_confirmed=True,
            impressions=6100,
            reactions=320,
            comments=41,
            shares=12,
            saves=88,
            guide_clicks=57,
            next_step_conversions=37,
            created_by_id=users["lead"].id,
        ),
        action="post.create",
    )
    call.published_url = post_url(call, "instagram")
    conversations = _call_answers(demo, call, users)
    _showcase_idea(demo, users, call, conversations, shipped_on)


def _call_answers(demo: DemoBuilder, call: Post, users: dict[str, User]) -> list[Conversation]:
    """The call's answers as conversations: in its watch window (so they went to its SLA owner),
    answered within the SLA and resolved."""
    session = demo.session
    book = policies.PolicyBook.load(session)
    watch = WatchBook.load(session, [call.id])
    assert call.published_at is not None
    stored = []
    for n, (handle, text, category) in enumerate(CALL_ANSWERS):
        received = call.published_at + dt.timedelta(hours=1 + 5 * n, minutes=7 * n)
        conversation = Conversation(
            external_id=f"call-{n}",
            channel_id=call.channel_id,
            kind=ConversationKind.question,
            author_handle=handle,
            text=text,
            link=comment_link(call.published_url, "instagram", 900 + n),
            category=category,
            received_at=received,
            post_id=call.id,
        )
        conversation.assignee_id = watch.assignee_for(post_id=call.id, assignee_id=None, received_at=received)
        policy = book.for_conversation(channel_id=call.channel_id, kind=conversation.kind)
        calendar = None if policy is None else policy.calendar
        reply = received if calendar is None else calendar.deadline(received, dt.timedelta(minutes=40))
        conversation.first_reply_at = reply
        conversation.status = ConversationStatus.resolved
        conversation.resolved_at = reply + dt.timedelta(hours=2)
        figures.apply_sla(conversation, policy=policy, calendar=calendar)
        session.add(conversation)
        session.flush()
        session.add(
            ConversationMessage(
                conversation_id=stored_id(conversation.id),
                sent_at=reply,
                from_team=True,
                user_id=conversation.assignee_id or users["community"].id,
                text=CALL_REPLY,
                source=MessageSource.typed,
            )
        )
        stored.append(conversation)
    return stored


def _showcase_idea(
    demo: DemoBuilder, users: dict[str, User], call: Post, conversations: list[Conversation], shipped_on: dt.date
) -> None:
    """The proposal that became an idea: logged from the first answer, joined by the fourth,
    voted, triaged, shipped on ``shipped_on``, announced two days later, every giver thanked."""
    session = demo.session
    first, joined = (conversations[i] for i in SHOWCASE_FROM)
    logged = first.received_at + dt.timedelta(hours=3)
    idea = demo.create(
        Idea(
            title=SHOWCASE_IDEA,
            description=first.text,
            source=IdeaSource.comment,
            channel_id=call.channel_id,
            source_url=first.link,
            category="export",
            post_id=call.id,
            status=IdeaStatus.shipped,
            impact=4,
            cost=2,
            scored_by_id=users["lead"].id,
            logged_by_id=users["community"].id,
            created_at=logged,
            valid_at=logged + dt.timedelta(days=1),
            scored_at=logged + dt.timedelta(days=1),
            shipped_at=demo.local(shipped_on, 10),
        ),
        action="idea.create",
    )
    idea_id = stored_id(idea.id)
    for conversation in (first, joined):
        session.add(IdeaConversation(idea_id=idea_id, conversation_id=stored_id(conversation.id), linked_at=logged))
        session.add(
            IdeaGiver(
                idea_id=idea_id,
                handle=conversation.author_handle,
                channel_id=call.channel_id,
                given_at=conversation.received_at,
            )
        )
    for hour, username in enumerate(("community", "lead", "support", "analyst"), start=2):
        session.add(
            Vote(idea_id=idea_id, user_id=stored_id(users[username].id), created_at=logged + dt.timedelta(hours=hour))
        )
    for days, status in ((3, "planned"), (5, "in_progress")):
        session.add(
            AuditLog(
                at=logged + dt.timedelta(days=days),
                actor_id=users["lead"].id,
                actor=users["lead"].username,
                action=f"idea.status.{status}",
                entity="idea",
                entity_id=idea_id,
            )
        )
    _showcase_loop(demo, users, call, idea, shipped_on, [first.author_handle, joined.author_handle])


def _showcase_loop(
    demo: DemoBuilder, users: dict[str, User], call: Post, idea: Idea, shipped_on: dt.date, givers: list[str]
) -> None:
    session = demo.session
    what_changed = "Contacts import from a spreadsheet"
    announced = demo.local(shipped_on + dt.timedelta(days=2), 12)
    title, body = loop_rules.announcement_text(
        what_changed=what_changed,
        details="Drop a CSV or Excel file on the contacts list; we match the columns for you.",
        idea_titles=[idea.title],
        handles=sorted(givers, key=str.lower),
        calls=[call.title],
        respondents=len(CALL_ANSWERS) - len(givers),
    )
    post = demo.create(
        Post(
            title=title,
            body=body,
            channel_id=call.channel_id,
            rubric_id=demo.rubrics()[loop_rules.RUBRIC].id,
            format="carousel",
            cognitive_load="low",
            owner_id=users["lead"].id,
            sla_owner_id=users["community"].id,
            status=PostStatus.published,
            scheduled_at=announced,
            published_at=announced,
            next_step_type="form",
            next_step_text=loop_rules.NEXT_STEP_TEXT,
            micro_goal="20 new proposals for what to improve next",
            tone_confirmed=True,
            alt_text="The import screen with a spreadsheet being dropped on it",
            contrast_confirmed=True,
            created_by_id=users["lead"].id,
        ),
        action="post.create",
    )
    post.published_url = post_url(post, "instagram")
    item = demo.create(
        LoopItem(
            what_changed=what_changed,
            details="Drop a CSV or Excel file on the contacts list; we match the columns for you.",
            shipped_on=shipped_on,
            status=LoopStatus.thanked,
            impact_categories="export",
            announcement_post_id=post.id,
            announced_at=announced,
            created_by_id=users["lead"].id,
            created_at=demo.local(shipped_on, 11),
        ),
        action="loop_item.create",
    )
    session.add(LoopItemIdea(loop_item_id=stored_id(item.id), idea_id=stored_id(idea.id)))
    for k, handle in enumerate(givers):
        session.add(
            LoopThanks(
                loop_item_id=stored_id(item.id),
                handle=handle,
                thanked_by_id=users["community"].id,
                thanked_at=announced + dt.timedelta(hours=1 + k),
            )
        )
