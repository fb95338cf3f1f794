"""The ingest API, served by the worker (Starlette on uvicorn):

* ``POST /api/conversations`` — one conversation (``core.live.ingest``);
* ``POST /api/conversations/{external_id}/replies`` — one message of its thread;
* ``GET /api/openapi.json`` — the OpenAPI description, built from the import's own field list.

``Authorization: Bearer <token>`` names a per-channel token (``python -m core tokens create``).
Answers: 201 created, 200 known already (a replay creates nothing), 401 unknown or revoked token,
403 a token of another channel, 404 no such conversation, 422 the field errors, 429 too many
requests for this token (``DIALOGDESK_API_REQUESTS_PER_MINUTE``; ``Retry-After`` says when).
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import math
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core import i18n
from core.errors import DomainError, NotFoundError
from core.i18n import _
from core.live import ingest, tokens
from core.settings import Settings
from core.sla.import_fields import FIELDS, MESSAGE_FIELDS
from db.engine import write_session
from db.models import ApiToken
from db.types import utcnow

WINDOW_SECONDS = 60.0


class RateLimit:
    """At most ``per_minute`` requests per token in any 60 seconds (this process's count)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute, self.clock = per_minute, clock
        self.seen: dict[int, collections.deque[float]] = collections.defaultdict(collections.deque)
        self.lock = threading.Lock()

    def wait_seconds(self, token_id: int) -> int:
        """0 when the request may go on (and is counted), else the seconds until it may."""
        now = self.clock()
        with self.lock:
            times = self.seen[token_id]
            while times and times[0] <= now - WINDOW_SECONDS:
                times.popleft()
            if len(times) >= self.per_minute:
                return max(1, math.ceil(times[0] + WINDOW_SECONDS - now))
            times.append(now)
            return 0


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None  # i18n: not text
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, __, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def language_of(request: Request) -> str:
    """The language of the error messages: the first of the client's ``Accept-Language`` that
    Dialog Desk has (``de-DE, en;q=0.8`` → German), else English."""
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower().split("-")[0]
        if tag in i18n.LANGUAGES:
            return tag
    return i18n.SOURCE_LANGUAGE


def _answer(result: ingest.Ingested) -> JSONResponse:
    body = {
        "conversation_id": result.conversation_id,
        "created": result.created,
        "messages_added": result.messages,
        "status": result.status,
        "deadline_at": result.deadline_at.isoformat() if result.deadline_at else None,
        "first_reply_at": result.first_reply_at.isoformat() if result.first_reply_at else None,
    }
    return JSONResponse(body, status_code=201 if result.created else 200)


def build_app(engine: Engine, settings: Settings) -> Starlette:
    limit = RateLimit(settings.worker.api_requests_per_minute)

    def _run(token_text: str, language: str, work: Callable[..., ingest.Ingested], **kwargs: Any) -> JSONResponse:
        with i18n.using(language):
            return _work(token_text, work, **kwargs)

    def _work(token_text: str, work: Callable[..., ingest.Ingested], **kwargs: Any) -> JSONResponse:
        with write_session(engine) as session:
            try:
                token = tokens.token_for(session, token_text)
            except NotFoundError as problem:
                return _error(401, str(problem))
            wait = limit.wait_seconds(token.id or 0)
            if wait:
                response = _error(429, _("Too many requests for this token; try again in {seconds} s.", seconds=wait))
                response.headers["Retry-After"] = str(wait)
                return response
            now = utcnow()
            if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
                session.execute(update(ApiToken).where(col(ApiToken.id) == token.id).values(last_used_at=now))
            try:
                with session.begin_nested():
                    return _answer(work(session=session, token=token, now=now, **kwargs))
            except ingest.WrongChannel as problem:
                return _error(403, str(problem))
            except ingest.Refused as problem:
                errors = [{"field": e.field, "message": e.message} for e in problem.errors]
                return _error(422, _("The request has errors; nothing was stored."), errors=errors)
            except NotFoundError as problem:
                return _error(404, str(problem))
            except DomainError as problem:
                return _error(422, str(problem), errors=[{"field": "", "message": str(problem)}])

    async def _body(request: Request) -> Any:
        raw = await request.body()
        try:
            return json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as problem:
            raise ingest.Refused(
                [ingest.FieldError("", _("The body is not JSON: {problem}", problem=problem))]
            ) from None

    async def _token_and_body(request: Request, language: str) -> tuple[str, Any] | JSONResponse:
        """The request's token and JSON body, or the answer that refuses it (in ``language``)."""
        with i18n.using(language):
            token_text = _bearer(request)
            if not token_text:
                return _error(401, _("Send the channel's token: Authorization: Bearer <token>."))
            try:
                return token_text, await _body(request)
            except ingest.Refused as problem:
                return _error(422, str(problem), errors=[{"field": "", "message": problem.errors[0].message}])

    async def conversations(request: Request) -> JSONResponse:
        language = language_of(request)
        read = await _token_and_body(request, language)
        if isinstance(read, JSONResponse):
            return read
        token_text, body = read
        return await run_in_threadpool(_run, token_text, language, ingest.ingest_conversation, body=body)

    async def replies(request: Request) -> JSONResponse:
        language = language_of(request)
        read = await _token_and_body(request, language)
        if isinstance(read, JSONResponse):
            return read
        token_text, body = read
        external_id = request.path_params["external_id"]
        return await run_in_threadpool(
            _run, token_text, language, ingest.ingest_reply, body=body, external_id=external_id
        )

    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(openapi_document())

    return Starlette(
        routes=[
            Route("/api/conversations", conversations, methods=["POST"]),
            Route("/api/conversations/{external_id:path}/replies", replies, methods=["POST"]),
            Route("/api/openapi.json", openapi, methods=["GET"]),
        ]
    )


def _schema(fields: Any, required: tuple[str, ...]) -> dict[str, Any]:
    properties: dict[str, Any] = {
        f.key: {"type": ["string", "number", "boolean"], "description": f.label + (f" — {f.help}" if f.help else "")}
        for f in fields
    }
    zone = "IANA zone of times written without an offset"  # i18n: not text (the API's English docs)
    properties["timezone"] = {"type": "string", "description": zone}
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


NO_SUCH_CONVERSATION = "No such conversation"  # i18n: not text (the API's English docs)
NEW_CONVERSATION = "A new conversation (or what is new on a known one), idempotent by external_id"  # i18n: not text
NEW_REPLY = "A message of the conversation's thread, idempotent by message_id"  # i18n: not text


def openapi_document() -> dict[str, Any]:
    """The API's description for developers: in English, like its field names."""
    errors = {
        "401": {"description": "Unknown or revoked token"},  # i18n: not text
        "403": {"description": "The token is for another channel"},  # i18n: not text
        "422": {"description": "Field errors: {error, errors: [{field, message}]}; nothing stored"},  # i18n: not text
        "429": {"description": "Too many requests for this token (Retry-After)"},  # i18n: not text
    }
    answer = "{conversation_id, created, messages_added, status, deadline_at, first_reply_at}"  # i18n: not text
    result = {"description": answer}
    reply_fields = [f for f in MESSAGE_FIELDS if f.key in ingest.REPLY_KEYS]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Dialog Desk ingest API", "version": "1"},  # i18n: not text
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Conversation": _schema(FIELDS, ("external_id", "received", "author")),
                "Reply": _schema(reply_fields, ("message_id", "sent")),
            },
        },
        "security": [{"token": []}],
        "paths": {
            "/api/conversations": {
                "post": {
                    "summary": NEW_CONVERSATION,
                    "requestBody": {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Conversation"}}}
                    },
                    "responses": {"201": result, "200": result, **errors},
                }
            },
            "/api/conversations/{external_id}/replies": {
                "post": {
                    "summary": NEW_REPLY,
                    "parameters": [
                        {"name": "external_id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "requestBody": {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Reply"}}}
                    },
                    "responses": {"200": result, "404": {"description": NO_SUCH_CONVERSATION}, **errors},
                }
            },
        },
    }
