"""Settings: the database URL, a cookie key with no usable default outside the demo, and the
sign-in and session limits, each documented in the README."""

import datetime as dt
import re

import pytest

from core.errors import ValidationError
from core.settings import PROJECT_ROOT, SignInLimits, load_settings, require_cookie_key

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


def test_sign_in_and_session_limits_have_defaults():
    settings = load_settings({})
    assert settings.sign_in == SignInLimits(
        per_username=5, per_address=20, per_minute=60, window=dt.timedelta(minutes=15)
    )
    assert settings.sessions.idle == dt.timedelta(hours=24)
    assert settings.sessions.absolute == dt.timedelta(days=7)
    assert settings.client_address_header is None


def test_sign_in_and_session_limits_come_from_the_environment():
    settings = load_settings(
        {
            "DIALOGDESK_SESSION_IDLE_MINUTES": "30",
            "DIALOGDESK_SESSION_MAX_HOURS": "12",
            "DIALOGDESK_MAX_FAILED_SIGN_INS": "3",
            "DIALOGDESK_MAX_FAILED_SIGN_INS_PER_ADDRESS": "9",
            "DIALOGDESK_MAX_FAILED_SIGN_INS_PER_MINUTE": "40",
            "DIALOGDESK_SIGN_IN_WINDOW_MINUTES": "10",
            "DIALOGDESK_CLIENT_ADDRESS_HEADER": " X-Forwarded-For ",
        }
    )
    assert settings.sessions.idle == dt.timedelta(minutes=30)
    assert settings.sessions.absolute == dt.timedelta(hours=12)
    assert settings.sign_in == SignInLimits(
        per_username=3, per_address=9, per_minute=40, window=dt.timedelta(minutes=10)
    )
    assert settings.client_address_header == "X-Forwarded-For"


@pytest.mark.parametrize("value", ["0", "-5", "ten", "1.5"])
def test_a_limit_that_is_not_a_whole_number_above_zero_is_refused_with_its_name(value):
    with pytest.raises(
        ValidationError, match=f"DIALOGDESK_SESSION_IDLE_MINUTES must be a whole number above 0, not '{value}'"
    ):
        load_settings({"DIALOGDESK_SESSION_IDLE_MINUTES": value})


def test_the_readme_documents_every_setting_read_from_the_environment():
    source = (PROJECT_ROOT / "core" / "settings.py").read_text()
    readme = (PROJECT_ROOT / "README.md").read_text()
    names = set(re.findall(r'"((?:DIALOGDESK_|DATABASE_)[A-Z_]+)"', source))
    assert len(names) >= 9
    assert not [name for name in sorted(names) if f"| `{name}` |" not in readme]
