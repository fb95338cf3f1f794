"""The ingest API against a real uvicorn server in a thread, with real HTTP requests: per-channel
tokens (401 without or with a bad or revoked one, 403 for another channel's), 422 with field
errors, replays that create nothing, replies that fix the first-reply figures, the rate limit per
token, and 1,000 conversations posted in a loop arriving with correct SLA figures."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import threading
import time

import pytest
import uvicorn
from sqlmodel import func, select

from core.live import tokens
from core.live.api import build_app
from core.permissions import CLI_ACTOR
from core.settings import Settings, WorkerSettings
from db.models import ApiTokenCreate, Conversation, ConversationMessage, DataImport
from tests.factories import make_channel, make_sla_policy
from tests.live_servers import free_port

ALWAYS = {
    "timezone": "Europe/Berlin",
    "weekly": {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
}


class Api:
    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def post(self, path: str, body, token: str | None, language: str | None = None) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json"}
        if language is not None:
            headers["Accept-Language"] = language
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.connection.request("POST", path, body=data, headers=headers)
        response = self.connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")

    def get(self, path: str) -> tuple[int, dict]:
        self.connection.request("GET", path)
        response = self.connection.getresponse()
        return response.status, json.loads(response.read())


@pytest.fixture
def world(session, engine, database_url):
    instagram = make_channel(session, name="Instagram")
    telegram = make_channel(session, name="Telegram")
    make_sla_policy(session, minutes=60, calendar=ALWAYS)
    mine = tokens.create_token(
        session=session, actor=CLI_ACTOR, token_in=ApiTokenCreate(channel_id=instagram.id, name="n8n Instagram")
    )
    other = tokens.create_token(
        session=session, actor=CLI_ACTOR, token_in=ApiTokenCreate(channel_id=telegram.id, name="Telegram bot")
    )
    gone = tokens.create_token(
        session=session, actor=CLI_ACTOR, token_in=ApiTokenCreate(channel_id=instagram.id, name="old flow")
    )
    tokens.revoke_token(session=session, actor=CLI_ACTOR, token_id=gone.view.id)
    session.commit()
    return {"mine": mine.token, "other": other.token, "gone": gone.token, "instagram": instagram}


def serve(engine, database_url, *, per_minute: int = 100_000):
    settings = Settings(
        database_url=database_url, cookie_key=None, worker=WorkerSettings(api_requests_per_minute=per_minute)
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(build_app(engine, settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the API server did not start"
        time.sleep(0.05)
    return server, thread, Api(port)


@pytest.fixture
def api(engine, database_url, world):
    server, thread, client = serve(engine, database_url)
    yield client
    server.should_exit = True
    thread.join(timeout=10)


def conversation(n: int, **extra):
    return {
        "external_id": f"ig-{n}",
        "received": f"2025-11-11T{9 + n % 8:02d}:{n % 60:02d}:00+01:00",
        "author": f"@Mila_K{n}",
        "text": f"Where is my order {n}?",
        **extra,
    }


def count(session, model) -> int:
    session.commit()
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.mark.parametrize("token", [None, "", "ddk_not-a-token", "gone"])
def test_no_bad_or_revoked_token_is_401(api, world, session, token):
    status, body = api.post("/api/conversations", conversation(1), world.get(token, token))
    assert status == 401
    assert "token" in body["error"].lower()
    assert count(session, Conversation) == 0


def test_another_channels_token_is_403(api, world, session):
    status, body = api.post("/api/conversations", conversation(1, channel="Instagram"), world["other"])
    assert status == 403
    assert "Telegram" in body["error"]
    assert count(session, Conversation) == 0


def test_errors_answer_in_the_clients_accept_language(api, world, session):
    """A client asking for German reads German messages; one asking for nothing, or for a
    language Dialog Desk does not have, reads English."""
    status, body = api.post(
        "/api/conversations", conversation(1, channel="Instagram"), world["other"], "de-DE, en;q=0.5"
    )
    assert status == 403
    assert body["error"] == "Dieses Token ist für Telegram, nicht für 'Instagram'; nutze das Token dieses Kanals."
    status, body = api.post("/api/conversations", conversation(1, colour="red"), world["mine"], "de")
    assert status == 422
    assert body["error"] == "Die Anfrage hat Fehler; nichts wurde gespeichert."
    assert [e["message"] for e in body["errors"]][0].startswith("Unbekanntes Feld; die Felder sind")
    status, body = api.post("/api/conversations", conversation(1), None, "de")
    assert (status, body["error"]) == (401, "Sende das Token des Kanals: Authorization: Bearer <token>.")
    for language in (None, "fr-FR, fr;q=0.9"):
        status, body = api.post("/api/conversations", conversation(1), None, language)
        assert (status, body["error"]) == (401, "Send the channel's token: Authorization: Bearer <token>.")
    assert count(session, Conversation) == 0


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (b"{not json", [""]),
        ([conversation(1)], [""]),
        ({"received": "2025-11-11T09:00:00+01:00", "author": "@Mila"}, ["external_id"]),
        (conversation(1, received="31/31/2025 25:00"), ["received"]),
        (conversation(1, kind="shouting"), ["kind"]),
        (conversation(1, colour="red"), ["colour"]),
        (conversation(1, replied="2025-11-11T09:40:00+01:00", no_reply="yes"), ["no_reply"]),
        (conversation(1, received="2025-11-11 09:00"), ["received"]),  # no offset and no timezone: never a guess
    ],
)
def test_bad_json_is_422_with_field_errors(api, world, session, body, fields):
    status, answer = api.post("/api/conversations", body, world["mine"])
    assert status == 422
    assert [e["field"] for e in answer["errors"]] == fields
    assert all(e["message"] for e in answer["errors"])
    assert count(session, Conversation) == 0


def test_a_replay_creates_nothing_new_and_a_reply_sets_the_first_reply(api, world, session):
    status, first = api.post("/api/conversations", conversation(7), world["mine"])
    assert status == 201 and first["created"] is True
    assert first["deadline_at"] == "2025-11-11T16:07:00+00:00"  # 16:07 Berlin + 60 min, in UTC
    imports = count(session, DataImport)
    status, again = api.post("/api/conversations", conversation(7), world["mine"])
    assert (status, again["created"], again["conversation_id"]) == (200, False, first["conversation_id"])
    assert count(session, Conversation) == 1
    assert count(session, DataImport) == imports  # the replay left no trace
    reply = {"message_id": "ig-7-r1", "sent": "2025-11-11T17:37:00+01:00", "from_team": True, "text": "On its way!"}
    path = "/api/conversations/ig-7/replies"
    status, replied = api.post(path, reply, world["mine"])
    assert status == 200 and replied["first_reply_at"] == "2025-11-11T16:37:00+00:00"
    status, replayed = api.post(path, reply, world["mine"])
    assert status == 200 and replayed["messages_added"] == 0
    session.commit()
    session.expire_all()
    stored = session.exec(select(Conversation)).one()
    assert (stored.business_minutes_to_reply, stored.status) == (90.0, "waiting")
    assert count(session, ConversationMessage) == 2  # the question and the reply, once each
    assert count(session, DataImport) == imports + 1  # the reply; its replay left no trace
    status, missing = api.post("/api/conversations/ig-404/replies", reply, world["mine"])
    assert status == 404


def test_the_rate_limit_is_per_token(engine, database_url, world):
    server, thread, client = serve(engine, database_url, per_minute=3)
    try:
        statuses = [client.post("/api/conversations", conversation(n), world["mine"])[0] for n in range(4)]
        assert statuses == [201, 201, 201, 429]
        assert client.post("/api/conversations", conversation(9, channel="Telegram"), world["other"])[0] == 201
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_the_openapi_document_lists_the_import_fields(api):
    status, document = api.get("/api/openapi.json")
    assert status == 200
    schema = document["components"]["schemas"]["Conversation"]
    assert {"received", "author", "external_id", "replied", "channel", "timezone"} <= set(schema["properties"])
    assert set(document["paths"]) == {"/api/conversations", "/api/conversations/{external_id}/replies"}


def test_a_thousand_messages_in_a_loop_arrive_with_correct_sla_figures(api, world, session):
    start = dt.datetime(2025, 11, 3, 8, 0, tzinfo=dt.UTC)
    sent = {}
    for n in range(1000):
        received = start + dt.timedelta(minutes=7 * n)
        body = {
            "external_id": f"ig-{n}",
            "received": received.isoformat(),
            "author": f"@Fan {n % 37}",
            "text": f"Frage {n}",
        }
        if n % 2:
            body["replied"] = (received + dt.timedelta(minutes=n % 90)).isoformat()
        status, answer = api.post("/api/conversations", body, world["mine"])
        assert status == 201, answer
        sent[f"ig-{n}"] = (received, n)
    session.commit()
    session.expire_all()
    rows = session.exec(select(Conversation)).all()
    assert len(rows) == 1000
    for row in rows:
        received, n = sent[row.external_id]
        assert row.received_at == received
        assert row.deadline_at == received + dt.timedelta(minutes=60)
        if n % 2:
            assert row.business_minutes_to_reply == pytest.approx(n % 90)
            assert row.first_reply_at == received + dt.timedelta(minutes=n % 90)
        else:
            assert row.first_reply_at is None and row.status == "open"


def test_the_rate_limit_slides_over_sixty_seconds():
    from core.live.api import RateLimit

    now = [1000.0]
    limit = RateLimit(2, clock=lambda: now[0])
    assert [limit.wait_seconds(1), limit.wait_seconds(1), limit.wait_seconds(2)] == [0, 0, 0]
    now[0] += 45
    assert limit.wait_seconds(1) == 15  # the first of the two ages out at 1060
    now[0] += 15
    assert limit.wait_seconds(1) == 0
