"""The demo's people and places: one team member per role (with public demo sign-ins), the
channels, and the handles of the community members who write in."""

from __future__ import annotations

from sqlmodel import select

from core.demo.builder import DemoBuilder
from core.users.rules import hash_password
from db.models import Channel, Role, User

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

# 150 handles, each name ten times with its own number; the ideas, the conversations and the
# digest pick from the front of the list, so a few regulars show up everywhere.
COMMUNITY_HANDLES = tuple(
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
)


def add_team(demo: DemoBuilder) -> dict[str, User]:
    """The demo users by username; users already there (a forced load) are kept as they are."""
    users = {}
    for username, role, name in DEMO_USERS:
        existing = demo.session.exec(select(User).where(User.username == username)).first()
        if existing is not None:
            users[username] = existing
            continue
        user = User(
            username=username,
            name=name,
            email=f"{username}@demo.example",
            role=role,
            password_hash=hash_password(demo_password(username), rounds=demo.password_rounds),
        )
        users[username] = demo.create(user, action="user.create")
    return users


def add_channels(demo: DemoBuilder) -> list[Channel]:
    return [
        demo.create(
            Channel(name=name, platform=platform, url=f"https://example.com/{platform}", daily_post_limit=limit),
            action="channel.create",
        )
        for name, platform, limit in CHANNELS
    ]
