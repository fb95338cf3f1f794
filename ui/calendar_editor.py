"""The post editor of the calendar screen: a form with a template picker, the checklist and the
guards computed live from the form values beside it, the status actions the role allows, the
compliance block, metrics after publishing and the post's history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import streamlit as st
from sqlmodel import Session

from core import formats, i18n, workspace
from core.content_plan import posts, queries, readiness, status, templates, validation
from core.content_plan.posts import TransitionResult
from core.content_plan.queries import EDITABLE_FIELDS, METRIC_FIELDS, METRIC_LABELS, CalendarOptions, PostView
from core.content_plan.rules import FORMATS, NEXT_STEP_LABELS, build_utm_url, format_label
from core.errors import DomainError, ValidationError
from core.i18n import N_, _
from core.local_time import local_instant
from core.permissions import Action
from core.text import plain_text
from db.models import CognitiveLoad, PostCreate, PostStatus
from db.types import utcnow
from ui import comments_view, post_dialog, reads, sensitive_view
from ui.actions import perform
from ui.calendar_view import (
    GOTO_KEY,
    POST_KEY,
    labelled,
    labelled_md,
    md,
    md_lines,
    open_post,
    rubric_label,
    status_label,
)
from ui.containers import keep_widget_state
from ui.frame import PageContext
from ui.messages import flash, show_error

PREFIX = "calendar_e_"
LOADED_KEY = PREFIX + "loaded"
DATE_KEY, TIME_KEY = PREFIX + "date", PREFIX + "time"
TEMPLATE_KEY = PREFIX + "template_pick"
UTM_ERROR_KEY = PREFIX + "utm_error"
DEFAULT_TIME = dt.time(10, 0)
OK_MARK, MISSING_MARK = ":green[:material/check_circle:]", ":red[:material/cancel:]"
_STEP_LABELS = {"": N_("— choose a next step —"), **NEXT_STEP_LABELS}
LOAD_LABELS = {CognitiveLoad.high: N_("High"), CognitiveLoad.low: N_("Low")}
_DATE_INPUT_FORMATS = {"en": "YYYY-MM-DD", "de": "DD.MM.YYYY"}


def _date_input_format() -> str:
    return _DATE_INPUT_FORMATS.get(i18n.current(), _DATE_INPUT_FORMATS["en"])


def key(name: str) -> str:
    return PREFIX + name


#: The form's widgets: their values (unsaved edits) must survive a look at another tab.
FORM_KEYS = (
    *(key(name) for name in EDITABLE_FIELDS if name != "scheduled_at"),
    DATE_KEY,
    TIME_KEY,
    TEMPLATE_KEY,
    key("block_reason"),
    key("utm_source"),
    key("utm_medium"),
    key("utm_campaign"),
    key("utm_content"),
)


def keep_state() -> None:
    keep_widget_state(FORM_KEYS)


# --- loading values into the widgets ---------------------------------------------------------


def _load(ctx: PageContext, view: PostView | None, options: CalendarOptions) -> None:
    """Put a post's saved values (or a new post's defaults) into the widgets' state."""
    if view is None:
        # The model's defaults, the first channel, and the author as the owner.
        blank = PostCreate.model_construct(title="", channel_id=options.channels[0].id, owner_id=ctx.actor.id)
        values: dict[str, Any] = blank.model_dump()
        st.session_state[TEMPLATE_KEY] = ""
    else:
        values = view.editable_fields()
    at = values.pop("scheduled_at")
    for name, value in values.items():
        st.session_state[key(name)] = value
    st.session_state[DATE_KEY] = at.astimezone(ctx.timezone).date() if at else None
    st.session_state[TIME_KEY] = (
        at.astimezone(ctx.timezone).time().replace(second=0, microsecond=0) if at else DEFAULT_TIME
    )
    st.session_state[UTM_ERROR_KEY] = ""
    st.session_state[LOADED_KEY] = (view.id, view.version) if view else (None, None)


