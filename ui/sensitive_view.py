"""A post's sensitive topic in the editor (disclaimer, help path, compliance review) and the
help-path library the team keeps. Reads through ``ui.reads.read``, writes through
``ui.actions.perform``."""

from __future__ import annotations

import streamlit as st

from core.community import queues
from core.content_plan import sensitive, status
from core.content_plan.queries import PostView
from core.i18n import _
from core.permissions import Action
from core.text import escape_markdown as esc
from core.text import plain_text
from db.models import HelpPathCreate, SensitiveTopicSave
from ui.actions import perform
from ui.calendar_view import labelled
from ui.frame import PAGES, PageContext
from ui.reads import read


def rules_in_force() -> None:
    """Beside the checklist's "rules checked": the community rules version in force, one click away."""
    versions = read(queues.rules_versions)
    if versions:
        moderation = PAGES["moderation"]
        st.page_link(
            moderation.path,
            label=_("Community rules in force: version {number}", number=esc(versions[0].number)),
            icon=":material/gavel:",
            help=_("Read them under Moderation → Community rules."),
        )


def post_panel(ctx: PageContext, view: PostView, *, editable: bool) -> None:
    """The sensitive-topic part of a saved post's editor."""
    found = read(sensitive.sensitivity, post_id=view.id)
    open_to_change = editable and view.status not in status.FINAL and view.status not in status.APPROVED
    if found is None and not open_to_change:
        return
    st.markdown(_("**Sensitive topic**"))
    if found is not None:
        review = (
            _("reviewed by {who}", who=esc(found.reviewed_by)) if found.reviewed_at else _("compliance review pending")
        )
        st.caption(
            _(
                "Marked as a sensitive topic · help path: {path} · {review}",
                path=esc(found.help_path) if found.help_path else _("— none yet —"),
                review=review,
            )
        )
        reviewable = ctx.can(Action.review_sensitive) and found.reviewed_at is None and view.status not in status.FINAL
        if reviewable and st.button(_("Review: disclaimer and help path are right"), key=f"sensitive_review_{view.id}"):
            perform(
                ctx,
                lambda s: sensitive.review_sensitive(session=s, actor=ctx.actor, post_id=view.id),
                success=_("Reviewed."),
            )
    if not open_to_change:
        return
    paths = {p.id: p for p in read(sensitive.help_paths)}
    with st.expander(_("Mark as a sensitive topic") if found is None else _("Change the disclaimer or the help path")):
        with st.form(f"sensitive_{view.id}"):
            disclaimer = st.text_area(_("Visible disclaimer"), value=found.disclaimer if found else "", max_chars=1000)
            current = next((i for i, p in paths.items() if found and p.title == found.help_path), None)
            options = [None, *paths]
            path = st.selectbox(
                _("Help path"),
                options,
                index=options.index(current),
                format_func=labelled(
                    {
                        None: _("— pick one —"),
                        **{i: plain_text(f"{p.title} — {p.when_to_use}") for i, p in paths.items()},
                    }
                ),
            )
            if not paths:
                st.caption(
                    _("The help-path library is empty: a lead or compliance adds help paths on the moderation screen.")
                )
            if st.form_submit_button(_("Save the sensitive topic")):
                topic = SensitiveTopicSave(disclaimer=disclaimer, help_path_id=path)
                perform(
                    ctx,
                    lambda s: sensitive.save_sensitive_topic(session=s, actor=ctx.actor, post_id=view.id, topic=topic),
                    success=_("Saved: compliance reviews it before approval."),
                )
        if found is not None and st.button(_("Not a sensitive topic after all"), key=f"sensitive_unmark_{view.id}"):
            perform(
                ctx,
                lambda s: sensitive.unmark_sensitive(session=s, actor=ctx.actor, post_id=view.id),
                success=_("Unmarked."),
            )


def library_tab(ctx: PageContext) -> None:
    paths = read(sensitive.help_paths)
    st.caption(_("Where posts on sensitive topics send people who need help, and when to use each."))
    if paths:
        st.dataframe(
            [{_("Help path"): p.title, _("Link"): p.url, _("When to use it"): p.when_to_use} for p in paths],
            hide_index=True,
            width="stretch",
        )
    else:
        st.info(_("The help-path library is empty."))
    if not ctx.can(Action.manage_help_paths):
        return
    with st.form("help_path_new", clear_on_submit=True):
        c = st.columns(3)
        title = c[0].text_input(_("Name"), max_chars=120)
        url = c[1].text_input(_("Link"), max_chars=1000, placeholder="https://")
        when = c[2].text_input(_("When to use it"), max_chars=1000)
        if st.form_submit_button(_("Add to the library")):
            entry = HelpPathCreate(title=title, url=url, when_to_use=when)
            perform(
                ctx,
                lambda s: sensitive.add_help_path(session=s, actor=ctx.actor, path=entry),
                success=_("Help path added."),
            )
    if paths:
        by_id = {p.id: p for p in paths}
        gone = st.selectbox(
            _("Archive a help path"),
            list(by_id),
            index=None,
            format_func=lambda i: plain_text(by_id[i].title),
            key="help_path_archive",
        )
        if gone is not None and st.button(_("Archive it"), key="help_path_archive_button"):
            perform(
                ctx,
                lambda s: sensitive.archive_help_path(session=s, actor=ctx.actor, help_path_id=gone),
                success=_("Archived."),
            )
