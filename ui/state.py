"""Streamlit-side plumbing: settings with secrets mapped in, the cached engine, session helpers."""

from __future__ import annotations

import os

import streamlit as st
from sqlalchemy.engine import Engine

from core.settings import Settings, load_settings
from db.engine import make_engine
from db.migrate import is_at_head

_SECRET_NAMES = ("DATABASE_URL", "DIALOGDESK_COOKIE_KEY")


def settings() -> Settings:
    """Settings from the environment, with Streamlit secrets of the same names as fallback."""
    environ = dict(os.environ)
    for name in _SECRET_NAMES:
        if environ.get(name):
            continue
        try:
            value = st.secrets.get(name)
        except (FileNotFoundError, KeyError, AttributeError):
            value = None
        except Exception:  # a malformed secrets.toml must not take the app down
            value = None
        if value:
            environ[name] = str(value)
    return load_settings(environ)


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def engine() -> Engine:
    """One engine per process and database URL (shared by every session)."""
    return _engine_for(settings().database_url)


@st.cache_data(ttl=30, show_spinner=False)
def _schema_is_current(url: str) -> bool:
    return is_at_head(_engine_for(url))


def schema_is_current() -> bool:
    return _schema_is_current(settings().database_url)
