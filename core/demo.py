"""The demo workspace: a realistic team with eight weeks of dialog, generated from a fixed seed.

Dates are laid out around ``today`` (the day it is loaded), so the screens always have a
recent past and a near future to show; for one ``today`` the content is always the same.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from core import changes, records, workspace
from core.errors import ValidationError
from core.permissions import CLI_ACTOR, Actor
from core.sla import figures, policies, queues
from core.users import hash_password
from db.models import (
    AudienceSize,
    BusinessCalendarRow,
    Channel,
    Conversation,
    ConversationKind,
    ConversationStatus,
    EscalationTeam,
    Idea,
    IdeaGiver,
    IdeaSource,
    IdeaStatus,
    LoopItem,
    LoopItemIdea,
    LoopStatus,
    LoopThanks,
    Post,
    PostStatus,
    QuickAnswer,
    Role,
    Rubric,
    SlaPolicy,
    StopWord,
    User,
    Vote,
    WeeklyDigestNote,
)

SEED = 20260401
TIMEZONE = "Europe/Berlin"
WEEKS = 8

DEMO_USERS = (
    ("admin", Role.admin, "Alex Morgan"),
    ("lead", Role.lead, "Lena Hoffmann"),
    ("editor", Role.editor, "Eddie Brown"),
    ("community", Role.community, "Chiara Rossi"),
    ("support", Role.support, "Sam Okafor"),
    ("analyst", Role.analyst, "Ana Lima"),
    ("compliance", Role.compliance, "Carl Weber"),
    ("viewer", Role.viewer, "Vera Klein"),
)


def demo_password(username: str) -> str:
    """Demo sign-ins are public by design: they exist only in the demo workspace."""
    return f"{username}-demo-pass"


DEMO_SIGN_INS = tuple((username, demo_password(username), role.value) for username, role, _ in DEMO_USERS)

CHANNELS = (
    ("Instagram", "instagram", 2),
    ("Telegram", "telegram", 3),
    ("YouTube", "youtube", 1),
    ("Community forum", "forum", 4),
)

DEMO_CALENDAR = {
    "timezone": TIMEZONE,
    "weekly": {day: [["09:00", "13:00"], ["14:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    | {"sat": [["10:00", "14:00"]], "sun": []},
    "holidays": [],
    "country": "DE",
}

CATEGORIES = ("billing", "login", "export", "notifications", "mobile app", "pricing")

QUICK_ANSWERS = (
    (
        "Reset your password",
        "login",
        "Tap 'Forgot password' on the sign-in screen; the link is valid for 30 minutes.",
        "https://example.com/faq/password",
    ),
    (
        "Where is my invoice?",
        "billing",
        "Invoices are under Settings → Billing → History; each one downloads as PDF.",
        "https://example.com/faq/invoices",
    ),
    (
        "Export to CSV",
        "export",
        "Open the list, then ⋯ → Export → CSV. Large exports arrive by e-mail.",
        "https://example.com/guide/export",
    ),
    (
        "Too many notifications",
        "notifications",
        "You can mute each kind under Settings → Notifications; digest mode sends one a day.",
        "https://example.com/guide/notifications",
    ),
    (
        "App crashes on start",
        "mobile app",
        "Please update to the newest version; if it still crashes, send us the device model in a DM.",
        "",
    ),
    (
        "Plans and prices",
        "pricing",
        "All plans are compared on our pricing page; the team plan is billed per seat.",
        "https://example.com/pricing",
    ),
    (
        "Refund request",
        "billing",
        "We refund within 14 days of purchase; send us the order number in a DM and we take it from there.",
        "",
    ),
    (
        "Two-factor sign-in",
        "login",
        "Turn it on under Settings → Security; keep the backup codes somewhere safe.",
        "https://example.com/guide/2fa",
    ),
)

IDEA_TITLES = (
    ("Dark mode for the mobile app", "mobile app"),
    ("Export reports as Excel", "export"),
    ("Weekly summary e-mail", "notifications"),
    ("Pay by bank transfer", "billing"),
    ("Sign in with a passkey", "login"),
    ("Mute notifications at night", "notifications"),
    ("Shared team templates", "export"),
    ("Cheaper plan for students", "pricing"),
    ("Offline mode on the train", "mobile app"),
    ("Invoices with our VAT number", "billing"),
    ("Keyboard shortcuts", "export"),
    ("Widget for the home screen", "mobile app"),
    ("Bigger font option", "mobile app"),
    ("Schedule exports every Monday", "export"),
    ("Family plan", "pricing"),
    ("Remember me for 30 days", "login"),
    ("Push only for mentions", "notifications"),
    ("Annual billing discount", "pricing"),
    ("Import from spreadsheets", "export"),
    ("Better search in the help centre", "login"),
    ("Undo for deleted items", "export"),
    ("Show price in local currency", "pricing"),
    ("Calendar sync", "notifications"),
    ("Split invoices per department", "billing"),
)

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

CONVERSATION_TEXTS = {
    ConversationKind.question: (
        "How do I export my data to CSV?",
        "Where can I find last month's invoice?",
        "Is there a way to mute notifications on weekends?",
        "Can I sign in with two-factor on a new phone?",
        "Which plan do I need for a team of five?",
    ),
    ConversationKind.complaint: (
        "The app crashed twice today while uploading.",
        "I was charged twice this month!",
        "Password reset e-mail never arrives.",
        "Notifications keep coming at 3 am.",
    ),
    ConversationKind.ugc: (
        "Made a little guide on how we use the export with our accountant 📊",
        "Our team's setup video — hope it helps someone!",
        "Cheat sheet of keyboard tricks I collected.",
    ),
    ConversationKind.praise: (
        "Support answered in ten minutes, thank you!",
        "The new summary e-mail is great.",
    ),
    ConversationKind.other: ("Are you hiring?", "Will you be at the meetup in Berlin?"),
}


def _received_for_elapsed(calendar, now: dt.datetime, elapsed: dt.timedelta) -> dt.datetime:
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


def is_demo(session: Session) -> bool:
    return workspace.state(session) == workspace.WorkspaceState.demo


def load_demo(
    session: Session, *, today: dt.date | None = None, force: bool = False, password_rounds: int = 10
) -> bool:
    """Fill the demo workspace; returns False when it was there already (idempotent).

    Refuses to touch a database that holds a real workspace unless ``force`` is given.
    """
    current = workspace.state(session)
    if current == workspace.WorkspaceState.demo:
        return False
    if current == workspace.WorkspaceState.live and not force:
        raise ValidationError(
            "This database holds a real workspace; the demo is not loaded into it. "
            "Use --force only if you really want demo data mixed into it."
        )
    _Builder(session, today or dt.date.today(), password_rounds).build(current == workspace.WorkspaceState.empty)
    changes.mark_all_changed(session)  # part of it is inserted in bulk, past the audited writes
    return True


class _Builder:
    def __init__(self, session: Session, today: dt.date, password_rounds: int):
        self.session = session
        self.today = today
        self.rng = random.Random(SEED)
        self.tz = ZoneInfo(TIMEZONE)
        self.rounds = password_rounds
        self.actor: Actor = CLI_ACTOR

    def local(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz).astimezone(dt.UTC)

    @property
    def start(self) -> dt.date:
        return self.today - dt.timedelta(weeks=WEEKS)

    def build(self, empty: bool) -> None:
        s = self.session
        if empty:
            workspace.ensure_workspace(
                session=s, actor=self.actor, name="Dialog Desk demo", timezone_name=TIMEZONE, is_demo=True
            )
        else:
            workspace.ensure_workspace(session=s, actor=self.actor)
        self.users = self._users()
        self.channels = self._channels()
        self.rubrics = {r.name: r for r in s.exec(select(Rubric))}
        self._rules()
        self.policy = self._sla()
        self.teams = self._teams()
        self.answers = self._quick_answers()
        self.handles = [
            f"@{name}{n}"
            for n, name in enumerate(
                (
                    "mila",
                    "jonas",
                    "sofia",
                    "ben",
                    "lea",
                    "noah",
                    "emma",
                    "paul",
                    "hanna",
                    "tom",
                    "ida",
                    "max",
                    "nora",
                    "finn",
                    "lina",
                )
                * 10
            )
        ]
        self.posts = self._posts()
        self.ideas = self._ideas()
        self._conversations()
        self._loop_items()
        self._audience()
        self._digest_note()
        records.audit.record_change(
            s,
            actor=self.actor,
            action="demo.load",
            entity="workspace",
            entity_id=None,
            after={"today": self.today.isoformat()},
        )
        s.flush()

    def _users(self) -> dict[str, User]:
        users = {}
        for username, role, name in DEMO_USERS:
            existing = self.session.exec(select(User).where(User.username == username)).first()
            if existing is not None:
                users[username] = existing
                continue
            user = User(
                username=username,
                name=name,
                email=f"{username}@demo.example",
                role=role,
                password_hash=hash_password(demo_password(username), rounds=self.rounds),
            )
            users[username] = records.create(self.session, user, actor=self.actor, action="user.create")
        return users

    def _channels(self) -> list[Channel]:
        channels = []
        for name, platform, limit in CHANNELS:
            channel = Channel(
                name=name, platform=platform, url=f"https://example.com/{platform}", daily_post_limit=limit
            )
            channels.append(records.create(self.session, channel, actor=self.actor, action="channel.create"))
        return channels

    def _rules(self) -> None:
        for word, mode in (("guaranteed", "block"), ("free money", "block"), ("cheap", "warn"), ("miracle", "warn")):
            if self.session.exec(select(StopWord).where(StopWord.word == word)).first() is None:
                self.session.add(StopWord(word=word, mode=mode))
        if "Behind the scenes" not in self.rubrics:
            self.session.add(Rubric(name="Behind the scenes", description="The team at work.", builtin=False))

    def _sla(self) -> SlaPolicy:
        calendar = records.create(
            self.session,
            BusinessCalendarRow(name="Support hours (Berlin)", definition=json.dumps(DEMO_CALENDAR)),
            actor=self.actor,
            action="business_calendar.create",
        )
        general = records.create(
            self.session,
            SlaPolicy(name="First response in 2 business hours", calendar_id=calendar.id, first_response_minutes=120),
            actor=self.actor,
            action="sla_policy.create",
        )
        # A kind-specific policy wins over the general one: complaints get an answer faster.
        records.create(
            self.session,
            SlaPolicy(
                name="Complaints within 1 business hour",
                calendar_id=calendar.id,
                first_response_minutes=60,
                kind=ConversationKind.complaint,
                at_risk_share=0.25,
                at_risk_min_minutes=15,
            ),
            actor=self.actor,
            action="sla_policy.create",
        )
        return general

    def _teams(self) -> list[EscalationTeam]:
        teams = []
        for name, owner, description in (
            ("Billing", "support", "Refunds, double charges, invoices."),
            ("Product", "lead", "Bugs and feature gaps that need the product team."),
            ("Legal", "compliance", "Data requests, complaints with legal weight."),
        ):
            team = EscalationTeam(name=name, owner_id=self.users[owner].id, description=description)
            teams.append(records.create(self.session, team, actor=self.actor, action="escalation_team.create"))
        return teams

    def _quick_answers(self) -> list[QuickAnswer]:
        answers = []
        for title, category, text, link in QUICK_ANSWERS:
            answer = QuickAnswer(title=title, category=category, text=text, link=link, kind="faq" if link else "script")
            answers.append(records.create(self.session, answer, actor=self.actor, action="quick_answer.create"))
        return answers

    def _posts(self) -> list[Post]:
        """Eight weeks of published posts and two weeks of plan (the random draws are the same
        whatever the plan holds), then the calendar's stories, laid out without random draws."""
        rng, posts = self.rng, []
        self.rubrics = {r.name: r for r in self.session.exec(select(Rubric))}  # with the team's own rubric
        owners = [self.users["editor"], self.users["lead"], self.users["community"]]
        day = self.start
        index = 0
        while day <= self.today + dt.timedelta(days=14):
            for _ in range(rng.choice((0, 1, 1, 2))):
                rubric, template, fmt, load, step, title, step_text, goal = POST_PLAN[index % len(POST_PLAN)]
                index += 1
                channel = self.channels[index % len(self.channels)]
                when = self.local(day, rng.choice((9, 11, 12, 16, 18)), rng.choice((0, 30)))
                past = day < self.today
                if past:
                    status = PostStatus.published if rng.random() > 0.05 else PostStatus.cancelled
                else:
                    status = rng.choice(
                        (PostStatus.scheduled, PostStatus.approved, PostStatus.in_review, PostStatus.draft)
                    )
                has_step = rng.random() > 0.15
                # Approved and scheduled posts passed the checklist, so they have their next step.
                with_step = has_step or status in (PostStatus.approved, PostStatus.scheduled)
                visual = fmt in ("image", "carousel", "meme", "story")
                post = Post(
                    title=title,
                    body=f"{title}. We explain it in plain words, and we want to hear from you.",
                    channel_id=channel.id,
                    rubric_id=self.rubrics[rubric].id,
                    template=template,
                    format=fmt,
                    cognitive_load=load,
                    owner_id=rng.choice(owners).id,
                    sla_owner_id=self.users["support"].id,
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
                    created_by_id=self.users["editor"].id,
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
                    if day >= self.today - dt.timedelta(days=1):
                        # Out since yesterday: the figures are not in yet ("waiting for metrics").
                        for name in (
                            "impressions",
                            "reactions",
                            "comments",
                            "shares",
                            "saves",
                            "guide_clicks",
                            "next_step_conversions",
                        ):
                            setattr(post, name, None)
                posts.append(records.create(self.session, post, actor=self.actor, action="post.create"))
            day += dt.timedelta(days=1)
        return posts + self._calendar_stories()

    def _calendar_stories(self) -> list[Post]:
        """Posts that show what the calendar checks: a video missing subtitles, a partnership
        without its label, a compliance block, a stop word, undated drafts from templates and a
        sponsored post done right."""
        by_platform = {c.platform: c for c in self.channels}
        editor, lead, compliance = self.users["editor"], self.users["lead"], self.users["compliance"]
        base = dict(
            owner_id=editor.id, created_by_id=editor.id, sla_owner_id=self.users["support"].id, tone_confirmed=True
        )
        utm = "utm_medium=social&utm_campaign=dialog"
        stories = [
            Post(  # fails the checklist: a video without subtitles and timecodes
                title="How your invoice is calculated",
                format="video",
                cognitive_load="high",
                status=PostStatus.in_review,
                channel_id=by_platform["youtube"].id,
                rubric_id=self.rubrics["How it works"].id,
                template="how_it_works",
                body="Video, 60 seconds: where each line of the invoice comes from, and where to read more.",
                next_step_type="comment_prompt",
                next_step_text="Leave your question, we are collecting the FAQ.",
                micro_goal="15 new FAQ questions",
                scheduled_at=self.local(self.today + dt.timedelta(days=3), 18),
                **base,
            ),
            Post(  # fails the checklist: a partner without the ad label, a link without UTM tags
                title="Partner week: budgeting tips with Acme Bank",
                format="carousel",
                cognitive_load="low",
                status=PostStatus.in_review,
                channel_id=by_platform["instagram"].id,
                rubric_id=self.rubrics["Behind the scenes"].id,
                partner="Acme Bank",
                body="Five budgeting tips from our partner. Read them all: https://example.com/acme-tips",
                alt_text="Five tips on a calm blue background",
                contrast_confirmed=True,
                next_step_type="comment_prompt",
                next_step_text="Which tip will you try first?",
                micro_goal="30 comments",
                scheduled_at=self.local(self.today + dt.timedelta(days=5), 12, 30),
                **base,
            ),
            Post(  # blocked by compliance until the disclaimer is there
                title="Win a year of the team plan",
                format="image",
                cognitive_load="low",
                status=PostStatus.in_review,
                channel_id=by_platform["telegram"].id,
                rubric_id=self.rubrics["Behind the scenes"].id,
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
                blocked_at=self.local(self.today, 9, 15),
                scheduled_at=self.local(self.today + dt.timedelta(days=6), 11),
                **base,
            ),
            Post(  # a stop word set to "warn"
                title="Cheap tricks to tidy your notifications",
                format="text",
                cognitive_load="low",
                status=PostStatus.draft,
                channel_id=by_platform["forum"].id,
                rubric_id=self.rubrics["How it works"].id,
                body=f"Three settings that cut the noise. Guide: https://example.com/guide/notifications?utm_source=forum&{utm}",
                next_step_type="guide_link",
                next_step_text="Read the guide and tell us which setting helped.",
                micro_goal="200 guide clicks",
                scheduled_at=self.local(self.today + dt.timedelta(days=4), 16),
                **{**base, "tone_confirmed": False},
            ),
            Post(  # undated drafts from templates, waiting for a slot
                title="Myth: you need admin rights to export",
                format="carousel",
                cognitive_load="high",
                status=PostStatus.draft,
                channel_id=by_platform["instagram"].id,
                rubric_id=self.rubrics["Myth vs fact"].id,
                template="myth_busting",
                body="Slide 1 — Myth: only admins can export.\nSlide 2 — Fact: every member can export their own lists.\n"
                "Slide 3 — What to do: ⋯ → Export → CSV.\nLast slide — Which myth should we take apart next?",
                next_step_type="comment_prompt",
                next_step_text="Which myth should we take apart next? Tell us in the comments.",
                micro_goal="20 comments naming the next myth",
                **{**base, "tone_confirmed": False},
            ),
            Post(
                title="Open retro: the new onboarding",
                format="text",
                cognitive_load="high",
                status=PostStatus.draft,
                channel_id=by_platform["forum"].id,
                rubric_id=self.rubrics["Open retro"].id,
                template="open_retro",
                owner_id=lead.id,
                created_by_id=lead.id,
                sla_owner_id=self.users["community"].id,
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
            channel_id=by_platform["telegram"].id,
            rubric_id=self.rubrics["How it works"].id,
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
            scheduled_at=self.local(self.today - dt.timedelta(days=9), 17),
            published_at=self.local(self.today - dt.timedelta(days=9), 17),
            impressions=9400,
            reactions=410,
            comments=96,
            shares=38,
            saves=210,
            guide_clicks=240,
            next_step_conversions=131,
            **base,
        )
        return [
            records.create(self.session, post, actor=self.actor, action="post.create")
            for post in (*stories, sponsored_done_right)
        ]

    def _ideas(self) -> list[Idea]:
        rng, ideas = self.rng, []
        team = [u for u in self.users.values() if u.role != Role.viewer]
        statuses = (
            [IdeaStatus.new] * 6
            + [IdeaStatus.valid] * 5
            + [IdeaStatus.invalid] * 2
            + [IdeaStatus.planned] * 4
            + [IdeaStatus.in_progress] * 3
            + [IdeaStatus.shipped] * 3
            + [IdeaStatus.declined]
        )
        for n, (title, category) in enumerate(IDEA_TITLES):
            status = statuses[n % len(statuses)]
            logged = self.local(self.start + dt.timedelta(days=rng.randint(0, WEEKS * 7 - 10)), rng.randint(9, 17))
            idea = Idea(
                title=title,
                description=f"Asked for by the community: {title.lower()}.",
                source=rng.choice(list(IdeaSource)),
                channel_id=rng.choice(self.channels).id,
                source_url=f"https://example.com/thread/{1000 + n}",
                category=category,
                status=status,
                status_reason="Out of scope for this year." if status == IdeaStatus.declined else "",
                logged_by_id=rng.choice(team).id,
                created_at=logged,
            )
            if status not in (IdeaStatus.new, IdeaStatus.invalid):
                idea.valid_at = logged + dt.timedelta(days=rng.randint(1, 6))
                idea.impact, idea.cost = rng.randint(1, 5), rng.randint(1, 5)
                idea.scored_by_id, idea.scored_at = self.users["lead"].id, idea.valid_at
            if status == IdeaStatus.shipped:
                idea.shipped_at = min(idea.valid_at + dt.timedelta(days=rng.randint(5, 20)), self.local(self.today, 9))  # type: ignore[operator]
            records.create(self.session, idea, actor=self.actor, action="idea.create")
            for handle in rng.sample(self.handles[:60], rng.randint(1, 5)):
                self.session.add(IdeaGiver(idea_id=idea.id, handle=handle, channel_id=idea.channel_id, given_at=logged))
            for voter in rng.sample(team, rng.randint(0, len(team))):
                self.session.add(Vote(idea_id=idea.id, user_id=voter.id, created_at=logged))
            ideas.append(idea)
        self.session.flush()
        self._shape_ideas(ideas)
        return ideas

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

    def _shape_ideas(self, ideas: list[Idea]) -> None:
        """Scores, the hot plan, kept reasons and one merged duplicate, without drawing from the
        shared random stream (so the rest of the demo stays as it is)."""
        from core.ideas import merges  # the idea board's own merge, so the demo shows a real one

        by_title = {i.title: i for i in ideas}
        for title, (impact, cost) in self.IDEA_SCORES.items():
            by_title[title].impact, by_title[title].cost = impact, cost
        for position, title in enumerate(self.IDEA_HOT_PLAN, start=1):
            by_title[title].hot_plan_position = position
        by_title["Bigger font option"].status_reason = "Already there: Settings → Display → Text size."
        by_title[
            "Split invoices per department"
        ].status_reason = "Out of scope for this year: billing is moving to a new provider."
        self.session.flush()

        target = by_title["Dark mode for the mobile app"]
        forum = next(c for c in self.channels if c.platform == "forum")
        logged = target.created_at + dt.timedelta(days=9, hours=3)
        duplicate = Idea(
            title="Dark theme, please",
            description="From the monthly survey: “my eyes hurt at night, a dark theme would help”.",
            source=IdeaSource.survey,
            channel_id=forum.id,
            category=target.category,
            logged_by_id=self.users["community"].id,
            created_at=logged,
        )
        records.create(self.session, duplicate, actor=self.actor, action="idea.create")
        first_giver = self.session.exec(
            select(IdeaGiver.handle).where(IdeaGiver.idea_id == target.id).order_by(IdeaGiver.id)
        ).first()
        for handle in (first_giver, *self.handles[60:63]):
            self.session.add(IdeaGiver(idea_id=duplicate.id, handle=handle, channel_id=forum.id, given_at=logged))
        for username in ("lead", "community", "analyst"):
            self.session.add(Vote(idea_id=duplicate.id, user_id=self.users[username].id, created_at=logged))
        self.session.flush()
        lead = self.users["lead"]
        merges.merge(
            session=self.session,
            actor=Actor(id=lead.id, username=lead.username, role=Role(lead.role), name=lead.name),
            source_id=duplicate.id,  # type: ignore[arg-type]
            target_id=target.id,  # type: ignore[arg-type]
            expected_version=duplicate.version,
        )

    def _conversations(self) -> None:
        """Eight weeks of conversations with realistic first replies (in business time), a live
        queue around now (breached, at risk, on track) and two imported rows with a data problem.

        The live queue is laid out relative to the moment the demo is loaded; for a ``today`` in the
        past, relative to the end of that day, so one past day always gives the same content.
        """
        rng, s = self.rng, self.session
        book = policies.PolicyBook.load(s)
        workers = [self.users["support"], self.users["community"]]
        kinds = (
            [ConversationKind.question] * 9
            + [ConversationKind.complaint] * 4
            + [ConversationKind.ugc] * 3
            + [ConversationKind.praise] * 2
            + [ConversationKind.other]
        )
        now = min(dt.datetime.now(dt.UTC).replace(microsecond=0), self.local(self.today + dt.timedelta(days=1), 0))
        start = self.local(self.start, 0)
        span = (self.local(self.today, 0) - start).total_seconds()
        for n in range(420):
            kind = rng.choice(kinds)
            received = start + dt.timedelta(seconds=int(rng.uniform(0, span)))
            channel = rng.choice(self.channels)
            category = rng.choice(CATEGORIES)
            conversation = self._conversation(n, kind, channel, category, received, rng.choice(workers))
            policy = book.for_conversation(channel_id=channel.id, kind=kind)
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
                    self._answered(conversation, kind, category, reply, now, answer_roll, escalate_roll, resolve_roll)
            # else: never answered (an old backlog item, breached)
            figures.apply_sla(conversation, policy=policy, calendar=None if policy is None else policy.calendar)
            s.add(conversation)
        self._live_queue(book, now, workers)
        self._data_problems(book)
        s.flush()

    def _conversation(
        self, n: int, kind: str, channel: Channel, category: str, received: dt.datetime, worker: User
    ) -> Conversation:
        rng = self.rng
        return Conversation(
            external_id=f"demo-{n}",
            channel_id=channel.id,
            kind=kind,
            author_handle=rng.choice(self.handles[: 40 + n // 4]),
            text=rng.choice(CONVERSATION_TEXTS[ConversationKind(kind)]),
            link=f"https://example.com/{channel.platform}/c/{n}",
            category=category,
            received_at=received,
            assignee_id=worker.id,
            engagement=rng.randint(0, 40),
            useful=kind == ConversationKind.ugc and rng.random() < 0.6,
            best=kind == ConversationKind.question and rng.random() < 0.05,
        )

    def _answered(
        self,
        conversation: Conversation,
        kind: str,
        category: str,
        reply: dt.datetime,
        now: dt.datetime,
        answer_roll: float,
        escalate_roll: float,
        resolve_roll: float,
    ) -> None:
        conversation.first_reply_at = reply
        answer = next((a for a in self.answers if a.category == category), None)
        if answer is not None and answer_roll < 0.6:
            conversation.quick_answer_id = answer.id
            answer.use_count += 1
        if escalate_roll < (0.15 if kind == ConversationKind.complaint else 0.03):
            team = self.teams[int(escalate_roll * 1000) % len(self.teams)]
            conversation.escalation_team_id = team.id
            conversation.escalated_at = reply + dt.timedelta(minutes=5 + int(escalate_roll * 600))
            conversation.escalation_reason = "Needs the specialists."
        resolved_at = reply + dt.timedelta(hours=1 + int(resolve_roll * 30))
        if resolve_roll < 0.85 and resolved_at <= now:
            conversation.status = ConversationStatus.resolved
            conversation.resolved_at = resolved_at
        else:
            conversation.status = ConversationStatus.waiting

    def _live_queue(self, book: policies.PolicyBook, now: dt.datetime, workers: list[User]) -> None:
        """Open items placed by business time elapsed at ``now``: three breached, four at risk,
        five on track (what a support manager sees when opening the monitor)."""
        plan = [
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
        ]
        for index, (queue, amount) in enumerate(plan):
            kind = ConversationKind.complaint if index % 4 == 1 else ConversationKind.question
            channel = self.channels[index % len(self.channels)]
            policy = book.for_conversation(channel_id=channel.id, kind=kind)
            if policy is None:
                continue
            window = float(policy.first_response_minutes)
            threshold = book.threshold(policy.id, window)
            if queue == queues.Queue.breached:
                elapsed = window + amount
            elif queue == queues.Queue.at_risk:
                elapsed = window - threshold * amount
            else:
                elapsed = (window - threshold) * amount
            received = _received_for_elapsed(policy.calendar, now, dt.timedelta(minutes=elapsed))
            category = CATEGORIES[index % len(CATEGORIES)]
            conversation = self._conversation(1000 + index, kind, channel, category, received, workers[index % 2])
            if index % 3 == 2:
                conversation.assignee_id = None  # unassigned: someone should take it
            figures.apply_sla(conversation, policy=policy, calendar=policy.calendar)
            self.session.add(conversation)

    def _data_problems(self, book: policies.PolicyBook) -> None:
        """Two rows as a platform export delivers them: reply stamped before the message."""
        for index in range(2):
            channel = self.channels[1]
            received = self.local(self.today - dt.timedelta(days=3 + index), 11, 30)
            conversation = self._conversation(
                2000 + index, ConversationKind.question, channel, "login", received, self.users["support"]
            )
            conversation.external_id = f"export-{4711 + index}"
            conversation.first_reply_at = received - dt.timedelta(minutes=7)
            conversation.status = ConversationStatus.waiting
            policy = book.for_conversation(channel_id=channel.id, kind=conversation.kind)
            figures.apply_sla(conversation, policy=policy, calendar=None if policy is None else policy.calendar)
            self.session.add(conversation)

    def _loop_items(self) -> None:
        """Loops in every state: the oldest shipped idea closed (announced, every giver thanked,
        impact measured), the next announced with thanks half done, the newest shipped without a
        loop item yet — the lead's next job on the screen. Decided by ``today`` alone."""
        from core.loop import rules  # imported here: the loop module builds on the calendar and idea board

        shipped = sorted((i for i in self.ideas if i.status == IdeaStatus.shipped), key=lambda i: (i.shipped_at, i.id))
        rubric = self.rubrics["You asked, we did"]
        midnight = self.local(self.today, 0)
        for n, idea in enumerate(shipped[:-1] if len(shipped) > 1 else shipped):
            shipped_on = idea.shipped_at.astimezone(self.tz).date()  # type: ignore[union-attr]
            what_changed = f"{idea.title} is live"
            item = LoopItem(
                what_changed=what_changed,
                details="Built from your comments and the monthly survey.",
                shipped_on=shipped_on,
                status=LoopStatus.shipped,
                impact_categories=idea.category,
                created_by_id=self.users["lead"].id,
                created_at=idea.shipped_at,  # type: ignore[arg-type]
            )
            records.create(self.session, item, actor=self.actor, action="loop_item.create")
            self.session.add(LoopItemIdea(loop_item_id=item.id, idea_id=idea.id))
            givers = list(
                self.session.exec(
                    select(IdeaGiver.handle).where(IdeaGiver.idea_id == idea.id).order_by(IdeaGiver.id)
                ).all()
            )
            when = min(self.local(shipped_on + dt.timedelta(days=1), 12), midnight - dt.timedelta(hours=6))
            published = when > idea.shipped_at  # type: ignore[operator]
            if not published:
                when = self.local(self.today + dt.timedelta(days=1), 12)
            title, body = rules.announcement_text(
                what_changed=what_changed,
                details=item.details,
                idea_titles=[idea.title],
                handles=givers,
                idea_form_url="https://example.com/ideas?utm_source=instagram&utm_medium=social&utm_campaign=you_asked_we_did",
            )
            post = Post(
                title=title,
                body=body,
                channel_id=self.channels[0].id,
                rubric_id=rubric.id,
                format="carousel",
                cognitive_load="low",
                owner_id=self.users["lead"].id,
                sla_owner_id=self.users["community"].id,
                status=PostStatus.published if published else PostStatus.scheduled,
                scheduled_at=when,
                published_at=when if published else None,
                next_step_type="form",
                next_step_text=rules.NEXT_STEP_TEXT,
                micro_goal="20 new proposals for what to improve next",
                link_url="https://example.com/ideas?utm_source=instagram&utm_medium=social&utm_campaign=you_asked_we_did",
                tone_confirmed=True,
                alt_text="Screenshot of the new feature",
                contrast_confirmed=True,
                created_by_id=self.users["lead"].id,
            )
            records.create(self.session, post, actor=self.actor, action="post.create")
            item.announcement_post_id = post.id
            if not published:
                continue
            item.announced_at = when
            thanked = givers if n == 0 else givers[: len(givers) // 2]
            for k, handle in enumerate(thanked):
                self.session.add(
                    LoopThanks(
                        loop_item_id=item.id,
                        handle=handle,
                        thanked_by_id=self.users["community"].id,
                        thanked_at=min(when + dt.timedelta(hours=2 + k), midnight - dt.timedelta(minutes=30 - k)),
                    )
                )
            measured_at = self.local(shipped_on + dt.timedelta(days=item.impact_window_days + 1), 10)
            if n == 0 and measured_at >= midnight:
                # Not 30 days yet: the team asked for the NPS around the release instead.
                item.nps_before, item.nps_after = 31.0, 38.0
                measured_at = min(when + dt.timedelta(hours=8), midnight - dt.timedelta(hours=1))
            item.measured_at = measured_at if n == 0 and measured_at < midnight else None
            all_thanked = len(thanked) == len(givers)
            item.status = rules.advance_status(
                item.status, announced=True, all_thanked=all_thanked, measured=item.measured_at is not None
            )
        self.session.flush()

    def _audience(self) -> None:
        month = self.start.replace(day=1)
        while month <= self.today:
            next_month = (month + dt.timedelta(days=32)).replace(day=1)
            for channel, size in zip(self.channels, (12000, 4500, 8000, 1500), strict=True):
                self.session.add(
                    AudienceSize(
                        channel_id=channel.id,
                        period_start=month,
                        period_end=next_month - dt.timedelta(days=1),
                        size=size,
                    )
                )
            month = next_month

    def _digest_note(self) -> None:
        last_monday = self.today - dt.timedelta(days=self.today.weekday() + 7)
        self.session.add(
            WeeklyDigestNote(
                week_start=last_monday,
                hero_handle=self.handles[3],
                hero_reason="Wrote the export guide everyone shared.",
                next_topic="How notifications decide what to send",
                chosen_by_id=self.users["community"].id,
            )
        )
