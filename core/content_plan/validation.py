"""What a post's fields may hold: raw values (a form, a CSV row, a template) read into the typed
inputs of ``db.models`` (``PostCreate``, ``PostUpdate``, ``PostMetrics``), and every field checked
and normalised before it is saved, each bad field named with what to fix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, TypeVar

import pydantic
from sqlmodel import Session, SQLModel

from core.content_plan.queries import METRIC_FIELDS, METRIC_LABELS
from core.content_plan.rules import FORMATS, is_web_link
from core.content_plan.templates import TEMPLATES
from core.errors import PermissionDenied, ValidationError
from core.i18n import N_, _
from core.permissions import Action, Actor, allowed
from core.text import check_plain_text
from db.models import (
    Channel,
    CognitiveLoad,
    NextStepType,
    Post,
    PostCreate,
    PostMetrics,
    PostUpdate,
    Rubric,
    User,
    max_length,
)

UTC = dt.UTC
_REFERENCES = ("channel_id", "rubric_id", "owner_id", "sla_owner_id")
_BOOL_FIELDS = ("tone_confirmed", "subtitles", "timecodes", "contrast_confirmed", "sponsored", "ad_label")
_MULTILINE = ("body", "next_step_text", "alt_text")  # inner line breaks are kept
_REQUIRED = {"title": N_("A post needs a title."), "channel_id": N_("Choose the channel the post goes to.")}
#: Each post field as a message names it.
FIELD_LABELS = {
    "title": N_("title"),
    "body": N_("body"),
    "channel_id": N_("channel"),
    "rubric_id": N_("rubric"),
    "template": N_("template"),
    "format": N_("format"),
    "cognitive_load": N_("cognitive load"),
    "owner_id": N_("owner"),
    "sla_owner_id": N_("SLA owner"),
    "scheduled_at": N_("scheduled time"),
    "next_step_type": N_("next step"),
    "next_step_text": N_("next step text"),
    "micro_goal": N_("micro goal"),
    "link_url": N_("link url"),
    "tone_confirmed": N_("tone confirmed"),
    "subtitles": N_("subtitles"),
    "timecodes": N_("timecodes"),
    "alt_text": N_("alt text"),
    "contrast_confirmed": N_("contrast confirmed"),
    "sponsored": N_("sponsored"),
    "partner": N_("partner"),
    "ad_label": N_("ad label"),
}


def field_label(name: str) -> str:
    """A post field's name in the current language, as a message names it."""
    return _(FIELD_LABELS[name]) if name in FIELD_LABELS else name.replace("_", " ")


def _required(name: str) -> str:
    return _(_REQUIRED[name])


def _metric_label(name: str) -> str:
    return _(METRIC_LABELS[name]) if name in METRIC_LABELS else name


_Input = TypeVar("_Input", bound=SQLModel)


class FieldProblems(ValidationError):
    """Several fields are wrong at once; ``problems`` maps field → message."""

    def __init__(self, problems: Mapping[str, str]):
        self.problems = dict(problems)
        super().__init__(" ".join(self.problems.values()))


def max_chars(name: str, model: type[SQLModel] = Post) -> int | None:
    """The longest text a field may hold, as ``db.models`` declares it (a post's, by default)."""
    try:
        return max_length(model, name)
    except LookupError:
        return None


# --- raw values → typed inputs ---------------------------------------------------------------


def post_create(values: Mapping[str, Any]) -> PostCreate:
    """A new post's typed input from raw values; unknown names and values of the wrong kind are
    refused with a message per field."""
    return _read(PostCreate, values, unknown=N_("These fields can't be set on a post: {fields}."))


def post_update(values: Mapping[str, Any]) -> PostUpdate:
    """A change to a post from raw values (only the names given change)."""
    return _read(PostUpdate, values, unknown=N_("These fields can't be set on a post: {fields}."))


def post_metrics(values: Mapping[str, Any]) -> PostMetrics:
    """A published post's figures from raw values (only the names given change)."""
    return _read(PostMetrics, values, unknown=N_("Unknown metrics: {fields}."))


def _read(model: type[_Input], values: Mapping[str, Any], *, unknown: str) -> _Input:
    extra = sorted(set(values) - set(model.model_fields))
    if extra:
        raise ValidationError(_(unknown, fields=", ".join(extra)))
    try:
        return model.model_validate(dict(values))
    except pydantic.ValidationError as error:
        problems: dict[str, str] = {}
        for item in error.errors():
            name = str(item["loc"][0]) if item["loc"] else ""
            problems.setdefault(name, _message(name, item))
        raise FieldProblems(problems) from None


def _message(name: str, item: Any) -> str:
    """A person's message for one of pydantic's complaints about field ``name``."""
    kind, value = item["type"], item.get("input")
    label = field_label(name)
    if kind == "missing":
        return _required(name) if name in _REQUIRED else _("The field “{field}” is missing.", field=label)
    if kind == "string_too_long":
        return _too_long(label, len(value), item["ctx"]["max_length"])
    if name in METRIC_FIELDS:
        return _not_whole(name, value)
    if name in _REFERENCES:
        return _not_a_choice(name, value)
    if name == "scheduled_at":
        return _("The scheduled time must be a date and time.")
    if name in _BOOL_FIELDS:
        return _("{value!r} is not yes or no.", value=value)
    return _("The field “{field}” must be text, not {value!r}.", field=label, value=value)


