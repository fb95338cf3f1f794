"""Settings: the database URL and a cookie key with no usable default outside the demo."""

import pytest

from core.errors import ValidationError
from core.settings import PROJECT_ROOT, load_settings, require_cookie_key

GOOD_KEY = "k" * 40


def test_default_database_is_the_sqlite_file_under_data():
    assert load_settings({}).database_url == f"sqlite:///{PROJECT_ROOT / 'data' / 'dialogdesk.db'}"


def test_relative_sqlite_paths_are_taken_from_the_project():
    assert (
        load_settings({"DATABASE_URL": "sqlite:///data/x.db"}).database_url
        == f"sqlite:///{PROJECT_ROOT / 'data' / 'x.db'}"
    )


def test_postgres_urls_pass_through():
    url = "postgresql+psycopg://u:p@db:5432/dd"
    assert load_settings({"DATABASE_URL": url}).database_url == url


def test_a_real_workspace_needs_a_cookie_key():
    with pytest.raises(ValidationError, match="DIALOGDESK_COOKIE_KEY is not set"):
        require_cookie_key(load_settings({}), is_demo=False)


def test_short_cookie_keys_are_refused_even_in_the_demo():
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        require_cookie_key(load_settings({"DIALOGDESK_COOKIE_KEY": "short"}), is_demo=True)


def test_a_configured_key_is_used():
    assert require_cookie_key(load_settings({"DIALOGDESK_COOKIE_KEY": GOOD_KEY}), is_demo=False) == GOOD_KEY


def test_the_demo_generates_and_keeps_its_own_key(tmp_path, monkeypatch):
    from core import settings

    monkeypatch.setattr(settings, "DEMO_COOKIE_KEY_FILE", tmp_path / "demo-cookie-key")
    first = require_cookie_key(load_settings({}), is_demo=True)
    assert len(first.encode()) >= 32
    assert require_cookie_key(load_settings({}), is_demo=True) == first
    assert (tmp_path / "demo-cookie-key").stat().st_mode & 0o077 == 0
