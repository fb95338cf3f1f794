"""Real servers the live-operations tests start: an SMTP server (aiosmtpd) that keeps what it
receives, and an HTTP server (http.server in a thread) that keeps the JSON posted to it."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mailbox:
    messages: list[Message] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def subjects(self) -> list[str]:
        with self.lock:
            return sorted(str(m["Subject"]) for m in self.messages)


class SmtpServer:
    """``with SmtpServer(port) as box:`` — a real SMTP server on 127.0.0.1:port, accepting one user."""

    def __init__(
        self, port: int, *, user: str = "desk", password: str = "s3cret mail", tls: tuple[str, str] | None = None
    ):
        self.port, self.user, self.password, self.tls = port, user, password, tls
        self.box = Mailbox()

    def _auth(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        ok = auth_data.login.decode() == self.user and auth_data.password.decode() == self.password
        if ok:
            self.box.logins.append(self.user)
        return AuthResult(success=ok)

    def __enter__(self) -> Mailbox:
        from aiosmtpd.controller import Controller

        tls: dict[str, Any] = {"auth_require_tls": False}
        if self.tls is not None:  # STARTTLS required before the login
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*self.tls)
            tls = {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
        self.controller = Controller(
            self.box, hostname="127.0.0.1", port=self.port, authenticator=self._auth, auth_required=True, **tls
        )
        self.controller.start()
        return self.box

    def __exit__(self, *exc: Any) -> None:
        self.controller.stop()


class WebhookServer:
    """``with WebhookServer(status=200) as hook:`` — records every JSON body posted to it."""

    def __init__(self, status: int = 200):
        self.status = status
        self.bodies: list[dict[str, Any]] = []

    def __enter__(self) -> WebhookServer:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's hook name
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                if outer.status == 200:
                    outer.bodies.append(body)
                self.send_response(outer.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/abc"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def self_signed_certificate(folder: Path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key (openssl), as (certificate, key) paths."""
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)
