"""The admin's live-operations tabs in AppTest: an admin creates an API token (shown once, stored
as a hash) and revokes it; the delivery log lists e-mail alerts with their state and last error."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from core.live import notify, tokens
from core.live.kinds import Kind
from db.models import ApiToken, NotificationPreference, Role, User
from tests.factories import make_channel
from tests.pages.apptest import open_page, texts


def _ok(at):
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_an_admin_creates_a_token_sees_it_once_and_revokes_it(team, session, read):
    make_channel(session, name="Instagram")
    session.commit()
    at = _ok(open_page("admin", username="admin"))
    assert "API tokens" in [t.label for t in at.tabs]
    next(t for t in at.text_input if t.label == "What uses it").input("n8n Instagram flow")
    at = _ok(next(b for b in at.button if b.label == "Create token").click().run())
    (shown,) = [c.value for c in at.code]
    assert shown.startswith("ddk_")
    with read() as s:
        row = s.exec(select(ApiToken)).one()
        assert row.name == "n8n Instagram flow" and row.token_hash == tokens.token_hash(shown)
        assert shown not in (row.token_hash, row.name)
        assert tokens.token_for(s, shown).id == row.id
    at = _ok(at.run())
    assert not at.code  # shown once
    at = _ok(next(b for b in at.button if b.label == "Revoke").click().run())
    assert "Token revoked." in texts(at)
    with read() as s:
        assert s.exec(select(ApiToken)).one().revoked_at is not None


def test_only_admins_see_the_tokens_tab(team):
    at = _ok(open_page("admin", username="lead"))
    assert "API tokens" not in [t.label for t in at.tabs]


def test_the_delivery_log_lists_queued_mail_with_its_error(team, session):
    lea = session.get(User, team[Role.lead].id)
    lea.email = "lea@example.org"
    session.add(lea)
    session.add(NotificationPreference(user_id=lea.id, kind="sla_breached", channel="email"))
    notify.announce(
        session,
        notify.Announcement(
            kind=Kind.sla_breached, key="breach:1", title="SLA breached: @Mila_K on Instagram", urgent=True
        ),
        recipients=[lea.id],
        now=dt.datetime.now(dt.UTC),
    )
    session.commit()
    at = _ok(open_page("admin", username="admin"))
    frames = [f.value for f in at.dataframe]
    log = next(f for f in frames if "channel" in f.columns and "attempts" in f.columns)
    assert log[["to", "channel", "status", "what"]].values.tolist() == [
        ["Lea Lead", "email", "queued", "SLA breached: @Mila_K on Instagram"]
    ]
