"""The command line of live operations: tokens created (printed once, stored hashed), listed and
revoked; one worker round; and the settings of the worker read from the environment."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.errors import ValidationError
from core.live import tokens
from core.settings import load_settings
from db.models import ApiToken
from tests.factories import make_channel
from tests.test_cli import run_cli


def test_tokens_are_created_listed_and_revoked(engine, write, read):
    with write() as s:
        make_channel(s, name="Instagram")
    code, out, err = run_cli(engine, "tokens", "create", "instagram", "n8n Instagram flow")
    assert code == 0, err
    token = out.strip().splitlines()[-1]
    assert token.startswith("ddk_")
    with read() as s:
        row = s.exec(select(ApiToken)).one()
        assert row.token_hash == tokens.token_hash(token) and token not in row.token_hash
    code, out, _ = run_cli(engine, "tokens", "list")
    assert code == 0 and "Instagram" in out and "active" in out and "never used" in out
    code, out, _ = run_cli(engine, "tokens", "revoke", str(row.id))
    assert code == 0 and "revoked" in out
    code, out, _ = run_cli(engine, "tokens", "list")
    assert "revoked" in out
    code, _, err = run_cli(engine, "tokens", "create", "Mastodon", "x")
    assert code == 1 and "No channel named 'Mastodon'" in err


def test_one_worker_round_from_the_command_line(engine):
    code, out, err = run_cli(engine, "worker", "--once")
    assert code == 0, err
    assert out.startswith("Scan run: 0 at risk, 0 breached; sent 0")


def test_the_worker_settings_come_from_the_environment():
    settings = load_settings(
        {
            "DIALOGDESK_SMTP_HOST": "mail.example.org",
            "DIALOGDESK_SMTP_PORT": "2525",
            "DIALOGDESK_SMTP_STARTTLS": "no",
            "DIALOGDESK_SMTP_USER": "desk",
            "DIALOGDESK_SMTP_PASSWORD": "pw with spaces ",
            "DIALOGDESK_WEBHOOK_URL": "https://hooks.example.org/x",
            "DIALOGDESK_WEBHOOK_FORMAT": "Teams",
            "DIALOGDESK_API_PORT": "9000",
            "DIALOGDESK_LIVE_REFRESH_SECONDS": "5",
        }
    )
    assert (settings.mail.host, settings.mail.port, settings.mail.starttls) == ("mail.example.org", 2525, False)
    assert (settings.mail.user, settings.mail.password) == ("desk", "pw with spaces ")
    assert (settings.worker.webhook_format, settings.worker.api_port) == ("teams", 9000)
    assert settings.live_refresh_seconds == 5
    defaults = load_settings({})
    assert (defaults.mail.host, defaults.mail.password, defaults.worker.webhook_url) == ("", "", "")
    assert defaults.worker.api_host == "127.0.0.1"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DIALOGDESK_WEBHOOK_FORMAT", "discord", "slack, teams, mattermost"),
        ("DIALOGDESK_SMTP_STARTTLS", "maybe", "true or false"),
        ("DIALOGDESK_API_PORT", "http", "whole number"),
    ],
)
def test_a_bad_worker_setting_is_named(name, value, message):
    with pytest.raises(ValidationError, match=f"{name}.*{message}"):
        load_settings({name: value})


def test_the_worker_process_serves_the_api_and_stops_on_sigterm(engine, write, database_url):
    """``python -m core worker`` as ``make run`` and systemd start it: the API answers, a round
    runs, and SIGTERM stops both (exit 0) within seconds."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    from core.permissions import CLI_ACTOR
    from db.models import ApiTokenCreate
    from tests.conftest import ROOT
    from tests.live_servers import free_port

    with write() as s:
        channel = make_channel(s, name="Instagram")
        token = tokens.create_token(
            session=s, actor=CLI_ACTOR, token_in=ApiTokenCreate(channel_id=channel.id, name="t")
        ).token
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DIALOGDESK_API_PORT": str(port)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "core", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = json.dumps({"external_id": "w-1", "received": "2025-11-11T09:00:00+01:00", "author": "@Mila"}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/conversations",
            data=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            method="POST",
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    assert response.status == 201
                    break
            except urllib.error.URLError:
                assert worker.poll() is None and time.monotonic() < deadline, "the worker's API never answered"
                time.sleep(0.2)
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "ingest API on http://127.0.0.1:" in output
