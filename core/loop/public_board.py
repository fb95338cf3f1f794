"""The public idea board: a static, self-contained HTML page of ideas planned, in progress and
shipped, for the community (paper §14: "a public idea board").

Only public fields leave the workspace: an idea's title and category, how many people asked for
it, and for shipped ideas when and what changed (the loop item's public sentence). Descriptions,
status reasons, source links, scores, votes, handles and team members' names stay inside. Every
text is escaped with ``html.escape``; the page loads nothing from elsewhere and runs no script.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from core import exports, formats, i18n, text_templates, workspace
from core.i18n import N_, _, ngettext
from core.local_time import local_midnight, local_today
from core.permissions import Action, Actor, require
from db.models import Idea, IdeaStatus, LoopItem, LoopItemIdea
from db.types import utcnow

SECTIONS = (
    ("planned", N_("Planned")),
    ("in_progress", N_("In progress")),
    ("shipped", N_("Shipped")),
)
SHIPPED_DAYS = 365


@dataclass(frozen=True)
class PublicIdea:
    title: str
    category: str
    givers: int
    shipped_on: dt.date | None = None
    what_changed: str = ""


@dataclass(frozen=True)
class PublicBoard:
    planned: tuple[PublicIdea, ...]
    in_progress: tuple[PublicIdea, ...]
    shipped: tuple[PublicIdea, ...]


def public_board(session: Session, *, today: dt.date | None = None, limit: int = 200) -> PublicBoard:
    """Ideas planned, in progress and shipped (the last 12 months), public fields only."""
    tz = workspace.timezone(session)
    today = today or local_today(utcnow(), tz)
    asked = col(Idea.demand)  # how many people gave it, kept on the idea (db.counters)
    answer = (
        select(col(LoopItemIdea.idea_id), func.min(LoopItemIdea.loop_item_id).label("loop_item_id"))
        .group_by(col(LoopItemIdea.idea_id))
        .subquery()
    )

    def section(status: IdeaStatus) -> tuple[PublicIdea, ...]:
        statement = (
            select(
                col(Idea.title),
                col(Idea.category),
                asked,
                col(Idea.shipped_at),
                col(LoopItem.shipped_on),
                col(LoopItem.what_changed),
            )
            .outerjoin(answer, answer.c.idea_id == Idea.id)
            .outerjoin(LoopItem, col(LoopItem.id) == answer.c.loop_item_id)
            .where(col(Idea.status) == status, col(Idea.merged_into_id).is_(None))
        )
        if status == IdeaStatus.shipped:
            since = local_midnight(today - dt.timedelta(days=SHIPPED_DAYS), tz)
            statement = statement.where(or_(col(Idea.shipped_at).is_(None), col(Idea.shipped_at) >= since))
            statement = statement.order_by(col(Idea.shipped_at).desc(), col(Idea.title))
        else:
            statement = statement.order_by(asked.desc(), col(Idea.title))
        result = []
        for title, category, n, shipped_at, shipped_on, what_changed in session.execute(statement.limit(limit)).all():
            if status != IdeaStatus.shipped:
                result.append(PublicIdea(title, category, int(n)))
                continue
            if shipped_on is None and shipped_at is not None:
                shipped_on = shipped_at.astimezone(tz).date()
            result.append(PublicIdea(title, category, int(n), shipped_on, what_changed or ""))
        return tuple(result)

    return PublicBoard(section(IdeaStatus.planned), section(IdeaStatus.in_progress), section(IdeaStatus.shipped))


_CSS = """  # i18n: not text
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2430}
header{background:#1d2430;color:#fff;padding:2rem 1.5rem}header h1{margin:0 0 .3rem;font-size:1.8rem}
header p{margin:0;opacity:.85}main{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1.2rem;padding:1.5rem}
section h2{font-size:1.1rem;margin:0 0 .8rem}ul{list-style:none;margin:0;padding:0}
li{background:#fff;border-radius:.6rem;padding:.8rem 1rem;margin-bottom:.6rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.title{font-weight:600}.meta{font-size:.85rem;color:#5b6573;margin-top:.25rem}.done{margin-top:.35rem}
.empty{color:#5b6573;font-style:italic}footer{padding:0 1.5rem 2rem;color:#5b6573;font-size:.85rem}
"""


def _card(idea: PublicIdea) -> str:
    e = html.escape
    meta = [e(idea.category)] if idea.category else []
    meta.append(
        e(
            ngettext(
                "{number} person asked for this",
                "{number} people asked for this",
                idea.givers,
                number=formats.number(idea.givers),
            )
        )
    )
    if idea.shipped_on is not None:
        meta.append(e(_("shipped {day}", day=formats.date(idea.shipped_on))))
    done = f'<div class="done">{e(idea.what_changed)}</div>' if idea.what_changed else ""  # i18n: not text
    return f'<li><div class="title">{e(idea.title)}</div><div class="meta">{" · ".join(meta)}</div>{done}</li>'  # i18n: not text


def render_html(
    board: PublicBoard,
    *,
    workspace_name: str,
    generated_on: dt.date,
    language: str = i18n.SOURCE_LANGUAGE,
    templates: Mapping[str, str] = MappingProxyType({}),
) -> str:
    """The board as one static HTML page in ``language`` (``templates``: the wording in force);
    every text is escaped, nothing is loaded from elsewhere."""
    e = html.escape
    with i18n.using(language):
        sections = []
        for key, label in SECTIONS:
            entries: tuple[PublicIdea, ...] = getattr(board, key)
            if entries:
                cards = "\n".join(_card(i) for i in entries)
            else:
                nothing = e(_("Nothing here right now."))
                cards = f'<li class="empty">{nothing}</li>'  # i18n: not text
            heading = e(_("{section} ({count})", section=_(label), count=formats.number(len(entries))))
            sections.append(f'<section id="{key}"><h2>{heading}</h2><ul>\n{cards}\n</ul></section>')  # i18n: not text
        title = e(_("{workspace} · Idea board", workspace=workspace_name))
        heading = e(text_templates.fill(templates, "board_heading", workspace=workspace_name))
        intro = e(text_templates.fill(templates, "board_intro", workspace=workspace_name))
        footer = e(text_templates.fill(templates, "board_footer", date=formats.date(generated_on)))
    lang = language if language in i18n.LANGUAGES else i18n.SOURCE_LANGUAGE
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'  # i18n: not text
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{heading}</h1><p>{intro}</p></header>\n"
        "<main>\n" + "\n".join(sections) + "\n</main>\n"
        f"<footer>{footer}</footer>\n</body>\n</html>\n"
    )


def export_html(*, session: Session, actor: Actor, today: dt.date | None = None) -> str:
    """The public idea board as a self-contained HTML page, ready to upload anywhere; the download
    is audited."""
    require(actor, Action.view_loop)
    info = workspace.info(session)
    today = today or local_today(utcnow(), ZoneInfo(info.timezone))
    board = public_board(session, today=today)
    shown = sum(len(getattr(board, key)) for key, __ in SECTIONS)
    exports.record_export(
        session, actor=actor, what="public_board", file_format="html", rows=shown, details={"day": today.isoformat()}
    )
    return render_html(
        board,
        workspace_name=info.name,
        generated_on=today,
        language=info.language,
        templates=text_templates.wordings(session, language=info.language),
    )