def _apply_template(rubric_ids: dict[str, int], language: str) -> None:
    """Pre-fill the form from the chosen template, its texts in the workspace's ``language`` (the
    language the post is published in), whatever the reader's is."""
    template = st.session_state.get(TEMPLATE_KEY)
    if not template:
        return
    for name, value in templates.template_defaults(template, language=language).items():
        st.session_state[key(name)] = value
    rubric = rubric_ids.get(templates.TEMPLATES[template].rubric)
    if rubric is not None:
        st.session_state[key("rubric_id")] = rubric


def _tag_link(platforms: dict[int, str]) -> None:
    s = st.session_state
    try:
        tagged = build_utm_url(
            s[key("link_url")],
            source=s[key("utm_source")] or platforms.get(s[key("channel_id")], ""),
            medium=s[key("utm_medium")],
            campaign=s[key("utm_campaign")],
            content=s[key("utm_content")],
        )
        limit = validation.max_chars("link_url")
        if limit is not None and len(tagged) > limit:
            raise ValidationError(
                _("The tagged link is {length} characters long; keep it to {limit}.", length=len(tagged), limit=limit)
            )
        s[key("link_url")] = tagged
        s[UTM_ERROR_KEY] = ""
    except DomainError as error:
        s[UTM_ERROR_KEY] = str(error)


def _reload() -> None:
    st.session_state.pop(LOADED_KEY, None)


# --- the form --------------------------------------------------------------------------------


