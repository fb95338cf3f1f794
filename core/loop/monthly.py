"""The monthly "What we implemented" update: the loop items shipped in a month with the requests
they answer, how many people asked and their measured effect, as Markdown (escaped user text) and
as plain text for a post body.

The update is meant for the public, so it shows only public facts: what changed, for which
request, how many people asked, and the effect once its measuring window has passed — never the
team's votes, and never a figure of a window still running (it says when the effect is measured).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from core import exports
from core.local_time import month_start, next_month
from core.loop.impact import impacts
from core.loop.queries import LinkedIdea, views
from core.loop.rules import NEXT_STEP_TEXT, Impact
from core.permissions import Action, Actor, require
from core.text import escape_markdown
from db.models import LoopItem


@dataclass(frozen=True)
class MonthlyItem:
    loop_item_id: int
    what_changed: str
    details: str
    shipped_on: dt.date
    ideas: tuple[LinkedIdea, ...]
    givers_count: int
    impact: Impact


@dataclass(frozen=True)
class MonthlyUpdate:
    month: dt.date
    items: tuple[MonthlyItem, ...]
    markdown: str
    text: str  # the same without Markdown escapes, for a post body

    @property
    def title(self) -> str:
        return monthly_title(self.month)

    @property
    def file_name(self) -> str:
        return f"what-we-implemented-{self.month:%Y-%m}.md"


def monthly_title(month: dt.date) -> str:
    return f"What we implemented in {month:%B %Y}"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def monthly_document(month: dt.date, items: Sequence[MonthlyItem], *, escape: bool = True) -> str:
    """The 'What we implemented' update for a month, as Markdown (``escape=False``: plain text
    for a post body)."""
    e: Callable[[str], str] = escape_markdown if escape else _one_line
    lines = [f"# {monthly_title(month)}", ""]
    if not items:
        lines += [f"Nothing shipped in {month:%B %Y}. Your ideas are on the board — tell us what to improve next."]
        return "\n".join(lines) + "\n"
    people = sum(i.givers_count for i in items)
    lines += [
        f"{len(items)} improvement{'s' if len(items) != 1 else ''} shipped this month, answering ideas from {people} "
        f"{'person' if people == 1 else 'people'}. Thank you!",
        "",
    ]
    for n, item in enumerate(items, start=1):
        lines.append(f"## {n}. {e(item.what_changed)}")
        lines.append("")
        lines.append(f"Shipped on {item.shipped_on:%d %B %Y}.")
        if item.details:
            lines += ["", e(item.details)]
        lines.append("")
        if item.ideas:
            lines.append("- You asked for: " + "; ".join(f"“{e(idea.title)}”" for idea in item.ideas))
        people = item.givers_count
        lines.append(f"- Asked by {people} {'person' if people == 1 else 'people'}")
        effect = public_effect(item.impact)
        if effect:
            lines.append(f"- Effect: {e(effect)}")
        lines.append("")
    lines.append(NEXT_STEP_TEXT)
    return "\n".join(lines) + "\n"


def public_effect(impact: Impact) -> str:
    """The effect as the public may read it: the figure once it is complete, or when it will
    be; nothing when nothing is measured."""
    if impact.kind == "none":
        return ""
    if impact.measured:
        return impact.summary
    if impact.kind == "conversations" and impact.complete_on is not None:
        return f"measured after {impact.complete_on:%d %B %Y}"
    return "being measured"


def monthly_update(session: Session, *, month: dt.date, today: dt.date | None = None) -> MonthlyUpdate:
    """Exactly the loop items shipped in ``month`` (any day of it), with ideas, votes, givers' count and impact."""
    start = month_start(month)
    items = session.exec(
        select(LoopItem)
        .where(col(LoopItem.shipped_on) >= start, col(LoopItem.shipped_on) < next_month(start))
        .order_by(col(LoopItem.shipped_on), col(LoopItem.id))
    ).all()
    shipped = views(session, list(items))
    figures = impacts(session, loop_item_ids=[v.id for v in shipped], today=today)
    monthly = tuple(
        MonthlyItem(v.id, v.what_changed, v.details, v.shipped_on, v.ideas, v.givers_count, figures[v.id])
        for v in shipped
    )
    return MonthlyUpdate(
        start, monthly, monthly_document(start, monthly), monthly_document(start, monthly, escape=False)
    )


def export_monthly_update(*, session: Session, actor: Actor, month: dt.date, today: dt.date | None = None) -> str:
    """The month's update as a Markdown file (user text escaped); the download is audited."""
    require(actor, Action.view_loop)
    update = monthly_update(session, month=month, today=today)
    exports.record_export(
        session,
        actor=actor,
        what="monthly_update",
        file_format="md",
        rows=len(update.items),
        details={"month": update.month.isoformat()},
    )
    return update.markdown


def months_with_loop_items(session: Session, *, limit: int = 24) -> list[dt.date]:
    """Months (first days) that have loop items, newest first."""
    days = session.exec(select(col(LoopItem.shipped_on)).order_by(col(LoopItem.shipped_on).desc()).limit(2000)).all()
    return list(dict.fromkeys(month_start(d) for d in days))[:limit]