def _too_long(label: str, length: int, limit: int) -> str:
    return _(
        "The field “{field}” is {length} characters long; keep it to {limit}.", field=label, length=length, limit=limit
    )


def _not_whole(name: str, value: object) -> str:
    return _("{metric} must be a whole number, not {value!r}.", metric=_metric_label(name), value=value)


def _not_a_choice(name: str, value: object) -> str:
    return _("{value!r} is not a valid {field}.", value=value, field=field_label(name))


# --- checking and normalising ----------------------------------------------------------------


def clean_fields(session: Session, values: Mapping[str, Any], *, actor: Actor, current: Post | None) -> dict[str, Any]:
    """Check and normalise post fields (``values`` as a typed input dumps them); raises
    ``FieldProblems`` naming every bad field. ``current`` is the saved post when editing."""
    problems: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, value in values.items():
        try:
            clean[name] = _clean_one(session, name, value, actor=actor, current=current)
        except ValidationError as error:
            problems[name] = str(error)
    if problems:
        raise FieldProblems(problems)
    return clean


def clean_scheduled_at(value: object) -> dt.datetime | None:
    """A publication time as a UTC instant; times without a zone are refused."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise ValidationError(_("The scheduled time must be a date and time."))
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(_("The scheduled time has no time zone; give it in UTC or the workspace time zone."))
    return value.astimezone(UTC)


def clean_published_at(value: object, *, now: dt.datetime) -> dt.datetime:
    """When a post went out, as a UTC instant: ``now`` when not given; never ahead of ``now``."""
    if value is None:
        return now
    if not isinstance(value, dt.datetime):
        raise ValidationError(_("The publication time must be a date and time."))
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(_("The publication time has no time zone; give it in UTC or the workspace time zone."))
    if value > now:
        raise ValidationError(
            _(
                "The publication time is still ahead; mark the post as published once it is out, "
                "with the time it went out."
            )
        )
    return value.astimezone(UTC)


def _clean_one(session: Session, name: str, value: Any, *, actor: Actor, current: Post | None) -> Any:
    if name in _BOOL_FIELDS:
        return bool(value)
    if name == "scheduled_at":
        return clean_scheduled_at(value)
    if name in _REFERENCES:
        unchanged = current is not None and getattr(current, name) == value
        return _clean_reference(session, name, value, actor=actor, unchanged=unchanged)
    text = check_plain_text("" if value is None else str(value), field=field_label(name))
    text = text.strip("\n ") if name in _MULTILINE else text.strip()
    limit = max_chars(name)
    if limit and len(text) > limit:
        raise ValidationError(_too_long(field_label(name), len(text), limit))
    if name == "title" and not text:
        raise ValidationError(_required("title"))
    if name == "template" and text and text not in TEMPLATES:
        raise ValidationError(
            _("Unknown template {key!r}; choose one of: {choices}.", key=text, choices=", ".join(TEMPLATES))
        )
    if name == "format" and text not in FORMATS:
        raise ValidationError(
            _("Unknown format {value!r}; choose one of: {choices}.", value=text, choices=", ".join(FORMATS))
        )
    if name == "cognitive_load" and text not in tuple(CognitiveLoad):
        raise ValidationError(_("The cognitive load is 'low' or 'high'."))
    if name == "next_step_type" and text and text not in tuple(NextStepType):
        raise ValidationError(
            _("Unknown next step {value!r}; choose one of: {choices}.", value=text, choices=", ".join(NextStepType))
        )
    if name == "link_url" and text and not is_web_link(text):
        raise ValidationError(_("The link {link!r} is not a web address; it must start with https://.", link=text))
    return text


def _clean_reference(session: Session, name: str, value: Any, *, actor: Actor, unchanged: bool) -> int | None:
    if value in (None, ""):
        if name == "channel_id":
            raise ValidationError(_required("channel_id"))
        if name == "owner_id":
            return actor.id
        return None
    try:
        ident = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_not_a_choice(name, value)) from None
    if name == "channel_id":
        channel = session.get(Channel, ident)
        if channel is None or (not channel.active and not unchanged):
            raise ValidationError(_("That channel does not exist or is archived; choose another."))
    elif name == "rubric_id":
        rubric = session.get(Rubric, ident)
        if rubric is None or (not rubric.active and not unchanged):
            raise ValidationError(_("That rubric does not exist or is archived; choose another."))
    else:
        user = session.get(User, ident)
        if user is None or (not user.active and not unchanged):
            raise ValidationError(_("That person is not an active user; choose someone else."))
        if name == "owner_id" and ident != actor.id and not unchanged and not allowed(actor, Action.edit_any_post):
            raise PermissionDenied(_("You can only own your own posts; a lead can hand a post to someone else."))
    return ident


# --- metrics ---------------------------------------------------------------------------------


def clean_metric(name: str, value: str | float | None) -> int | None:
    """A figure as a whole, non-negative number (empty: None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value) if isinstance(value, str) else value
        if isinstance(number, float) and not number.is_integer():
            raise ValueError
        whole = int(number)
    except (TypeError, ValueError):
        raise ValidationError(_not_whole(name, value)) from None
    if whole < 0:
        raise ValidationError(_("{metric} can't be negative.", metric=_metric_label(name)))
    return whole


def check_metric_consistency(values: Mapping[str, int | None]) -> None:
    impressions, conversions = values.get("impressions"), values.get("next_step_conversions")
    if impressions is not None and conversions is not None and conversions > impressions:
        raise ValidationError(_("Next-step conversions can't exceed impressions; check both figures."))