def _form(
    ctx: PageContext, options: CalendarOptions, view: PostView | None, disabled: bool
) -> tuple[dict[str, Any], str | None]:
    """Draw the form; returns its values (``db.models.PostBase`` names) and why its date and time
    can't be saved, if they can't."""
    channels = {c.id: c for c in options.channels}
    if view is not None and view.channel_id not in channels:
        channels[view.channel_id] = None  # an archived channel stays visible on its posts
    rubrics = {r.id: r.name for r in options.rubrics if r.active or (view and r.id == view.rubric_id)}
    people = {p.id: p.label for p in options.people}
    for pid, name in ((view.owner_id, view.owner_name), (view.sla_owner_id, view.sla_owner_name)) if view else ():
        if pid is not None:
            people.setdefault(pid, name)
    if view is None:
        st.selectbox(
            _("Start from a template"),
            ["", *templates.TEMPLATES],
            key=TEMPLATE_KEY,
            format_func=labelled({"": _("— blank post —"), **{k: _(t.label) for k, t in templates.TEMPLATES.items()}}),
            on_change=_apply_template,
            args=({r.name: r.id for r in options.rubrics}, reads.read(workspace.info).language),
            help=_("Pre-fills format, structure, next step and call to action."),
        )
        if st.session_state.get(TEMPLATE_KEY):
            chosen = st.session_state[TEMPLATE_KEY]
            st.caption(
                _(
                    "{summary} Rubric: {rubric}.",
                    summary=_(templates.TEMPLATES[chosen].summary),
                    rubric=md(rubric_label(templates.TEMPLATES[chosen].rubric)),
                )
            )
    st.text_input(_("Title"), key=key("title"), disabled=disabled, max_chars=_limit("title"))
    c1, c2, c3 = st.columns(3)
    c1.selectbox(
        _("Channel"),
        list(channels),
        key=key("channel_id"),
        disabled=disabled,
        format_func=labelled(
            {i: plain_text(c.name if c else _("archived channel #{id}", id=i)) for i, c in channels.items()}
        ),
    )
    c2.selectbox(
        _("Rubric"),
        [None, *rubrics],
        key=key("rubric_id"),
        disabled=disabled,
        placeholder=_("— none —"),
        format_func=labelled({None: _("— none —"), **{i: plain_text(rubric_label(n)) for i, n in rubrics.items()}}),
    )
    c3.selectbox(
        _("Owner"),
        list(people),
        key=key("owner_id"),
        disabled=disabled or not ctx.can(Action.edit_any_post),
        format_func=lambda value: plain_text(people.get(value)),
    )
    c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
    c1.selectbox(
        _("Format"),
        list(FORMATS),
        key=key("format"),
        disabled=disabled,
        format_func=labelled({code: format_label(code) for code in FORMATS}),
    )
    c2.segmented_control(
        _("Cognitive load"),
        list(CognitiveLoad),
        key=key("cognitive_load"),
        disabled=disabled,
        required=True,
        format_func=labelled_md({code: _(label) for code, label in LOAD_LABELS.items()}),
    )
    c3.date_input(
        _("Date"),
        key=DATE_KEY,
        disabled=disabled,
        format=_date_input_format(),
        help=_("In {zone} time. Leave empty while the date is open.", zone=ctx.timezone.key),
    )
    c4.time_input(_("Time"), key=TIME_KEY, disabled=disabled, step=300)
    st.text_area(_("Text"), key=key("body"), height=150, disabled=disabled, max_chars=_limit("body"))

    st.markdown(_("**Next step** — what should people do after reading?"))
    c1, c2 = st.columns([1, 2])
    c1.selectbox(
        _("Next step"),
        list(_STEP_LABELS),
        key=key("next_step_type"),
        format_func=labelled({code: _(label) for code, label in _STEP_LABELS.items()}),
        disabled=disabled,
    )
    c2.text_input(
        _("Micro-interaction goal (measurable)"),
        key=key("micro_goal"),
        disabled=disabled,
        max_chars=_limit("micro_goal"),
        placeholder=_("e.g. 30 comments with topic ideas"),
    )
    st.text_area(
        _("Next step text"),
        key=key("next_step_text"),
        height=68,
        disabled=disabled,
        max_chars=_limit("next_step_text"),
        placeholder=_("e.g. Which myth should we take apart next?"),
    )
    st.text_input(
        _("Link (guide, FAQ, form…)"),
        key=key("link_url"),
        disabled=disabled,
        max_chars=_limit("link_url"),
        placeholder="https://…",
    )
    with st.expander(_("UTM builder")):
        platforms = {cid: c.platform or c.name for cid, c in channels.items() if c}
        # Two a row: in the editor's column four fields side by side would break "Campaign".
        u1, u2 = st.columns(2)
        st.session_state.setdefault(key("utm_medium"), "social")
        u1.text_input(_("Source"), key=key("utm_source"), placeholder=_("the channel's platform"))
        u2.text_input(_("Medium"), key=key("utm_medium"))
        u1.text_input(_("Campaign"), key=key("utm_campaign"), placeholder=_("e.g. spring_faq"))
        u2.text_input(_("Content"), key=key("utm_content"), placeholder=_("e.g. carousel_1"))
        st.button(
            _("Add UTM tags to the link"),
            key=key("utm_apply"),
            on_click=_tag_link,
            args=(platforms,),
            disabled=disabled,
        )
        if st.session_state.get(UTM_ERROR_KEY):
            show_error(st.session_state[UTM_ERROR_KEY])

    st.markdown(_("**Before publishing**"))
    st.selectbox(
        _("SLA owner (answers the comments)"),
        [None, *people],
        key=key("sla_owner_id"),
        disabled=disabled,
        placeholder=_("— nobody yet —"),
        format_func=labelled({None: _("— nobody yet —"), **{i: plain_text(n) for i, n in people.items()}}),
    )
    st.checkbox(
        _("Tone and rules checked"),
        key=key("tone_confirmed"),
        disabled=disabled,
        help=_(
            "The text follows the community rules and the tone of voice: calm competence, respect, reasons explained."
        ),
    )
    sensitive_view.rules_in_force()
    # The checks two a row: three side by side in the editor's column cut their labels.
    c1, c2 = st.columns(2)
    c1.checkbox(_("Subtitles"), key=key("subtitles"), disabled=disabled)
    c1.checkbox(_("Timecodes"), key=key("timecodes"), disabled=disabled)
    c1.checkbox(_("Contrast checked"), key=key("contrast_confirmed"), disabled=disabled)
    c1.text_input(_("Alt text"), key=key("alt_text"), disabled=disabled, max_chars=_limit("alt_text"))
    c2.checkbox(_("Sponsored"), key=key("sponsored"), disabled=disabled)
    c2.text_input(_("Partner"), key=key("partner"), disabled=disabled, max_chars=_limit("partner"))
    c2.checkbox(
        _("Marked as an ad"),
        key=key("ad_label"),
        disabled=disabled,
        help=_("The post is visibly marked as advertising or partnership."),
    )

    values = {name: st.session_state[key(name)] for name in EDITABLE_FIELDS if name != "scheduled_at"}
    values["template"] = values.get("template") or ""
    time_problem = None
    day = st.session_state[DATE_KEY]
    try:
        values["scheduled_at"] = (
            local_instant(day, st.session_state[TIME_KEY] or DEFAULT_TIME, ctx.timezone) if day else None
        )
    except DomainError as error:
        values["scheduled_at"], time_problem = None, str(error)
    return values, time_problem


