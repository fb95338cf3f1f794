"""``setup FILE.toml``: a whole workspace from one declarative file, applied idempotently.

The file names the workspace's settings and limits, channels, SLA policies (with weekly hours like
"mon-fri 09:00-18:00", country and subdivision holidays and own dates), rubrics, stop words and
escalation teams (``docs/examples/workspace.toml`` shows every key). What is missing is created,
what differs is changed, what matches is left alone, and nothing the file does not name is
touched or deleted; running it twice changes nothing the second time. Everything goes through the
same services (and audit log) as the screens, in one transaction: a mistake anywhere changes
nothing, and the message names the section and entry.
"""

from __future__ import annotations

import argparse
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core import workspace
from core.cli.common import minutes_from_text
from core.content_plan import house_rules
from core.errors import DomainError, ValidationError
from core.permissions import CLI_ACTOR
from core.sla import policy_admin, teams
from core.sla.calendars import calendar_from_hours, stored_definition
from core.sla.policies import PolicyView, list_policies
from core.users import queries as user_queries
from db.engine import write_session
from db.models import (
    ChannelCreate,
    ChannelUpdate,
    EscalationTeamCreate,
    EscalationTeamUpdate,
    SlaPolicyCreate,
    SlaPolicyUpdate,
    WorkspaceUpdate,
)

SECTIONS = ("workspace", "limits", "channels", "policies", "rubrics", "stop_words", "escalation_teams")
_KEYS = {
    "workspace": {"name", "timezone"},
    "limits": {"high_load_run_limit", "quick_win_min_impact", "quick_win_max_cost"},
    "channels": {"name", "platform", "url", "daily_post_limit", "archived"},
    "policies": {
        "name",
        "timezone",
        "hours",
        "country",
        "subdivision",
        "holidays",
        "target",
        "at_risk_share",
        "at_risk_minutes",
        "channel",
        "kind",
    },
    "rubrics": {"name", "description"},
    "stop_words": {"word", "mode"},
    "escalation_teams": {"name", "owner", "description"},
}


@dataclass
class SetupResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def read_setup(text: str) -> dict[str, Any]:
    """The file as data, every section and key checked (a typo is named, never ignored)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValidationError(f"The set-up file is not valid TOML: {error}.") from None
    for section, value in data.items():
        if section not in SECTIONS:
            raise ValidationError(f"Unknown section [{section}]; the sections are {', '.join(SECTIONS)}.")
        entries = [value] if isinstance(value, dict) else value
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise ValidationError(f"[{section}] must be a table (or [[{section}]] entries).")
        for number, entry in enumerate(entries, start=1):
            unknown = sorted(set(entry) - _KEYS[section])
            if unknown:
                raise ValidationError(
                    f"Unknown key(s) {', '.join(unknown)} in {section} entry {number}; "
                    f"the keys are {', '.join(sorted(_KEYS[section]))}."
                )
    return data


def _entries(data: Mapping[str, Any], section: str, key: str) -> list[dict[str, Any]]:
    entries = data.get(section, [])
    for number, entry in enumerate(entries, start=1):
        if not str(entry.get(key, "")).strip():
            raise ValidationError(f"{section} entry {number} has no {key}.")
    return entries


def _named(section: str, name: str, step: Callable[[], object]) -> None:
    """Run one entry's change; a problem names the section and the entry."""
    try:
        step()
    except DomainError as error:
        raise type(error)(f"{section} {name!r}: {error}") from None


def apply_setup(session: Session, data: Mapping[str, Any]) -> SetupResult:
    """Make the workspace match the file (see the module docstring); one transaction, the caller's."""
    result = SetupResult()
    info = workspace.ensure_workspace(session=session, actor=CLI_ACTOR)
    settings = {**data.get("workspace", {}), **data.get("limits", {})}
    changes = {k: v for k, v in settings.items() if getattr(info, k) != v}
    if changes:
        _named("workspace", info.name, lambda: _update_workspace(session, info.version, changes))
        result.updated.append(f"workspace ({', '.join(sorted(changes))})")
    elif settings:
        result.unchanged.append("workspace")
    _channels(session, _entries(data, "channels", "name"), result)
    _policies(session, _entries(data, "policies", "name"), result)
    _rubrics(session, _entries(data, "rubrics", "name"), result)
    _stop_words(session, _entries(data, "stop_words", "word"), result)
    _teams(session, _entries(data, "escalation_teams", "name"), result)
    return result


