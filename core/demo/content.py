"""The demo's content plan: the house rules, eight weeks of published posts and two weeks of
plan, and the posts that show what the calendar checks."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from sqlmodel import select

from core.demo.builder import DemoBuilder
from core.records import stored_id
from db.models import Channel, Post, PostStatus, Rubric, StopWord, User

POST_PLAN = (
    # rubric, template, format, load, next step type, title, next step text, goal
    (
        "Myth vs fact",
        "myth_busting",
        "carousel",
        "high",
        "comment_prompt",
        "Myth: exports lose your formatting",
        "Which myth should we take apart next? Tell us in the comments.",
        "20 comments naming the next myth",
    ),
    (
        "How it works",
        "how_it_works",
        "video",
        "high",
        "guide_link",
        "How notifications decide what to send",
        "Leave your question, we are collecting the FAQ — the full guide is linked.",
        "15 new FAQ questions",
    ),
    (
        "Question of the week",
        "",
        "text",
        "low",
        "thread",
        "What slows you down on Mondays?",
        "Answer in the thread: one thing that slows you down on Mondays.",
        "40 answers in the thread",
    ),
    (
        "Ideas for the product",
        "ideas_for_the_product",
        "image",
        "low",
        "form",
        "Tell us what to build next",
        "Fill in the two-minute form; we come back with the results.",
        "40 proposals through the form",
    ),
    (
        "Digest of the week",
        "digest_of_the_week",
        "carousel",
        "low",
        "event",
        "Digest: your best questions",
        "Sign up for Friday's AMA — the link is in the first comment.",
        "50 AMA sign-ups",
    ),
    (
        "Open retro",
        "open_retro",
        "text",
        "high",
        "thread",
        "Retro: what we learned from the billing change",
        "Join the retro thread: what should we change next?",
        "25 replies in the retro thread",
    ),
    (
        "Question of the week",
        "",
        "poll",
        "low",
        "poll",
        "Carousel or video: which do you prefer?",
        "Vote: carousel or video? 15 seconds, two buttons.",
        "500 votes",
    ),
    (
        "Myth vs fact",
        "myth_busting",
        "carousel",
        "high",
        "comment_prompt",
        "Myth: two-factor sign-in is slow",
        "Which myth should we take apart next? Tell us in the comments.",
        "20 comments naming the next myth",
    ),
    (
        "Behind the scenes",
        "",
        "meme",
        "low",
        "comment_prompt",
        "When the export finally works on a Friday",
        "Answer with an emoji: how did your Friday export go?",
        "100 emoji answers",
    ),
    (
        "How it works",
        "how_it_works",
        "reel",
        "high",
        "guide_link",
        "Two-factor sign-in in 60 seconds",
        "Leave your question, we are collecting the FAQ.",
        "15 new FAQ questions",
    ),
    (
        "Question of the week",
        "",
        "story",
        "low",
        "poll",
        "Dark or light: which theme do you use?",
        "Tap to vote in the story poll.",
        "800 story votes",
    ),
    (
        "Ideas for the product",
        "ideas_for_the_product",
        "text",
        "low",
        "form",
        "One wish for the mobile app",
        "Fill in the one-question form; we read every answer.",
        "30 proposals through the form",
    ),
)

STOP_WORDS = (("guaranteed", "block"), ("free money", "block"), ("cheap", "warn"), ("miracle", "warn"))
# The figures a published post collects; blank until the platform reports them.
METRICS = ("impressions", "reactions", "comments", "shares", "saves", "guide_clicks", "next_step_conversions")


def add_house_rules(demo: DemoBuilder) -> None:
    """Stop words (blocking and warning) and the team's own rubric, where they are missing."""
    has_own_rubric = demo.session.exec(select(Rubric).where(Rubric.name == "Behind the scenes")).first() is not None
    for word, mode in STOP_WORDS:
        if demo.session.exec(select(StopWord).where(StopWord.word == word)).first() is None:
            demo.session.add(StopWord(word=word, mode=mode))
    if not has_own_rubric:
        demo.session.add(Rubric(name="Behind the scenes", description="The team at work.", builtin=False))


def add_posts(demo: DemoBuilder, *, users: dict[str, User], channels: list[Channel]) -> None:
    """Eight weeks of published posts and two weeks of plan (the random draws are the same
    whatever the plan holds), then the calendar's stories, laid out without random draws."""
    rubrics = demo.rubrics()  # with the team's own rubric
    _add_history_and_plan(demo, users=users, channels=channels, rubrics=rubrics)
    _add_calendar_stories(demo, users=users, channels=channels, rubrics=rubrics)


