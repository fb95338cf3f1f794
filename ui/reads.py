"""The one way screens read: a core read model, cached until the data it looks at changes.

``read(reader, **kwargs)`` runs ``reader(session=…, **kwargs)`` through ``st.cache_data``. The key
is the reader's qualified name, its keyword arguments, the database and the change counters
(``core.changes``) of the domains the reader looks at. A save bumps only its own domain's counter,
in the database, so every app process — not just the one that saved — reads that domain afresh on
its next run, while the cached reads of other domains stay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from core import changes, i18n, workspace
from db.engine import read_session
from ui import state

T = TypeVar("T")

# The domains whose data each domain's read models look at, besides their own. Everything shows
# people's names and channels, so everything reads the workspace.
_ALSO_READS: dict[str, set[str]] = {
    "workspace": set(),
    "content_plan": {"workspace", "loop"},
    "ideas": {"workspace", "loop", "sla"},
    "sla": {"workspace"},
    "loop": {"workspace", "ideas", "content_plan", "sla"},
    "kpis": {"workspace", "content_plan", "ideas", "sla", "loop", "community"},
    "home": {"workspace", "content_plan", "ideas", "sla", "loop", "community"},
    # Members are built from the conversations and ideas; the rollout reads every domain.
    "community": {"workspace", "content_plan", "ideas", "sla", "loop"},
    # People (audited as "user", a workspace entity), their sessions and sign-in locks.
    "users": {"workspace"},
    # Exports only add audit rows; nothing reads them but the audit log.
    "exports": set(),
    # The inbox, comments and API keys (names of people and channels).
    "live": {"workspace"},
    # The audit log gains a row with every write of every domain.
    "audit": set(changes.DOMAINS),
}

# Single read models that look at another domain's data too (so the rest of their domain stays
# cached when that other domain changes).
_READER_ALSO_READS: dict[str, set[str]] = {
    # The calendar's lists count each post's conversations (the dialog it created).
    "core.content_plan.queries.calendar_entries": {"sla"},
    "core.content_plan.queries.list_posts": {"sla"},
    # A conversation's post is picked from the channel's published posts.
    "core.sla.watch.recent_posts": {"content_plan"},
}

# Shared modules of core that are not a domain package of their own: the home screen's counts
# read every domain.
_MODULE_DOMAINS = {
    "attention": "home",
}

_VERSIONS_KEY = "dd_data_versions"


def domain_of_reader(reader: Callable[..., Any]) -> str:
    """The domain a core read model belongs to, from its module (``core.<domain>…``)."""
    parts = reader.__module__.split(".")
    if parts[0] != "core" or len(parts) < 2:
        raise ValueError(f"{reader.__module__}.{reader.__qualname__} is not a core read model")  # i18n: not text
    return _MODULE_DOMAINS.get(parts[1], parts[1])


def domains_read_by(reader: Callable[..., Any]) -> tuple[str, ...]:
    domain = domain_of_reader(reader)
    extra = _READER_ALSO_READS.get(f"{reader.__module__}.{reader.__qualname__}", set())
    return tuple(sorted({domain} | _ALSO_READS.get(domain, set(changes.DOMAINS)) | extra))


def refresh_versions() -> dict[str, int]:
    """Read every domain's change counter once (the page frame does it at the start of each run,
    ``ui.actions.perform`` after each save)."""
    with read_session(state.engine()) as session:
        current = changes.versions(session)
    st.session_state[_VERSIONS_KEY] = current
    return current


def _versions() -> dict[str, int]:
    current = st.session_state.get(_VERSIONS_KEY)
    return current if current is not None else refresh_versions()


# Readers whose results hold no message: one entry whatever the reader's language.
_WITHOUT_MESSAGES = frozenset({"core.workspace.info", "core.workspace.state"})


def stamp(reader: Callable[..., Any]) -> tuple[tuple[str, int], ...]:
    """The change counters of the domains ``reader`` looks at, as this run knows them: equal
    stamps, same data."""
    current = _versions()
    return tuple((domain, current.get(domain, 0)) for domain in domains_read_by(reader))


def read(reader: Callable[..., T], /, **kwargs: Any) -> T:
    """``reader(session=…, **kwargs)``, from the cache while its domains are unchanged."""
    current = _versions()
    domains = domains_read_by(reader)
    stamp_now = tuple((domain, current.get(domain, 0)) for domain in domains)
    name = f"{reader.__module__}.{reader.__qualname__}"
    url = state.settings().database_url
    # The workspace row at this run's counter, read once (the frame reads it first): the core
    # readers take it from there instead of each reading the row (core.workspace.known).
    known = None
    if "workspace" in domains and name != "core.workspace.info":
        known = _cached(
            url, "core.workspace.info", (("workspace", current.get("workspace", 0)),), {}, "", _reader=workspace.info
        )
    # Readers may return messages (checklists, labels): each language has its own entry.
    language = "" if name in _WITHOUT_MESSAGES else i18n.current()
    return _cached(url, name, stamp_now, kwargs, language, _reader=reader, _workspace=known)


@st.cache_data(ttl=dt.timedelta(hours=1), max_entries=2_000, show_spinner=False)
def _cached(
    url: str,
    name: str,
    stamp: tuple,
    kwargs: dict[str, Any],
    language: str,
    *,
    _reader: Callable[..., T],
    _workspace: workspace.WorkspaceInfo | None = None,
) -> T:
    with read_session(state.engine()) as session:
        if _workspace is None:
            return _reader(session=session, **kwargs)
        with workspace.known(_workspace):
            return _reader(session=session, **kwargs)


def forget_everything() -> None:
    """Drop every cached read of this process (after the demo workspace was loaded)."""
    _cached.clear()
    st.session_state.pop(_VERSIONS_KEY, None)