def _update_workspace(session: Session, version: int, changes: dict[str, Any]) -> None:
    workspace.update_settings(
        session=session, actor=CLI_ACTOR, expected_version=version, settings_in=WorkspaceUpdate(**changes)
    )


def _channels(session: Session, entries: list[dict[str, Any]], result: SetupResult) -> None:
    for entry in entries:
        name = " ".join(str(entry["name"]).split())
        existing = {c.name.casefold(): c for c in workspace.list_channels(session, include_inactive=True)}
        wanted: dict[str, Any] = {
            "platform": str(entry.get("platform", "")),
            "url": str(entry.get("url", "")),
            "daily_post_limit": int(entry.get("daily_post_limit", 3)),
            "active": not bool(entry.get("archived", False)),
        }
        channel = existing.get(name.casefold())
        if channel is None:
            created = ChannelCreate(name=name, **{k: v for k, v in wanted.items() if k != "active"})
            _named("channel", name, partial(_create_channel, session, created, bool(wanted["active"])))
            result.created.append(f"channel {name!r}")
            continue
        changes = {k: v for k, v in wanted.items() if k in entry or k == "active" if getattr(channel, k) != v}
        if changes:
            update = ChannelUpdate(**changes)
            _named(
                "channel",
                name,
                partial(
                    workspace.update_channel,
                    session=session,
                    actor=CLI_ACTOR,
                    channel_id=channel.id,
                    expected_version=channel.version,
                    channel_in=update,
                ),
            )
            result.updated.append(f"channel {name!r} ({', '.join(sorted(changes))})")
        else:
            result.unchanged.append(f"channel {name!r}")


def _create_channel(session: Session, channel_in: ChannelCreate, active: bool) -> None:
    view = workspace.create_channel(session=session, actor=CLI_ACTOR, channel_in=channel_in)
    if not active:
        workspace.update_channel(
            session=session,
            actor=CLI_ACTOR,
            channel_id=view.id,
            expected_version=view.version,
            channel_in=ChannelUpdate(active=False),
        )


def _policies(session: Session, entries: list[dict[str, Any]], result: SetupResult) -> None:
    for entry in entries:
        name = str(entry["name"]).strip()
        _named("policy", name, partial(_policy, session, entry, name, result))


def _policy(session: Session, entry: dict[str, Any], name: str, result: SetupResult) -> None:
    if not entry.get("hours") or not entry.get("timezone"):
        raise ValidationError('give its timezone and its hours, e.g. hours = ["mon-fri 09:00-18:00"].')
    hours = entry["hours"] if isinstance(entry["hours"], list) else [entry["hours"]]
    calendar = calendar_from_hours(
        timezone=str(entry["timezone"]),
        hours=[str(h) for h in hours],
        holidays=[str(d) for d in entry.get("holidays", [])],
        country=entry.get("country"),
        subdivision=entry.get("subdivision"),
    )
    channel_id = None
    if entry.get("channel"):
        channels = {c.name.casefold(): c.id for c in workspace.list_channels(session, include_inactive=True)}
        channel_id = channels.get(str(entry["channel"]).casefold())
        if channel_id is None:
            raise ValidationError(f"no channel {entry['channel']!r}; list it under [[channels]] first.")
    settings: dict[str, Any] = {
        "first_response_minutes": minutes_from_text(entry.get("target", 120)),
        "at_risk_share": float(entry.get("at_risk_share", 0.25)),
        "at_risk_min_minutes": int(entry.get("at_risk_minutes", 15)),
        "channel_id": channel_id,
        "kind": entry.get("kind") or None,
    }
    existing: PolicyView | None = next(
        (p for p in list_policies(session) if p.name.casefold() == name.casefold()), None
    )
    if existing is None:
        policy_admin.create_policy(
            session=session, actor=CLI_ACTOR, policy_in=SlaPolicyCreate(name=name, **settings), calendar=calendar
        )
        result.created.append(f"policy {name!r}")
        return
    changed = [k for k, v in settings.items() if getattr(existing, k) != v]
    if not existing.active:
        changed.append("active")
    calendar_changed = stored_definition(calendar) != stored_definition(existing.calendar)
    if not changed and not calendar_changed:
        result.unchanged.append(f"policy {name!r}")
        return
    policy_admin.update_policy(
        session=session,
        actor=CLI_ACTOR,
        policy_id=existing.id,
        expected_version=existing.version,
        policy_in=SlaPolicyUpdate(**settings, active=True),
        calendar=calendar if calendar_changed else None,
        calendar_expected_version=existing.calendar_version,
    )
    result.updated.append(f"policy {name!r} ({', '.join(changed + (['hours'] if calendar_changed else []))})")


