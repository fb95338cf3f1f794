"""Setting a workspace up: ``workspace set/show``, ``channels add/list/rename/archive``,
``policies add/list/deactivate`` and the admin's ``sla recompute``."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from sqlalchemy.engine import Engine

from core import workspace
from core.cli.common import channel_named, date_argument, minutes_from_text, table
from core.errors import ValidationError
from core.local_time import days_bounds
from core.permissions import CLI_ACTOR
from core.sla import policy_admin
from core.sla.calendars import calendar_from_hours
from core.sla.policies import PolicyView, list_policies
from db.engine import read_session, write_session
from db.models import ChannelCreate, ChannelUpdate, SlaPolicyCreate, SlaPolicyUpdate, WorkspaceUpdate


def _workspace_set(args: argparse.Namespace, engine: Engine) -> int:
    fields = {
        "name": args.name,
        "timezone": args.timezone,
        "high_load_run_limit": args.high_load_run_limit,
        "quick_win_min_impact": args.quick_win_min_impact,
        "quick_win_max_cost": args.quick_win_max_cost,
    }
    changes = {k: v for k, v in fields.items() if v is not None}
    if not changes:
        raise ValidationError("Nothing to set: give --timezone, --name or one of the limits.")
    with write_session(engine) as session:
        current = workspace.ensure_workspace(session=session, actor=CLI_ACTOR)
        info = workspace.update_settings(
            session=session, actor=CLI_ACTOR, expected_version=current.version, settings_in=WorkspaceUpdate(**changes)
        )
    print(f"Workspace {info.name!r}: time zone {info.timezone}.")
    return 0


def _workspace_show(args: argparse.Namespace, engine: Engine) -> int:
    with read_session(engine) as session:
        info = workspace.info(session)
    print(f"name: {info.name}\ntime zone: {info.timezone}\nhigh-load run limit: {info.high_load_run_limit}")
    print(f"quick wins: impact >= {info.quick_win_min_impact}, cost <= {info.quick_win_max_cost}")
    return 0


def _channels_add(args: argparse.Namespace, engine: Engine) -> int:
    with write_session(engine) as session:
        workspace.ensure_workspace(session=session, actor=CLI_ACTOR)
        channel = workspace.create_channel(
            session=session,
            actor=CLI_ACTOR,
            channel_in=ChannelCreate(
                name=args.name, platform=args.platform or "", url=args.url or "", daily_post_limit=args.daily_limit
            ),
        )
    print(f"Channel {channel.name!r} added (#{channel.id}).")
    return 0


def _channels_list(args: argparse.Namespace, engine: Engine) -> int:
    with read_session(engine) as session:
        channels = workspace.list_channels(session, include_inactive=True)
    if not channels:
        print("No channels yet. Add one with: python -m core channels add NAME")
        return 0
    rows = [(c.name, c.platform, str(c.daily_post_limit), "active" if c.active else "archived") for c in channels]
    print(table(rows, ("name", "platform", "posts/day", "state")))
    return 0


def _channel_update(args: argparse.Namespace, engine: Engine, changes: ChannelUpdate, done: str) -> int:
    with write_session(engine) as session:
        channel = channel_named(session, args.name)
        workspace.update_channel(
            session=session,
            actor=CLI_ACTOR,
            channel_id=channel.id,
            expected_version=channel.version,
            channel_in=changes,
        )
    print(done)
    return 0


def _channels_rename(args: argparse.Namespace, engine: Engine) -> int:
    return _channel_update(
        args, engine, ChannelUpdate(name=args.new_name), f"Channel {args.name!r} is now {args.new_name!r}."
    )


def _channels_archive(args: argparse.Namespace, engine: Engine) -> int:
    text = f"Channel {args.name!r} archived: its posts and conversations stay; new ones cannot pick it."
    return _channel_update(args, engine, ChannelUpdate(active=False), text)


def policy_named(policies: list[PolicyView], name: str) -> PolicyView:
    for policy in policies:
        if policy.name.casefold() == name.strip().casefold():
            return policy
    known = ", ".join(p.name for p in policies) or "none yet"
    raise ValidationError(f"No SLA policy named {name!r}. Policies: {known}.")


def _policies_add(args: argparse.Namespace, engine: Engine) -> int:
    calendar = calendar_from_hours(
        timezone=args.timezone,
        hours=args.hours,
        holidays=args.holiday or (),
        country=args.country,
        subdivision=args.subdivision,
    )
    with write_session(engine) as session:
        workspace.ensure_workspace(session=session, actor=CLI_ACTOR)
        channel_id = channel_named(session, args.channel).id if args.channel else None
        policy = policy_admin.create_policy(
            session=session,
            actor=CLI_ACTOR,
            policy_in=SlaPolicyCreate(
                name=args.name,
                first_response_minutes=minutes_from_text(args.target),
                at_risk_share=args.at_risk_share,
                at_risk_min_minutes=args.at_risk_minutes,
                channel_id=channel_id,
                kind=args.kind,
            ),
            calendar=calendar,
        )
    print(
        f"Policy {policy.name!r} added: first reply within {policy.first_response_minutes} business minutes, {policy.scope}."
    )
    print("It applies to conversations stored from now on; python -m core sla recompute applies it to stored ones.")
    return 0


def _policies_list(args: argparse.Namespace, engine: Engine) -> int:
    with read_session(engine) as session:
        policies = list_policies(session)
    if not policies:
        print(
            "No SLA policies yet. Add one with: python -m core policies add NAME --hours 'mon-fri 09:00-18:00' --timezone Europe/Berlin"
        )
        return 0
    rows = [
        (
            p.name,
            "active" if p.active else "inactive",
            f"{p.first_response_minutes} min",
            p.calendar.timezone,
            p.scope,
        )
        for p in policies
    ]
    print(table(rows, ("name", "state", "target", "time zone", "for")))
    return 0


def _policies_deactivate(args: argparse.Namespace, engine: Engine) -> int:
    with write_session(engine) as session:
        policy = policy_named(list_policies(session), args.name)
        policy_admin.update_policy(
            session=session,
            actor=CLI_ACTOR,
            policy_id=policy.id,
            expected_version=policy.version,
            policy_in=SlaPolicyUpdate(active=False),
        )
    print(f"Policy {policy.name!r} deactivated; new conversations get the next policy that fits.")
    return 0


def _sla_recompute(args: argparse.Namespace, engine: Engine) -> int:
    received_from: dt.datetime | None = None
    with write_session(engine) as session:
        if args.start is not None:
            received_from = days_bounds(args.start, args.start, workspace.timezone(session))[0]
        result = policy_admin.recompute_sla(session=session, actor=CLI_ACTOR, received_from=received_from)
    scope = f"received from {args.start}" if args.start else "all"
    print(f"Recomputed the SLA figures of {result.examined:,} conversation(s) ({scope}); {result.changed:,} changed.")
    return 0


def add_commands(sub: Any) -> None:
    ws = sub.add_parser("workspace", help="the workspace's settings").add_subparsers(
        dest="workspace_command", required=True
    )
    setter = ws.add_parser("set", help="set the time zone, the name or a limit")
    setter.add_argument("--timezone", help="IANA time zone, e.g. Europe/Berlin (dates and the KPI periods)")
    setter.add_argument("--name")
    setter.add_argument(
        "--high-load-run-limit", type=int, help="high-load posts in a row before the rhythm guard warns"
    )
    setter.add_argument("--quick-win-min-impact", type=int, help="quick wins: impact at least (1-5)")
    setter.add_argument("--quick-win-max-cost", type=int, help="quick wins: cost at most (1-5)")
    setter.set_defaults(run=_workspace_set)
    ws.add_parser("show", help="the workspace's settings").set_defaults(run=_workspace_show)

    channels = sub.add_parser("channels", help="the channels").add_subparsers(dest="channels_command", required=True)
    add = channels.add_parser("add", help="add a channel")
    add.add_argument("name")
    add.add_argument("--platform", help="e.g. instagram, telegram, youtube")
    add.add_argument("--url")
    add.add_argument("--daily-limit", type=int, default=3, help="posts per local day (default 3)")
    add.set_defaults(run=_channels_add)
    channels.add_parser("list", help="every channel, archived ones too").set_defaults(run=_channels_list)
    rename = channels.add_parser("rename", help="rename a channel")
    rename.add_argument("name")
    rename.add_argument("new_name")
    rename.set_defaults(run=_channels_rename)
    archive = channels.add_parser("archive", help="archive a channel (nothing is deleted)")
    archive.add_argument("name")
    archive.set_defaults(run=_channels_archive)

    policies = sub.add_parser("policies", help="SLA policies").add_subparsers(dest="policies_command", required=True)
    padd = policies.add_parser("add", help="add an SLA policy with its business hours")
    padd.add_argument("name")
    padd.add_argument("--timezone", required=True, help="the time zone of the hours, e.g. Europe/Berlin")
    padd.add_argument(
        "--hours", action="append", required=True, help="weekly hours, e.g. 'mon-fri 09:00-18:00' (repeatable)"
    )
    padd.add_argument("--country", help="public holidays of this country (ISO code, e.g. DE)")
    padd.add_argument("--subdivision", help="and of this subdivision (e.g. BE for Berlin)")
    padd.add_argument("--holiday", action="append", metavar="YYYY-MM-DD", help="an own closed day (repeatable)")
    padd.add_argument("--target", default="120", help="first reply within: minutes, or 2h, 1h30m (default 120)")
    padd.add_argument("--at-risk-share", type=float, default=0.25, help="at risk when this share of the window is left")
    padd.add_argument("--at-risk-minutes", type=int, default=15, help="… or at least this many minutes")
    padd.add_argument("--channel", help="only for this channel (by name)")
    padd.add_argument("--kind", help="only for this kind (question, complaint, …)")
    padd.set_defaults(run=_policies_add)
    policies.add_parser("list", help="every policy").set_defaults(run=_policies_list)
    deactivate = policies.add_parser("deactivate", help="deactivate a policy")
    deactivate.add_argument("name")
    deactivate.set_defaults(run=_policies_deactivate)

    sla = sub.add_parser("sla", help="the SLA figures").add_subparsers(dest="sla_command", required=True)
    recompute = sla.add_parser("recompute", help="recompute stored SLA figures with today's policies (audited)")
    recompute.add_argument(
        "--from", dest="start", type=date_argument, metavar="YYYY-MM-DD", help="received from this day on"
    )
    recompute.set_defaults(run=_sla_recompute)
