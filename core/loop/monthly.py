"""The monthly "What we implemented" update: the loop items shipped in a month with the requests
they answer, how many people asked and their measured effect, as Markdown (escaped user text) and
as plain text for a post body.

The update is meant for the public, so it shows only public facts: what changed, for which
request, how many people asked, and the effect once its measuring window has passed — never the
team's votes, and never a figure of a window still running (it says when the effect is measured).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from sqlmodel import Session, col, select

from core import exports, formats, text_templates
from core.i18n import _, ngettext
from core.local_time import month_start, next_month
from core.loop.impact import impacts
from core.loop.queries import LinkedIdea, views
from core.loop.rules import Impact, quoted
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
    title: str = ""  # in the workspace's language and the lead's wording

    @property
    def file_name(self) -> str:
        return f"what-we-implemented-{self.month.isoformat()[:7]}.md"


def monthly_title(month: dt.date, templates: Mapping[str, str] = MappingProxyType({})) -> str:
    """The update's title in the current language (``templates``: the wording in force)."""
    return text_templates.fill(templates, "monthly_title", month=formats.month_year(month))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def monthly_document(
    month: dt.date,
    items: Sequence[MonthlyItem],
    *,
    escape: bool = True,
    templates: Mapping[str, str] = MappingProxyType({}),
) -> str:
    """The 'What we implemented' update for a month, as Markdown (``escape=False``: plain text
    for a post body), in the current language and the wording of ``templates``."""
    e: Callable[[str], str] = escape_markdown if escape else _one_line
    title = monthly_title(month, templates)
    month_name = formats.month_year(month)
    if not items:
        return text_templates.fill(templates, "monthly_update_empty", title=title, month=month_name) + "\n"
    people = sum(i.givers_count for i in items)
    lines: list[str] = []
    for n, item in enumerate(items, start=1):
        lines.append(f"## {n}. {e(item.what_changed)}")
        lines.append("")
        lines.append(_("Shipped on {day}.", day=formats.date(item.shipped_on)))
        if item.details:
            lines += ["", e(item.details)]
        lines.append("")
        if item.ideas:
            lines.append(
                "- " + _("You asked for: {ideas}", ideas="; ".join(quoted(e(idea.title)) for idea in item.ideas))
            )
        lines.append("- " + ngettext("Asked by {count} person", "Asked by {count} people", item.givers_count))
        effect = public_effect(item.impact)
        if effect:
            lines.append("- " + _("Effect: {effect}", effect=e(effect)))
        lines.append("")
    body = text_templates.fill(
        templates,
        "monthly_update",
        title=title,
        month=month_name,
        improvements=ngettext("{count} improvement", "{count} improvements", len(items)),
        people=ngettext("{count} person", "{count} people", people),
        items="\n".join(lines).strip("\n"),
    )
    return body + "\n"


def public_effect(impact: Impact) -> str:
    """The effect as the public may read it: the figure once it is complete, or when it will
    be; nothing when nothing is measured."""
    if impact.kind == "none":
        return ""
    if impact.measured:
        return impact.summary
    if impact.kind == "conversations" and impact.complete_on is not None:
        return _("measured after {day}", day=formats.date(impact.complete_on))
    return _("being measured")


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
    # The public's text: in the workspace's language and the lead's wording, whoever reads it here.
    with text_templates.in_workspace_language(session) as language:
        templates = text_templates.wordings(session, language=language)
        return MonthlyUpdate(
            start,
            monthly,
            monthly_document(start, monthly, templates=templates),
            monthly_document(start, monthly, escape=False, templates=templates),
            monthly_title(start, templates),
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
