"""Page tests run the real page scripts in AppTest against the per-test database."""

import pytest
import streamlit as st
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import app_test

from tests.conftest import TEST_COOKIE_KEY


@pytest.fixture(autouse=True)
def app_environment(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DIALOGDESK_COOKIE_KEY", TEST_COOKIE_KEY)
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture
def downloads(monkeypatch) -> list[MemoryMediaFileStorage]:
    """The media stores AppTest creates per run, so a test can read what a download button serves
    (``tests.pages.apptest.downloaded``)."""
    stores: list[MemoryMediaFileStorage] = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            stores.append(self)

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Recording)
    return stores
