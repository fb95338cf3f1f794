"""One validated settings object, read from the environment (Streamlit secrets are mapped onto
the same names by the UI before it is built)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from core.errors import ValidationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'dialogdesk.db'}"
DEMO_COOKIE_KEY_FILE = PROJECT_ROOT / "data" / "demo-cookie-key"
MIN_COOKIE_KEY_BYTES = 32


@dataclass(frozen=True)
class Settings:
    database_url: str
    cookie_key: str | None
    cookie_name: str = "dialogdesk_auth"
    cookie_expiry_days: float = 7
    login_sleep_seconds: float = 0.7
    max_failed_logins: int = 5
    lockout_minutes: int = 15


def _clean_url(url: str) -> str:
    # A relative SQLite path is taken relative to the project, not to wherever the process runs.
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite://":
        return prefix + str(PROJECT_ROOT / url[len(prefix) :])
    return url


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    return Settings(
        database_url=_clean_url(env.get("DATABASE_URL") or DEFAULT_DATABASE_URL),
        cookie_key=env.get("DIALOGDESK_COOKIE_KEY") or None,
        login_sleep_seconds=float(env.get("DIALOGDESK_LOGIN_SLEEP", "0.7")),
    )


def require_cookie_key(settings: Settings, *, is_demo: bool) -> str:
    """The key that signs sign-in cookies. Outside the demo there is no default."""
    key = settings.cookie_key
    if key:
        if len(key.encode()) < MIN_COOKIE_KEY_BYTES:
            raise ValidationError(
                f"DIALOGDESK_COOKIE_KEY is too short: use at least {MIN_COOKIE_KEY_BYTES} bytes, "
                'for example the output of: python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        return key
    if not is_demo:
        raise ValidationError(
            "DIALOGDESK_COOKIE_KEY is not set. Set it in the environment or in "
            ".streamlit/secrets.toml to a random value of at least 32 bytes, for example: "
            'export DIALOGDESK_COOKIE_KEY="$(python -c "import secrets; print(secrets.token_urlsafe(48))")"'
        )
    return demo_cookie_key()


def demo_cookie_key() -> str:
    """A random key generated once for the demo workspace and kept under data/."""
    if DEMO_COOKIE_KEY_FILE.exists():
        return DEMO_COOKIE_KEY_FILE.read_text().strip()
    DEMO_COOKIE_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    DEMO_COOKIE_KEY_FILE.write_text(key)
    DEMO_COOKIE_KEY_FILE.chmod(0o600)
    return key
