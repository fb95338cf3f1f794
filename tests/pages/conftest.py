"""Page tests run the real page scripts in AppTest against the per-test database."""

import pytest
import streamlit as st

from tests.conftest import TEST_COOKIE_KEY


@pytest.fixture(autouse=True)
def app_environment(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DIALOGDESK_COOKIE_KEY", TEST_COOKIE_KEY)
    st.cache_data.clear()
    yield
    st.cache_data.clear()
