"""One validated settings object, read from the environment (Streamlit secrets are mapped onto
the same names by the UI before it is built)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.errors import ValidationError
from core.i18n import _

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'dialogdesk.db'}"
DEMO_COOKIE_KEY_FILE = PROJECT_ROOT / "data" / "demo-cookie-key"
MIN_COOKIE_KEY_BYTES = 32


@dataclass(frozen=True)
class SignInLimits:
    """How many failed sign-ins lock a key, and for how long (core.users.throttle)."""

    per_username: int = 5  # a username, known or not
    per_address: int = 20  # one client address, whatever names it tries
    per_minute: int = 60  # everyone together: the ceiling against spraying from many addresses
    window: dt.timedelta = dt.timedelta(minutes=15)  # failures count within it; a lock lasts it


@dataclass(frozen=True)
class SessionLimits:
    """When a signed-in session ends by itself (core.users.sessions)."""

    idle: dt.timedelta = dt.timedelta(hours=24)
    absolute: dt.timedelta = dt.timedelta(days=7)
    # "Last seen" is written at most this often: one UPDATE a minute, not one per click.
    touch_every: dt.timedelta = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class MailSettings:
    """E-mail over SMTP (core.live.senders); no host: e-mail deliveries wait in the outbox."""

    host: str = ""
    port: int = 587
    starttls: bool = True
    user: str = ""
    password: str = ""
    sender: str = "Dialog Desk <dialogdesk@localhost>"  # i18n: not text
    timeout_seconds: int = 20
    ca_file: str = ""  # a private CA that signed the mail server's certificate (else the system's)


@dataclass(frozen=True)
class WorkerSettings:
    """``python -m core worker``: the scan and the outbox, the weekly digest, the ingest API."""

    interval_seconds: int = 60
    webhook_url: str = ""  # the team chat's incoming webhook
    webhook_format: str = "slack"  # slack, teams, mattermost
    api_host: str = "127.0.0.1"
    api_port: int = 8502
    api_requests_per_minute: int = 120  # per token
    app_url: str = ""  # links in e-mails, e.g. https://desk.example.org


WEBHOOK_FORMATS = ("slack", "teams", "mattermost")


@dataclass(frozen=True)
class Settings:
    database_url: str
    cookie_key: str | None
    cookie_name: str = "dialogdesk_session"
    # Behind a reverse proxy: the header it puts the client's address in (else the socket's).
    client_address_header: str | None = None
    sign_in: SignInLimits = SignInLimits()
    sessions: SessionLimits = SessionLimits()
    mail: MailSettings = MailSettings()
    worker: WorkerSettings = WorkerSettings()
    # The SLA queue and the home counts refresh themselves this often (seconds).
    live_refresh_seconds: int = 20


def _clean_url(url: str) -> str:
    # A relative SQLite path is taken relative to the project, not to wherever the process runs.
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite://":
        return prefix + str(PROJECT_ROOT / url[len(prefix) :])
    return url


def _whole_number(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ValidationError(_("{name} must be a whole number above 0, not {text!r}.", name=name, text=text))
    return value


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    limits, lasting = SignInLimits(), SessionLimits()
    window = _whole_number(env, "DIALOGDESK_SIGN_IN_WINDOW_MINUTES", int(limits.window.total_seconds() // 60))
    idle = _whole_number(env, "DIALOGDESK_SESSION_IDLE_MINUTES", int(lasting.idle.total_seconds() // 60))
    absolute = _whole_number(env, "DIALOGDESK_SESSION_MAX_HOURS", int(lasting.absolute.total_seconds() // 3600))
    return Settings(
        database_url=_clean_url(env.get("DATABASE_URL") or DEFAULT_DATABASE_URL),
        cookie_key=env.get("DIALOGDESK_COOKIE_KEY") or None,
        client_address_header=env.get("DIALOGDESK_CLIENT_ADDRESS_HEADER", "").strip() or None,
        sign_in=SignInLimits(
            per_username=_whole_number(env, "DIALOGDESK_MAX_FAILED_SIGN_INS", limits.per_username),
            per_address=_whole_number(env, "DIALOGDESK_MAX_FAILED_SIGN_INS_PER_ADDRESS", limits.per_address),
            per_minute=_whole_number(env, "DIALOGDESK_MAX_FAILED_SIGN_INS_PER_MINUTE", limits.per_minute),
            window=dt.timedelta(minutes=window),
        ),
        sessions=SessionLimits(idle=dt.timedelta(minutes=idle), absolute=dt.timedelta(hours=absolute)),
        mail=_mail(env),
        worker=_worker(env),
        live_refresh_seconds=_whole_number(env, "DIALOGDESK_LIVE_REFRESH_SECONDS", 20),
    )


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    text = env.get(name, "").strip().lower()
    if not text:
        return default
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValidationError(_("{name} must be true or false, not {text!r}.", name=name, text=text))


def _mail(env: Mapping[str, str]) -> MailSettings:
    default = MailSettings()
    return MailSettings(
        host=env.get("DIALOGDESK_SMTP_HOST", "").strip(),
        port=_whole_number(env, "DIALOGDESK_SMTP_PORT", default.port),
        starttls=_flag(env, "DIALOGDESK_SMTP_STARTTLS", default.starttls),
        user=env.get("DIALOGDESK_SMTP_USER", "").strip(),
        password=env.get("DIALOGDESK_SMTP_PASSWORD", ""),
        sender=env.get("DIALOGDESK_SMTP_FROM", "").strip() or default.sender,
        timeout_seconds=_whole_number(env, "DIALOGDESK_SMTP_TIMEOUT_SECONDS", default.timeout_seconds),
        ca_file=env.get("DIALOGDESK_SMTP_CA_FILE", "").strip(),
    )


def _worker(env: Mapping[str, str]) -> WorkerSettings:
    default = WorkerSettings()
    webhook_format = env.get("DIALOGDESK_WEBHOOK_FORMAT", "").strip().lower() or default.webhook_format
    if webhook_format not in WEBHOOK_FORMATS:
        raise ValidationError(
            _(
                "DIALOGDESK_WEBHOOK_FORMAT must be one of {choices}, not {value!r}.",
                choices=", ".join(WEBHOOK_FORMATS),
                value=webhook_format,
            )
        )
    return WorkerSettings(
        interval_seconds=_whole_number(env, "DIALOGDESK_WORKER_INTERVAL_SECONDS", default.interval_seconds),
        webhook_url=env.get("DIALOGDESK_WEBHOOK_URL", "").strip(),
        webhook_format=webhook_format,
        api_host=env.get("DIALOGDESK_API_HOST", "").strip() or default.api_host,
        api_port=_whole_number(env, "DIALOGDESK_API_PORT", default.api_port),
        api_requests_per_minute=_whole_number(
            env, "DIALOGDESK_API_REQUESTS_PER_MINUTE", default.api_requests_per_minute
        ),
        app_url=env.get("DIALOGDESK_APP_URL", "").strip().rstrip("/"),
    )


def require_cookie_key(settings: Settings, *, is_demo: bool) -> str:
    """The key that makes session ids unusable without the server (their stored hash is keyed
    with it; changing it signs everyone out). Outside the demo there is no default."""
    key = settings.cookie_key
    if key:
        if len(key.encode()) < MIN_COOKIE_KEY_BYTES:
            raise ValidationError(
                _(
                    "DIALOGDESK_COOKIE_KEY is too short: use at least {count} bytes, "
                    'for example the output of: python -c "import secrets; print(secrets.token_urlsafe(48))"',
                    count=MIN_COOKIE_KEY_BYTES,
                )
            )
        return key
    if not is_demo:
        raise ValidationError(
            _(
                "DIALOGDESK_COOKIE_KEY is not set. Set it in the environment or in "
                ".streamlit/secrets.toml to a random value of at least 32 bytes, for example: "
                'export DIALOGDESK_COOKIE_KEY="$(python -c "import secrets; print(secrets.token_urlsafe(48))")"'
            )
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
