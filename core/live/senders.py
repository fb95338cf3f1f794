"""Sending one message: e-mail over SMTP (STARTTLS, user and password from the settings) and chat
messages to an incoming webhook in the JSON Slack, Microsoft Teams (a Workflows webhook: an
Adaptive Card) or Mattermost accept.

A ``SendError`` says whether trying again later may help (the server is down, busy or slow) or
not (the address is refused, the webhook is gone): the outbox retries the first kind and marks
the second failed.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from typing import Any

from core.i18n import _
from core.settings import MailSettings


class SendError(Exception):
    def __init__(self, message: str, *, retry: bool):
        super().__init__(message)
        self.retry = retry


def send_email(mail: MailSettings, *, to: str, subject: str, body: str) -> None:
    if not mail.host:
        raise SendError(_("E-mail is not set up: set DIALOGDESK_SMTP_HOST (and port, user, password)."), retry=True)
    if not to:
        raise SendError(_("This person has no e-mail address; add one on the admin screen."), retry=False)
    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout_seconds) as smtp:
            if mail.starttls:  # the server's certificate is checked (smtplib alone would not)
                smtp.starttls(context=ssl.create_default_context(cafile=mail.ca_file or None))
            if mail.user:
                smtp.login(mail.user, mail.password)
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as problem:
        raise SendError(
            _("The mail server refused {address}: {recipients}", address=to, recipients=problem.recipients), retry=False
        ) from problem
    except smtplib.SMTPAuthenticationError as problem:
        raise SendError(
            _("The mail server refused the user or password: {code}", code=problem.smtp_code), retry=True
        ) from problem
    except smtplib.SMTPResponseException as problem:
        raise SendError(
            _("The mail server answered {code}: {error!r}", code=problem.smtp_code, error=problem.smtp_error),
            retry=True,
        ) from problem
    except ssl.SSLError as problem:
        raise SendError(
            _("The mail server's certificate or TLS failed: {problem}", problem=problem), retry=True
        ) from problem
    except (OSError, smtplib.SMTPException) as problem:
        raise SendError(
            _(
                "The mail server at {host}:{port} is not reachable: {problem}",
                host=mail.host,
                port=mail.port,
                problem=problem,
            ),
            retry=True,
        ) from problem


def webhook_payload(webhook_format: str, *, title: str, body: str, person: str, link: str = "") -> dict[str, Any]:
    """The incoming-webhook JSON of one chat message in the chosen format."""
    lines = [f"{title}", body, _("For {person}", person=person) if person else "", link]
    text = "\n".join(line for line in lines if line)
    if webhook_format == "teams":
        bold = "Bolder"  # i18n: not text (an Adaptive Card weight)
        blocks: list[dict[str, Any]] = [{"type": "TextBlock", "text": title, "weight": bold, "wrap": True}]
        blocks += [{"type": "TextBlock", "text": line, "wrap": True} for line in lines[1:] if line]
        return {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": blocks,
                    },
                }
            ],
        }
    if webhook_format == "mattermost":
        return {"text": text, "username": "Dialog Desk"}  # i18n: not text (the product's name)
    return {"text": text}  # Slack


def post_webhook(url: str, payload: dict[str, Any], *, timeout: float = 20) -> None:
    if not url:
        raise SendError(_("No team chat is set up: set DIALOGDESK_WEBHOOK_URL."), retry=True)
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as problem:
        retry = problem.code >= 500 or problem.code == 429
        raise SendError(
            _("The chat webhook answered {code} {reason}.", code=problem.code, reason=problem.reason), retry=retry
        ) from problem
    except (TimeoutError, urllib.error.URLError, OSError) as problem:
        raise SendError(_("The chat webhook is not reachable: {problem}", problem=problem), retry=True) from problem