def _limit(name: str) -> int | None:
    return validation.max_chars(name)


# --- the live check beside the form ----------------------------------------------------------


def _check_panel(ctx: PageContext, values: dict[str, Any], post_id: int | None, time_problem: str | None) -> None:
    """The checklist and guards for the form as it is now. It concludes only for a post with a
    step ahead (approval, the schedule) and only when nothing is flagged beside it."""
    st.markdown(_("#### Pre-publication checklist"))
    try:
        draft = validation.post_create(values)
    except DomainError as error:
        show_error(error)
        return
    stored = reads.read(readiness.stored_checks, draft=draft, post_id=post_id)
    check = readiness.with_timing(stored, draft, now=utcnow())
    for item in check.checklist:
        st.markdown(f"{OK_MARK if item.ok else MISSING_MARK} **{md(item.label)}**  \n:small[{md(item.detail)}]")
    if time_problem:
        st.error(md(time_problem))
    extra = [p for p in check.problems if not any(p.startswith(i.label) for i in check.checklist)]
    for problem in extra:
        st.error(md_lines(problem))
    for warning in check.warnings:
        st.warning(md_lines(warning))
    if check.conclusion and not time_problem:
        st.success(md(check.conclusion))


# --- actions ---------------------------------------------------------------------------------


def _show_saved(ctx: PageContext) -> Callable[[PostView | TransitionResult], None]:
    """After a save: open the saved post with its saved values, pass on the core's warnings, and
    move the calendar to its day when it is on the plan."""

    def show(outcome: PostView | TransitionResult) -> None:
        post = outcome.post if isinstance(outcome, TransitionResult) else outcome
        for warning in outcome.warnings if isinstance(outcome, TransitionResult) else ():
            flash(md_lines(warning), "warning")
        st.session_state[POST_KEY] = post.id
        st.session_state.pop(LOADED_KEY, None)  # show the saved values
        if post.scheduled_at is not None and post.status in status.ON_THE_PLAN:
            st.session_state[GOTO_KEY] = post.scheduled_at.astimezone(ctx.timezone).date()

    return show


def _saveable(values: dict[str, Any], time_problem: str | None) -> dict[str, Any]:
    """The form's values, unless one of them can't be saved (a wall time the clock change skips)."""
    if time_problem:
        raise ValidationError(_("Nothing was saved: {problem}", problem=time_problem))
    return values


def _loaded_version() -> int:
    """The version the user opened: every action checks against it, so a newer save by someone
    else is refused instead of overwritten."""
    return st.session_state[LOADED_KEY][1]


