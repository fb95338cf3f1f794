"""The demo's support desk: business hours, the SLA policies, the escalation teams and the
quick answers the conversations use."""

from __future__ import annotations

import json
from dataclasses import dataclass

from core.demo.builder import TIMEZONE, DemoBuilder
from core.records import stored_id
from db.models import BusinessCalendarRow, ConversationKind, EscalationTeam, QuickAnswer, SlaPolicy, User

DEMO_CALENDAR = {
    "timezone": TIMEZONE,
    "weekly": {day: [["09:00", "13:00"], ["14:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    | {"sat": [["10:00", "14:00"]], "sun": []},
    "holidays": [],
    "country": "DE",
}

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
        "Turn it on under Settings → Security; on a new phone, sign in with a backup code, then scan the new QR code. "
        "Keep the backup codes somewhere safe.",
        "https://example.com/guide/2fa",
    ),
    (
        "Reset e-mail not arriving",
        "login",
        "Please check the spam folder and that it is the address you signed up with; "
        "if it is still missing after 10 minutes, send us that address in a DM and we send a new link.",
        "",
    ),
    (
        "Restore a deleted list",
        "productivity",
        "Deleted lists stay in the bin for 30 days: Settings → Bin → Restore.",
        "https://example.com/guide/bin",
    ),
    (
        "Keyboard shortcuts",
        "productivity",
        "Press ? anywhere to see every shortcut; N starts a new entry.",
        "https://example.com/guide/shortcuts",
    ),
    (
        "Your data",
        "privacy",
        "We delete your account and data within 30 days of your request; send it from your account's e-mail "
        "address to privacy@example.com so we can be sure it is you.",
        "https://example.com/privacy",
    ),
)

#: The escalation teams: name, the username of the accountable owner, what the team handles.
TEAMS = (
    ("Billing", "support", "Refunds, double charges, invoices."),
    ("Product", "lead", "Bugs and feature gaps that need the product team."),
    ("Legal", "compliance", "Data requests, complaints with legal weight."),
)


@dataclass(frozen=True)
class SupportDesk:
    """What the conversations are handled with."""

    teams: list[EscalationTeam]
    answers: list[QuickAnswer]

    def answer(self, title: str | None) -> QuickAnswer | None:
        """The quick answer of that title (None for None)."""
        return None if title is None else next(a for a in self.answers if a.title == title)

    def team(self, name: str | None) -> EscalationTeam | None:
        """The escalation team of that name (None for None)."""
        return None if name is None else next(t for t in self.teams if t.name == name)


def add_support_desk(demo: DemoBuilder, *, users: dict[str, User]) -> SupportDesk:
    _add_policies(demo)
    return SupportDesk(teams=_add_teams(demo, users=users), answers=_add_quick_answers(demo))


def _add_policies(demo: DemoBuilder) -> None:
    """Support hours and two policies: a general one, and a faster one for complaints."""
    calendar = demo.create(
        BusinessCalendarRow(name="Support hours (Berlin)", definition=json.dumps(DEMO_CALENDAR)),
        action="business_calendar.create",
    )
    calendar_id = stored_id(calendar.id)
    demo.create(
        SlaPolicy(name="First response in 2 business hours", calendar_id=calendar_id, first_response_minutes=120),
        action="sla_policy.create",
    )
    # A kind-specific policy wins over the general one: complaints get an answer faster.
    demo.create(
        SlaPolicy(
            name="Complaints within 1 business hour",
            calendar_id=calendar_id,
            first_response_minutes=60,
            kind=ConversationKind.complaint,
            at_risk_share=0.25,
            at_risk_min_minutes=15,
        ),
        action="sla_policy.create",
    )


def _add_teams(demo: DemoBuilder, *, users: dict[str, User]) -> list[EscalationTeam]:
    return [
        demo.create(
            EscalationTeam(name=name, owner_id=users[owner].id, description=description),
            action="escalation_team.create",
        )
        for name, owner, description in TEAMS
    ]


def _add_quick_answers(demo: DemoBuilder) -> list[QuickAnswer]:
    return [
        demo.create(
            QuickAnswer(title=title, category=category, text=text, link=link, kind="faq" if link else "script"),
            action="quick_answer.create",
        )
        for title, category, text, link in QUICK_ANSWERS
    ]
