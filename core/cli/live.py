"""Live operations: ``worker`` (the scan, the outbox, the digest and the ingest API in one
process) and ``tokens create/list/revoke`` (the ingest API's per-channel keys)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import threading
from typing import Any

from sqlalchemy.engine import Engine

from core.cli.common import Command, channel_named, table
from core.permissions import CLI_ACTOR
from core.settings import load_settings
from db.engine import read_session, write_session
from db.models import ApiTokenCreate


def _worker(args: argparse.Namespace, engine: Engine) -> int:
    from core.live import worker  # the worker's rooms load only for this command (see core.cli)

    settings = load_settings()
    name = worker.worker_name()
    if args.once:
        result = worker.run_once(engine, settings, worker=name)
        print(
            f"Scan {'run' if result.scanned else 'held by another worker'}: {result.at_risk} at risk, "
            f"{result.breached} breached; sent {result.sent.delivered}, to retry {result.sent.retried}, "
            f"failed {result.sent.failed}."
        )
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    stop = threading.Event()
    if args.no_api:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        print(f"Worker {name}: a round every {settings.worker.interval_seconds} s (Ctrl-C stops it).", flush=True)
        worker.run_forever(engine, settings, stop=stop, worker=name)
        return 0
    import uvicorn

    from core.live.api import build_app

    rounds = threading.Thread(
        target=worker.run_forever, args=(engine, settings), kwargs={"stop": stop, "worker": name}, daemon=True
    )
    rounds.start()
    host, port = settings.worker.api_host, settings.worker.api_port
    print(
        f"Worker {name}: a round every {settings.worker.interval_seconds} s; ingest API on http://{host}:{port}/api "
        "(Ctrl-C stops both).",
        flush=True,
    )
    server = uvicorn.Server(uvicorn.Config(build_app(engine, settings), host=host, port=port, log_level="info"))

    def shut_down(*_: object) -> None:  # Ctrl-C or SIGTERM: the API finishes its requests, the round its work
        stop.set()
        server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, shut_down)
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]  # ours, above: exit 0
    try:
        server.run()
    finally:
        stop.set()
        rounds.join(timeout=30)
    return 0


def _tokens_create(args: argparse.Namespace, engine: Engine) -> int:
    from core.live import tokens  # loaded only for this command (see core.cli)

    with write_session(engine) as session:
        channel = channel_named(session, args.channel)
        new = tokens.create_token(
            session=session, actor=CLI_ACTOR, token_in=ApiTokenCreate(channel_id=channel.id, name=args.name)
        )
    print(f"Token #{new.view.id} '{new.view.name}' for {new.view.channel} (shown once, keep it secret):")
    print(new.token)
    return 0


def _tokens_list(args: argparse.Namespace, engine: Engine) -> int:
    from core.live import tokens  # loaded only for this command (see core.cli)

    with read_session(engine) as session:
        rows = tokens.list_tokens(session=session)
    if not rows:
        print("No API tokens yet: python -m core tokens create CHANNEL NAME")
        return 0
    print(
        table(
            [
                (
                    str(t.id),
                    t.channel,
                    "active" if t.active else "revoked",
                    f"{t.last_used_at:%Y-%m-%d %H:%M} UTC" if t.last_used_at else "never used",
                    t.name,
                )
                for t in rows
            ],
            ("id", "channel", "state", "last used", "name"),
        )
    )
    return 0


def _tokens_revoke(args: argparse.Namespace, engine: Engine) -> int:
    from core.live import tokens  # loaded only for this command (see core.cli)

    with write_session(engine) as session:
        view = tokens.revoke_token(session=session, actor=CLI_ACTOR, token_id=args.token_id)
    print(f"Token #{view.id} '{view.name}' is revoked; requests with it are refused from now on.")
    return 0


def add_commands(sub: Any) -> None:
    run = sub.add_parser("worker", help="run the worker: SLA alerts, e-mail and chat delivery, digest, ingest API")
    run.add_argument("--once", action="store_true", help="one round (scan, digest, outbox), then exit")
    run.add_argument("--no-api", action="store_true", help="without the ingest API")
    run.set_defaults(run=_worker)
    tokens_parser = sub.add_parser("tokens", help="the ingest API's per-channel tokens")
    tokens_sub = tokens_parser.add_subparsers(dest="tokens_command", required=True)
    create = tokens_sub.add_parser("create", help="a new token for one channel (printed once)")
    create.add_argument("channel")
    create.add_argument("name")
    create.set_defaults(run=_tokens_create)
    tokens_sub.add_parser("list", help="list the tokens").set_defaults(run=_tokens_list)
    revoke = tokens_sub.add_parser("revoke", help="revoke a token")
    revoke.add_argument("token_id", type=int)
    command: Command = _tokens_revoke
    revoke.set_defaults(run=command)