def _new_post_actions(ctx: PageContext, values: dict[str, Any], time_problem: str | None) -> None:
    def create(s: Session) -> PostView:
        post_in = validation.post_create(_saveable(values, time_problem))
        return posts.create_post(session=s, actor=ctx.actor, post_in=post_in)

    def create_and_schedule(s: Session) -> TransitionResult:
        view = create(s)
        return posts.advance_post(
            session=s, actor=ctx.actor, post_id=view.id, expected_version=view.version, target=PostStatus.scheduled
        )

    def create_and_submit(s: Session) -> TransitionResult:
        view = create(s)
        return posts.submit_post(session=s, actor=ctx.actor, post_id=view.id, expected_version=view.version)

    row = st.container(horizontal=True, gap="small")  # wraps on a narrow screen; no label is cut
    if row.button(_("Save draft"), type="primary", key=key("create")):
        perform(ctx, create, success=_("Draft saved."), then=_show_saved(ctx))
    if ctx.can(Action.approve_post):
        if row.button(_("Save, approve and schedule"), key=key("create_schedule")):
            perform(ctx, create_and_schedule, success=_("Post saved and scheduled."), then=_show_saved(ctx))
    elif row.button(_("Save and submit for review"), key=key("create_submit")):
        perform(ctx, create_and_submit, success=_("Post saved and submitted for review."), then=_show_saved(ctx))


def _post_actions(
    ctx: PageContext, view: PostView, values: dict[str, Any], editable: bool, time_problem: str | None
) -> None:
    def save_then(step: Callable[[Session, int], PostView | TransitionResult]) -> Callable[[Session], Any]:
        """Save the form's changes first (when the user may edit), then take ``step``."""

        def action(s: Session) -> PostView | TransitionResult:
            version = _loaded_version()
            if editable:
                post_in = validation.post_update(_saveable(values, time_problem))
                saved = posts.update_post(
                    session=s, actor=ctx.actor, post_id=view.id, expected_version=version, post_in=post_in
                )
                version = saved.version
            return step(s, version)

        return action

    targets = status.allowed_transitions(ctx.actor, view)
    went_out = _went_out(ctx, view) if PostStatus.published in targets else None
    buttons: list[tuple[str, str, Callable[[Session, int], PostView | TransitionResult]]] = []
    if editable:
        buttons.append((_("Save changes"), _("Changes saved."), lambda s, v: queries.get_post(s, view.id)))
    if status.may_fast_track(ctx.actor, view):
        buttons.append(
            (
                _("Approve and schedule"),
                _("Approved and scheduled."),
                lambda s, v: posts.advance_post(
                    session=s, actor=ctx.actor, post_id=view.id, expected_version=v, target=PostStatus.scheduled
                ),
            )
        )
    for target in targets:
        if target == PostStatus.cancelled:
            continue
        label = status.button_label(ctx.actor, view.status, target)
        buttons.append(
            (
                label,
                _("{action}: done.", action=label),
                lambda s, v, t=target: posts.change_status(
                    session=s,
                    actor=ctx.actor,
                    post_id=view.id,
                    expected_version=v,
                    target=t,
                    published_at=went_out() if t == PostStatus.published else None,
                ),
            )
        )
    # One row that wraps on a narrow screen: each button as wide as its label, none cut.
    row = st.container(horizontal=True, gap="small")
    for index, (label, success, step) in enumerate(buttons):
        if row.button(label, key=key(f"act_{index}"), type="primary" if index == 0 else "secondary"):
            perform(ctx, save_then(step), success=success, then=_show_saved(ctx))
    cancel = status.button_label(ctx.actor, view.status, PostStatus.cancelled)
    if PostStatus.cancelled in targets and row.button(cancel, key=key("cancel")):
        perform(
            ctx,
            lambda s: posts.cancel_post(
                session=s, actor=ctx.actor, post_id=view.id, expected_version=_loaded_version()
            ),
            success=_("Post cancelled."),
            then=_show_saved(ctx),
        )


def _went_out(ctx: PageContext, view: PostView) -> Callable[[], dt.datetime]:
    """The date and time a scheduled post went out, as the person marking it published says.
    Proposed: the planned time once it has passed, else now. The planned time itself stays."""
    now = utcnow()
    proposed = min(view.scheduled_at or now, now).astimezone(ctx.timezone)
    day_col, time_col, note_col = st.columns([2, 2, 3], vertical_alignment="bottom")
    stamp = f"{view.id}_{view.version}"
    day = day_col.date_input(
        _("Went out on"),
        value=proposed.date(),
        max_value=now.astimezone(ctx.timezone).date(),
        format=_date_input_format(),
        key=key(f"out_day_{stamp}"),
    )
    clock = time_col.time_input(
        _("at"), value=proposed.time().replace(second=0, microsecond=0), step=60, key=key(f"out_time_{stamp}")
    )
    note_col.caption(
        _(
            "For *{action}*, in {zone} time. The planned time stays as it is.",
            action=status.button_label(ctx.actor, PostStatus.scheduled, PostStatus.published),
            zone=ctx.timezone.key,
        )
    )
    return lambda: local_instant(day, clock, ctx.timezone)