def _add_history_and_plan(
    demo: DemoBuilder, *, users: dict[str, User], channels: list[Channel], rubrics: dict[str, Rubric]
) -> None:
    rng = demo.rng
    owners = [users["editor"], users["lead"], users["community"]]
    day = demo.start
    index = 0
    while day <= demo.today + dt.timedelta(days=14):
        for _ in range(rng.choice((0, 1, 1, 2))):
            rubric, template, fmt, load, step, title, step_text, goal = POST_PLAN[index % len(POST_PLAN)]
            index += 1
            channel = channels[index % len(channels)]
            when = demo.local(day, rng.choice((9, 11, 12, 16, 18)), rng.choice((0, 30)))
            past = day < demo.today
            if past:
                status = PostStatus.published if rng.random() > 0.05 else PostStatus.cancelled
            else:
                status = rng.choice((PostStatus.scheduled, PostStatus.approved, PostStatus.in_review, PostStatus.draft))
            has_step = rng.random() > 0.15
            # Approved and scheduled posts passed the checklist, so they have their next step.
            with_step = has_step or status in (PostStatus.approved, PostStatus.scheduled)
            visual = fmt in ("image", "carousel", "meme", "story")
            post = Post(
                title=title,
                body=f"{title}. We explain it in plain words, and we want to hear from you.",
                channel_id=stored_id(channel.id),
                rubric_id=rubrics[rubric].id,
                template=template,
                format=fmt,
                cognitive_load=load,
                owner_id=rng.choice(owners).id,
                sla_owner_id=users["support"].id,
                status=status,
                scheduled_at=when,
                published_at=when if status == PostStatus.published else None,
                next_step_type=step if with_step else "",
                next_step_text=step_text if with_step else "",
                micro_goal=goal if with_step else "",
                link_url=f"https://example.com/guide?utm_source={channel.platform}&utm_medium=social&utm_campaign=dialog&utm_content=post{index}",
                tone_confirmed=status != PostStatus.draft,
                subtitles=fmt in ("video", "reel"),
                timecodes=fmt == "video",
                alt_text="Illustration of the topic" if visual else "",
                contrast_confirmed=visual,
                created_by_id=users["editor"].id,
            )
            if status == PostStatus.published:
                impressions = rng.randint(1500, 12000)
                post.impressions = impressions
                post.reactions = int(impressions * rng.uniform(0.02, 0.08))
                post.comments = int(impressions * rng.uniform(0.002, 0.02))
                post.shares = int(impressions * rng.uniform(0.001, 0.01))
                post.saves = int(impressions * rng.uniform(0.002, 0.03))
                post.guide_clicks = int(impressions * rng.uniform(0.0, 0.02))
                post.next_step_conversions = int(impressions * rng.uniform(0.002, 0.015)) if has_step else 0
                if day >= demo.today - dt.timedelta(days=1):
                    # Out since yesterday: the figures are not in yet ("waiting for metrics").
                    for name in METRICS:
                        setattr(post, name, None)
            demo.create(post, action="post.create")
        day += dt.timedelta(days=1)


class _StoryOwners(TypedDict):
    owner_id: int
    created_by_id: int
    sla_owner_id: int
    tone_confirmed: bool