def _rubrics(session: Session, entries: list[dict[str, Any]], result: SetupResult) -> None:
    for entry in entries:
        name = " ".join(str(entry["name"]).split())
        existing = {r.name.casefold(): r for r in house_rules.list_rubrics(session)}
        rubric = existing.get(name.casefold())
        if rubric is None:
            _named(
                "rubric",
                name,
                partial(
                    house_rules.add_rubric,
                    session=session,
                    actor=CLI_ACTOR,
                    name=name,
                    description=str(entry.get("description", "")),
                ),
            )
            result.created.append(f"rubric {name!r}")
        elif not rubric.active:
            house_rules.set_rubric_active(session=session, actor=CLI_ACTOR, rubric_id=rubric.id, active=True)
            result.updated.append(f"rubric {name!r} (active again)")
        else:
            result.unchanged.append(f"rubric {name!r}")


def _stop_words(session: Session, entries: list[dict[str, Any]], result: SetupResult) -> None:
    for entry in entries:
        word = " ".join(str(entry["word"]).split())
        mode = str(entry.get("mode", "warn"))
        existing = {w.word.casefold(): w for w in house_rules.list_stop_words(session)}
        found = existing.get(word.casefold())
        if found is None:
            _named(
                "stop word",
                word,
                partial(house_rules.add_stop_word, session=session, actor=CLI_ACTOR, word=word, mode=mode),
            )
            result.created.append(f"stop word {word!r}")
        elif found.mode != mode:
            _named(
                "stop word",
                word,
                partial(
                    house_rules.set_stop_word_mode, session=session, actor=CLI_ACTOR, stop_word_id=found.id, mode=mode
                ),
            )
            result.updated.append(f"stop word {word!r} (mode {mode})")
        else:
            result.unchanged.append(f"stop word {word!r}")


def _teams(session: Session, entries: list[dict[str, Any]], result: SetupResult) -> None:
    if not entries:
        return
    people = {u.username.casefold(): u for u in user_queries.list_users(session=session)}
    for entry in entries:
        name = str(entry["name"]).strip()
        owner_name = str(entry.get("owner", "")).strip()
        owner = people.get(owner_name.casefold())
        if owner is None:
            raise ValidationError(
                f"escalation team {name!r}: its owner {owner_name or '(none given)'!r} is not a user; "
                f"add them first (python -m core users add {owner_name or 'NAME'} --role lead)."
            )
        description = str(entry.get("description", ""))
        existing = {t.name.casefold(): t for t in teams.list_teams(session)}
        team = existing.get(name.casefold())
        if team is None:
            _named(
                "escalation team",
                name,
                partial(
                    teams.create_team,
                    session=session,
                    actor=CLI_ACTOR,
                    team_in=EscalationTeamCreate(name=name, description=description, owner_id=owner.id),
                ),
            )
            result.created.append(f"escalation team {name!r}")
        elif team.owner_id != owner.id or team.description != description:
            _named(
                "escalation team",
                name,
                partial(
                    teams.update_team,
                    session=session,
                    actor=CLI_ACTOR,
                    team_id=team.id,
                    expected_version=team.version,
                    team_in=EscalationTeamUpdate(description=description, owner_id=owner.id),
                ),
            )
            result.updated.append(f"escalation team {name!r}")
        else:
            result.unchanged.append(f"escalation team {name!r}")


def _setup(args: argparse.Namespace, engine: Engine) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise ValidationError(f"{path} is not a file; give the path of the set-up file (TOML).")
    data = read_setup(path.read_text(encoding="utf-8"))
    with write_session(engine) as session:
        result = apply_setup(session, data)
        if args.dry_run:
            session.rollback()
    verb = "Would apply" if args.dry_run else "Applied"
    print(
        f"{verb} {path.name}: {len(result.created)} created, {len(result.updated)} changed, "
        f"{len(result.unchanged)} already as written."
    )
    for what, items in (("created", result.created), ("changed", result.updated)):
        for item in items:
            print(f"  {what}: {item}")
    return 0


def add_commands(sub: Any) -> None:
    parser = sub.add_parser("setup", help="apply a declarative workspace file (TOML), idempotently")
    parser.add_argument("file", help="the set-up file, e.g. docs/examples/workspace.toml")
    parser.add_argument("--dry-run", action="store_true", help="say what would change, change nothing")
    parser.set_defaults(run=_setup)