def _compliance(ctx: PageContext, view: PostView) -> None:
    if not ctx.can(Action.block_post) or view.status in status.FINAL:
        return
    st.markdown(_("**Compliance review**"))
    if view.blocked:
        if st.button(_("Lift the block"), key=key("unblock")):
            perform(
                ctx,
                lambda s: posts.lift_block(
                    session=s, actor=ctx.actor, post_id=view.id, expected_version=_loaded_version()
                ),
                success=_("Block lifted."),
                then=_show_saved(ctx),
            )
        return
    reason = st.text_input(
        _("Reason for blocking"), key=key("block_reason"), placeholder=_("e.g. the partnership needs an ad label")
    )
    if st.button(_("Block this post"), key=key("block")):
        perform(
            ctx,
            lambda s: posts.block_post(
                session=s, actor=ctx.actor, post_id=view.id, expected_version=_loaded_version(), reason=reason
            ),
            success=_("Post blocked."),
            then=_show_saved(ctx),
        )


def _metrics(ctx: PageContext, view: PostView) -> None:
    st.markdown(_("#### Metrics after publishing"))
    rate = view.conversion_rate
    st.metric(
        _("Next-step conversion"),
        formats.percent(None if rate is None else 100 * rate, 2),
        help=_("Next-step conversions ÷ impressions"),
    )
    if not ctx.can(Action.enter_post_metrics):
        # One row per figure: the checklist column is narrow, seven columns side by side are not.
        st.dataframe(
            [{_("Figure"): _(METRIC_LABELS[k]), _("Value"): formats.number(v)} for k, v in view.metrics().items()],
            hide_index=True,
            placeholder="—",
            width="stretch",
        )
        return
    with st.form(key("metrics_form")):
        cols = st.columns(2)  # two a row in the narrow column: labels like "Impressions" stay whole
        values = {
            name: cols[i % 2].number_input(
                _(METRIC_LABELS[name]),
                min_value=0,
                step=1,
                value=getattr(view, name),
                key=key(f"m_{name}_{view.version}"),
            )
            for i, name in enumerate(METRIC_FIELDS)
        }
        if st.form_submit_button(_("Save metrics"), type="primary"):
            perform(
                ctx,
                lambda s: posts.record_metrics(
                    session=s,
                    actor=ctx.actor,
                    post_id=view.id,
                    expected_version=_loaded_version(),
                    metrics_in=validation.post_metrics(values),
                ),
                success=_("Metrics saved."),
                then=_show_saved(ctx),
            )


def _when(ctx: PageContext, view: PostView) -> str:
    """The post's planned time and, once it is out, when it went out."""
    if view.scheduled_at is None:
        return _("no date yet")
    planned = formats.date_time(view.scheduled_at.astimezone(ctx.timezone))
    if view.status != PostStatus.published or view.published_at is None:
        return _("scheduled {when}", when=planned)
    went_out = formats.date_time(view.published_at.astimezone(ctx.timezone))
    return _("planned {planned} · went out {went_out}", planned=planned, went_out=went_out)


# What each step of a post's history did (the audit action, without "post.", "_" as a space).
HISTORY_LABELS = {
    "create": N_("created"),
    "update": N_("changed"),
    "import": N_("imported"),
    "submit": N_("submitted for review"),
    "approve": N_("approved"),
    "send back": N_("sent back to draft"),
    "schedule": N_("scheduled"),
    "unschedule": N_("taken off the schedule"),
    "publish": N_("marked as published"),
    "cancelled": N_("cancelled"),
    "block": N_("blocked by compliance"),
    "unblock": N_("block lifted"),
    "metrics": N_("metrics entered"),
    "metrics import": N_("metrics imported"),
    "published url": N_("link on the platform saved"),
    "sensitive": N_("sensitive topic changed"),
    "mark sensitive": N_("marked as a sensitive topic"),
    "review sensitive": N_("sensitive topic reviewed"),
    "unmark sensitive": N_("no longer a sensitive topic"),
}


