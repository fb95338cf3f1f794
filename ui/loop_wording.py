"""The lead's wording of the generated texts (the announcement, the thank-you replies, the monthly
update, the weekly digest, the public board): one text in one language at a time, its placeholders,
a preview with example values, save and back to the shipped wording (``core.text_templates``)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import i18n, text_templates
from core.i18n import _
from core.permissions import Action
from core.text import escape_markdown as esc
from core.text import plain_block, plain_text
from db.models import TextTemplateBase, max_length
from ui.actions import perform
from ui.frame import PageContext
from ui.reads import read

KEY = "loop_wording_key"
LANGUAGE = "loop_wording_language"


def wording_section(ctx: PageContext, today: dt.date) -> None:
    del today  # the wording does not depend on the day
    if not ctx.can(Action.manage_content_rules):
        return
    workspace_language = read(text_templates.workspace_wordings).language
    st.caption(
        _(
            "Generated texts are written in the workspace's language ({language}). Change their wording here; "
            "a text you leave alone keeps the shipped wording.",
            language=i18n.LANGUAGES.get(workspace_language, workspace_language),
        )
    )
    labels = {k: _(spec.label) for k, spec in text_templates.TEMPLATES.items()}  # in the reader's language, now
    pick, language_column = st.columns([3, 1])
    key = pick.selectbox(
        _("Text"), list(text_templates.TEMPLATES), format_func=lambda k: plain_text(labels[k]), key=KEY
    )
    languages = list(i18n.LANGUAGES)
    if st.session_state.get(LANGUAGE) not in languages:
        st.session_state[LANGUAGE] = workspace_language
    language = language_column.selectbox(_("Language"), languages, format_func=i18n.LANGUAGES.__getitem__, key=LANGUAGE)
    spec = text_templates.TEMPLATES[key]
    current = read(text_templates.wording, key=key, language=language)
    st.markdown(_(spec.description))
    st.caption(_("Your own wording.") if current.stored else _("The shipped wording."))
    st.dataframe(
        [{_("Placeholder"): "{" + p.name + "}", _("What it holds"): _(p.description)} for p in spec.placeholders],
        hide_index=True,
        width="stretch",
    )
    if spec.placeholders:
        optional = ", ".join("{" + p.name + "}" for p in spec.placeholders if p.optional)
        note = _("A brace itself is written twice: {open} and {close}.", open="{{", close="}}")
        if optional:
            note += " " + _("A line with an empty optional placeholder ({names}) is left out.", names=optional)
        st.caption(esc(note))
    # A new text area for each text, language and stored version: a save or reset shows the new wording.
    body = st.text_area(
        _("Wording"),
        value=current.body,
        height=220,
        max_chars=max_length(TextTemplateBase, "body"),
        key=f"loop_wording_body_{key}_{language}_{current.version}",
    )
    st.markdown("**" + _("Preview with example values") + "**")
    found = text_templates.problems(key, body)  # said in the reader's language
    if found:
        st.warning(esc(" ".join(found)))
    else:
        with i18n.using(language):  # the example values in the text's language
            shown = text_templates.preview(key, body)
        st.code(plain_block(shown), language=None, wrap_lines=True)
    save, back = st.columns(2)
    if save.button(_("Save the wording"), type="primary", key=f"loop_wording_save_{key}_{language}"):
        template_in = TextTemplateBase(key=key, language=language, body=body)
        perform(
            ctx,
            lambda s: text_templates.save(
                session=s, actor=ctx.actor, template_in=template_in, expected_version=current.version
            ),
            success=_("Saved the wording of “{text}”.", text=_(spec.label)),
        )
    if current.stored and back.button(_("Back to the shipped wording"), key=f"loop_wording_reset_{key}_{language}"):
        perform(
            ctx,
            lambda s: text_templates.reset(session=s, actor=ctx.actor, key=key, language=language),
            success=_("“{text}” has the shipped wording again.", text=_(spec.label)),
        )
