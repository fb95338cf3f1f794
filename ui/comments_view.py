"""Internal comments on a post, an idea or a conversation: the notes so far and a box to add one,
with mention suggestions (pick people; ``@username`` in the text works too)."""

from __future__ import annotations

import streamlit as st

from core import formats
from core.i18n import _
from core.live import comments
from core.permissions import Action
from core.text import escape_markdown, plain_block, plain_text
from db.models import CommentCreate
from ui import reads
from ui.actions import perform
from ui.frame import PageContext


def show_comments(ctx: PageContext, *, entity: str, entity_id: int) -> None:
    notes = reads.read(comments.comments_on, entity=entity, entity_id=entity_id)
    with st.expander(_("Comments, internal ({count})", count=formats.number(len(notes))), expanded=bool(notes)):
        for note in notes:
            when = formats.date_time(note.created_at.astimezone(ctx.timezone))
            st.markdown(f"**{escape_markdown(note.author)}** · {when}")
            st.text(plain_block(note.text))
        if not ctx.can(Action.comment):
            return
        people = [p for p in reads.read(comments.people_to_mention) if p.id != ctx.actor.id]
        by_id = {p.id: p for p in people}
        with st.form(f"comment_{entity}_{entity_id}", clear_on_submit=True):
            text = st.text_area(_("Comment (only the team sees it)"), key=f"comment_text_{entity}_{entity_id}")
            picked = st.multiselect(
                _("Mention"),
                list(by_id),
                format_func=lambda i: plain_text(f"{by_id[i].name} (@{by_id[i].username})"),
                key=f"comment_mention_{entity}_{entity_id}",
                help=_("They are told in their inbox. Typing @username in the comment works too."),
            )
            if st.form_submit_button(_("Add comment")):
                comment_in = CommentCreate(entity=entity, entity_id=entity_id, text=text)
                perform(
                    ctx,
                    lambda s: comments.add_comment(
                        session=s, actor=ctx.actor, comment_in=comment_in, also_mention=tuple(picked)
                    ),
                    success=_("Comment added."),
                )