def _history_rows(ctx: PageContext, history: list[queries.HistoryRow]) -> list[dict[str, str]]:
    return [
        {
            _("When"): row.at,
            _("Who"): row.who,
            _("What"): _(HISTORY_LABELS[row.what]) if row.what in HISTORY_LABELS else row.what,
        }
        for row in history
    ]


def editor_tab(ctx: PageContext, options: CalendarOptions) -> None:
    post_id = st.session_state.get(POST_KEY)
    view = None
    if post_id is not None:
        try:
            view = reads.read(queries.get_post, post_id=post_id)
        except DomainError as error:
            show_error(error)
            st.session_state[POST_KEY] = None
            return
    if view is None and not ctx.can(Action.draft_post):
        st.info(_("Open a post from the calendar or the list to see it here."), icon=":material/article:")
        return
    loaded = st.session_state.get(LOADED_KEY)
    if loaded is None or loaded[0] != (view.id if view else None):
        _load(ctx, view, options)
    elif view is not None and loaded[1] != view.version:
        st.warning(
            _(
                "Someone changed this post after you opened it (you have version {yours}, the saved one is "
                "{saved}). Your changes would not be saved over theirs: reload to see the newer version.",
                yours=loaded[1],
                saved=view.version,
            )
        )

    head, new = st.columns([4, 1], vertical_alignment="center")
    if view is None:
        head.subheader(_("New post"))
    else:
        head.subheader(_("Post #{id} · {status}", id=view.id, status=status_label(view.status)))
        new.button(
            _("New post"), icon=":material/add:", key=key("new"), on_click=open_post, args=(None,), width="stretch"
        )
        head.caption(
            _(
                "Owner {owner} · version {version} · {when}",
                owner=md(view.owner_name or "—"),
                version=view.version,
                when=_when(ctx, view),
            )
        )
        if view.blocked:
            st.error(
                _(
                    "Blocked by compliance ({who}, {when}): {reason}",
                    who=md(view.blocked_by_name),
                    when=formats.date_time(view.blocked_at.astimezone(ctx.timezone)) if view.blocked_at else "",
                    reason=md(view.blocked_reason),
                )
            )
    editable = view is None or status.editable_by(ctx.actor, view)
    form_col, check_col = st.columns([3, 2], gap="large")
    with form_col:
        if view is not None and not editable:
            st.caption(
                _("Read-only for you: published and cancelled posts stay as they went out.")
                if view.status in status.FINAL
                else _("Read-only for you: ask the owner or a lead to change it.")
            )
        values, time_problem = _form(ctx, options, view, disabled=not editable)
        if view is None:
            _new_post_actions(ctx, values, time_problem)
        else:
            _post_actions(ctx, view, values, editable, time_problem)
            st.button(
                _("Reload the saved version"),
                icon=":material/refresh:",
                key=key("reload"),
                on_click=_reload,
                type="tertiary",
            )
            _compliance(ctx, view)
            sensitive_view.post_panel(ctx, view, editable=editable)
    with check_col:
        _check_panel(ctx, values, view.id if view else None, time_problem)
        if view is not None and view.status == PostStatus.published:
            _metrics(ctx, view)
            post_dialog.render(ctx, view, loaded_version=_loaded_version(), on_saved=_show_saved(ctx))
    if view is not None:
        with st.expander(_("History")):
            history = reads.read(queries.post_history, post_id=view.id)
            st.dataframe(_history_rows(ctx, history), hide_index=True, placeholder="—", width="stretch")
        comments_view.show_comments(ctx, entity="post", entity_id=view.id)