def _add_calendar_stories(
    demo: DemoBuilder, *, users: dict[str, User], channels: list[Channel], rubrics: dict[str, Rubric]
) -> None:
    """Posts that show what the calendar checks: a video missing subtitles, a partnership
    without its label, a compliance block, a stop word, undated drafts from templates and a
    sponsored post done right."""
    by_platform = {c.platform: stored_id(c.id) for c in channels}
    editor, lead, compliance = users["editor"], users["lead"], users["compliance"]
    base = _StoryOwners(
        owner_id=stored_id(editor.id),
        created_by_id=stored_id(editor.id),
        sla_owner_id=stored_id(users["support"].id),
        tone_confirmed=True,
    )
    not_confirmed: _StoryOwners = {**base, "tone_confirmed": False}
    today = demo.today
    utm = "utm_medium=social&utm_campaign=dialog"
    stories = [
        Post(  # fails the checklist: a video without subtitles and timecodes
            title="How your invoice is calculated",
            format="video",
            cognitive_load="high",
            status=PostStatus.in_review,
            channel_id=by_platform["youtube"],
            rubric_id=rubrics["How it works"].id,
            template="how_it_works",
            body="Video, 60 seconds: where each line of the invoice comes from, and where to read more.",
            next_step_type="comment_prompt",
            next_step_text="Leave your question, we are collecting the FAQ.",
            micro_goal="15 new FAQ questions",
            scheduled_at=demo.local(today + dt.timedelta(days=3), 18),
            **base,
        ),
        Post(  # fails the checklist: a partner without the ad label, a link without UTM tags
            title="Partner week: budgeting tips with Acme Bank",
            format="carousel",
            cognitive_load="low",
            status=PostStatus.in_review,
            channel_id=by_platform["instagram"],
            rubric_id=rubrics["Behind the scenes"].id,
            partner="Acme Bank",
            body="Five budgeting tips from our partner. Read them all: https://example.com/acme-tips",
            alt_text="Five tips on a calm blue background",
            contrast_confirmed=True,
            next_step_type="comment_prompt",
            next_step_text="Which tip will you try first?",
            micro_goal="30 comments",
            scheduled_at=demo.local(today + dt.timedelta(days=5), 12, 30),
            **base,
        ),
        Post(  # blocked by compliance until the disclaimer is there
            title="Win a year of the team plan",
            format="image",
            cognitive_load="low",
            status=PostStatus.in_review,
            channel_id=by_platform["telegram"],
            rubric_id=rubrics["Behind the scenes"].id,
            sponsored=True,
            ad_label=True,
            body="Tell us your best tip and win a year of the team plan.",
            alt_text="A gift box with our logo",
            contrast_confirmed=True,
            next_step_type="comment_prompt",
            next_step_text="Share your best tip in the comments.",
            micro_goal="60 tips",
            blocked_reason="A giveaway needs its terms and the organiser's legal notice; add both, then ask me to lift the block.",
            blocked_by_id=compliance.id,
            blocked_at=demo.local(today, 9, 15),
            scheduled_at=demo.local(today + dt.timedelta(days=6), 11),
            **base,
        ),
        Post(  # a stop word set to "warn"
            title="Cheap tricks to tidy your notifications",
            format="text",
            cognitive_load="low",
            status=PostStatus.draft,
            channel_id=by_platform["forum"],
            rubric_id=rubrics["How it works"].id,
            body=f"Three settings that cut the noise. Guide: https://example.com/guide/notifications?utm_source=forum&{utm}",
            next_step_type="guide_link",
            next_step_text="Read the guide and tell us which setting helped.",
            micro_goal="200 guide clicks",
            scheduled_at=demo.local(today + dt.timedelta(days=4), 16),
            **not_confirmed,
        ),
        Post(  # undated drafts from templates, waiting for a slot
            title="Myth: you need admin rights to export",
            format="carousel",
            cognitive_load="high",
            status=PostStatus.draft,
            channel_id=by_platform["instagram"],
            rubric_id=rubrics["Myth vs fact"].id,
            template="myth_busting",
            body="Slide 1 — Myth: only admins can export.\nSlide 2 — Fact: every member can export their own lists.\n"
            "Slide 3 — What to do: ⋯ → Export → CSV.\nLast slide — Which myth should we take apart next?",
            next_step_type="comment_prompt",
            next_step_text="Which myth should we take apart next? Tell us in the comments.",
            micro_goal="20 comments naming the next myth",
            **not_confirmed,
        ),
        Post(
            title="Open retro: the new onboarding",
            format="text",
            cognitive_load="high",
            status=PostStatus.draft,
            channel_id=by_platform["forum"],
            rubric_id=rubrics["Open retro"].id,
            template="open_retro",
            owner_id=lead.id,
            created_by_id=lead.id,
            sla_owner_id=users["community"].id,
            body="What we launched: a shorter onboarding.\nWhat did not work: the welcome video was too long.\n"
            "What we change: three short clips instead.\nTell us in the thread what you noticed.",
            next_step_type="thread",
            next_step_text="Join the retro thread: what should we change next?",
            micro_goal="25 replies",
        ),
    ]
    sponsored_done_right = Post(
        title="Sponsored: the accounting integration, explained",
        format="video",
        cognitive_load="high",
        status=PostStatus.published,
        channel_id=by_platform["telegram"],
        rubric_id=rubrics["How it works"].id,
        template="how_it_works",
        sponsored=True,
        partner="LedgerLy",
        ad_label=True,
        subtitles=True,
        timecodes=True,
        body="Paid partnership with LedgerLy, labelled as such.",
        next_step_type="guide_link",
        next_step_text="Try the integration with the guide and tell us what is missing.",
        micro_goal="120 guide clicks",
        link_url=f"https://example.com/guide/ledgerly?utm_source=telegram&{utm}&utm_content=sponsored",
        scheduled_at=demo.local(today - dt.timedelta(days=9), 17),
        published_at=demo.local(today - dt.timedelta(days=9), 17),
        impressions=9400,
        reactions=410,
        comments=96,
        shares=38,
        saves=210,
        guide_clicks=240,
        next_step_conversions=131,
        **base,
    )
    for post in (*stories, sponsored_done_right):
        demo.create(post, action="post.create")
