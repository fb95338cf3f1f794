"""The demo's community: members in every role, a flagged thread, a rota with one gap, the rollout
in progress."""

import datetime as dt
from zoneinfo import ZoneInfo

from core import demo
from core.community import members, queues, rituals, rollout, rota
from core.community.rules import ROLE_LABELS
from core.demo.builder import TIMEZONE
from core.local_time import local_instant

TODAY = dt.date(2026, 3, 23)  # a Monday, a week before the clocks change in Berlin
NOW = local_instant(TODAY, dt.time(10), ZoneInfo(TIMEZONE))


def test_the_demo_community(write, read):
    with write() as s:
        demo.load_demo(s, today=TODAY, password_rounds=4)
    with read() as s:
        everyone = members.list_members(session=s, now=NOW)
        flags = queues.open_flags(s)
        slow = queues.in_slow_mode(session=s, now=NOW)
        week = rota.rota(session=s, now=NOW)
        plan = rollout.rollout_plan(s)
        suggested = queues.suggested_flags(session=s, since=NOW - dt.timedelta(days=3))
        formats = [r.name for r in rituals.rituals(s)]
        consents = sorted(i.consent for i in rituals.showcase(s, since=NOW - dt.timedelta(days=60)) if i.consent)
        welcomed = [n.key for n in rituals.newcomers(session=s, now=NOW) if n.welcomed]
    held = {role for m in everyone for role in m.roles}
    assert held == set(ROLE_LABELS)
    assert [(f.author, f.severity) for f in flags] == [("@grumpy.gus", "high")]
    assert [a.member for a in slow] == ["@Grumpy.Gus"]
    assert [(x.author, x.category) for x in suggested] == [("@Rude.Rita", "toxic"), ("@cheap.likes", "spam")]
    # One afternoon of the coming week has nobody on call (across the clock change on 29 March).
    assert len(week.gaps) == 1
    start, end = week.gaps[0]
    assert (end - start) == dt.timedelta(hours=4)
    assert week.on_call == ("Chiara Rossi",)
    # The team is on day 10 of its 60: the five steps it has evidence for since its start are ticked
    # (measured: 5 of 9), the later ones (idea form, retro, hero ritual, plan's review) are open.
    assert plan.started_on == TODAY - dt.timedelta(days=9)
    assert [x.step.key for x in plan.steps if x.done] == [
        "channel_audit",
        "tone_and_rules",
        "quick_answers",
        "sla_dashboards",
        "rubrics",
    ]
    assert plan.done == 5 and len(plan.steps) == 9
    assert not next(x for x in plan.steps if x.step.key == "ugc_hero").done
    assert formats == ["Question of the week", "Friday AMA"]
    assert consents == ["asked", "given", "refused"]
    assert len(welcomed) == 2
