"""The live SLA queue in a real browser: a conversation ingested through the API (a real uvicorn
server, a real HTTP request) shows in the queue counts by itself within the refresh period — no
click, no reload — and the reply the person was typing below stays as typed."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
import urllib.request

import pytest
import uvicorn
from playwright.sync_api import expect
from sqlmodel import select

from core.live import tokens
from core.live.api import build_app
from core.permissions import CLI_ACTOR
from core.settings import Settings
from db.engine import make_engine, write_session
from db.models import ApiTokenCreate, Channel
from tests.e2e.conftest import assert_no_exception, prepare_database, sign_in, start_app, stop_app, wait_for_app
from tests.live_servers import free_port

REFRESH_SECONDS = 3


def _total(main) -> int:
    labels = main.locator('[data-testid="stRadio"]').first.locator("label").all_inner_texts()
    return sum(int(m.group(1)) for label in labels if (m := re.search(r"\((\d+)\)", label)))


@pytest.fixture
def live_world(tmp_path, monkeypatch):
    url = prepare_database(tmp_path / "live.db")
    engine = make_engine(url)
    with write_session(engine) as session:
        instagram = session.exec(select(Channel).where(Channel.name == "Instagram")).one()
        token = tokens.create_token(
            session=session, actor=CLI_ACTOR, token_in=ApiTokenCreate(channel_id=instagram.id, name="browser test")
        ).token
    monkeypatch.setenv("DIALOGDESK_LIVE_REFRESH_SECONDS", str(REFRESH_SECONDS))
    app = start_app(url, tmp_path / "streamlit.log")
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            build_app(engine, Settings(database_url=url, cookie_key=None)),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield app, f"http://127.0.0.1:{port}", token
    server.should_exit = True
    thread.join(timeout=10)
    stop_app(app)
    engine.dispose()


def _ingest(api: str, token: str, external_id: str) -> None:
    body = {
        "external_id": external_id,
        "received": dt.datetime.now(dt.UTC).isoformat(),
        "author": "@Mila_K",
        "text": "Is the shop open on Sunday?",
        "kind": "question",
    }
    request = urllib.request.Request(
        f"{api}/api/conversations",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201


def _waiting(main) -> int:
    text = main.get_by_text("waiting for a first reply").first.inner_text()
    return int(re.search(r"(\d+) waiting for a first reply", text).group(1))


def test_the_home_counts_change_by_themselves_after_an_ingest(page, live_world):
    app, api, token = live_world
    sign_in(page, app, "support")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("Needs attention today")).to_be_visible()
    wait_for_app(page)
    before = _waiting(main)
    _ingest(api, token, "live-home-1")
    deadline = time.monotonic() + REFRESH_SECONDS + 12
    while _waiting(main) != before + 1:
        assert time.monotonic() < deadline, f"home still counts {_waiting(main)} waiting (before: {before})"
        page.wait_for_timeout(250)
    assert_no_exception(page)


def test_the_queue_count_changes_by_itself_after_an_ingest(page, live_world):
    app, api, token = live_world
    sign_in(page, app, "support", at="sla")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("heading", name="SLA monitor")).to_be_visible()
    wait_for_app(page)
    before = _total(main)
    typed = "Thanks for asking, Mila — checking it now."
    reply = main.get_by_label("The reply as sent")
    reply.fill(typed)

    _ingest(api, token, "live-browser-1")
    sent_at = time.monotonic()
    deadline = sent_at + REFRESH_SECONDS + 12  # the refresh period, and a busy machine's margin
    while _total(main) != before + 1:
        assert time.monotonic() < deadline, f"the queue still counts {_total(main)} (before: {before})"
        page.wait_for_timeout(250)
    assert reply.input_value() == typed  # the form below the queue kept what was typed
    assert_no_exception(page)
