"""Setting up a workspace from the command line: the workspace's time zone, channels, SLA policies
with their business hours and holidays, the SLA recompute, the declarative ``setup`` file (idempotent,
a problem names its entry), the warning of an import no policy covers, and the imports made."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from db.models import AuditLog, Channel, Conversation, SlaPolicy
from tests.factories import ensure_workspace
from tests.test_cli import run_cli

UTC = dt.UTC


def test_channels_add_list_rename_archive(engine, read):
    code, out, err = run_cli(engine, "channels", "add", "Instagram", "--platform", "instagram", "--daily-limit", "2")
    assert code == 0, err
    assert "Channel 'Instagram' added" in out
    assert run_cli(engine, "channels", "rename", "INSTAGRAM", "Instagram DE")[0] == 0
    assert run_cli(engine, "channels", "archive", "instagram de")[0] == 0
    code, out, _ = run_cli(engine, "channels", "list")
    assert code == 0 and "Instagram DE" in out and "archived" in out
    with read() as s:
        channel = s.exec(select(Channel)).one()
        assert (channel.name, channel.active, channel.daily_post_limit) == ("Instagram DE", False, 2)


def test_workspace_set_and_show(engine):
    code, out, err = run_cli(engine, "workspace", "set", "--timezone", "America/New_York")
    assert code == 0, err
    assert "America/New_York" in run_cli(engine, "workspace", "show")[1]
    code, _, err = run_cli(engine, "workspace", "set", "--timezone", "Mars/Olympus")
    assert code == 1 and "Mars/Olympus" in err


def test_an_uncovered_import_warns_then_policies_add_list_recompute_and_deactivate(engine, session, read, tmp_path):
    ensure_workspace(session)
    session.commit()
    assert run_cli(engine, "channels", "add", "Telegram")[0] == 0
    file = tmp_path / "export.csv"
    file.write_text("id,created,user,type\nr1,2026-03-02T09:00:00+01:00,@ann,question\n")
    code, out, err = run_cli(engine, "import-conversations", str(file), "--channel", "telegram")
    assert code == 0, err
    assert (
        "1 conversation that needs a reply matches no SLA policy" in err and "python -m core policies add" in err
    )  # says how to fix it
    with read() as s:
        assert s.exec(select(Conversation)).one().deadline_at is None

    code, out, err = run_cli(
        engine,
        "policies",
        "add",
        "Support hours",
        "--timezone",
        "Europe/Berlin",
        "--hours",
        "mon-fri 09:00-18:00",
        "--country",
        "DE",
        "--subdivision",
        "BE",
        "--holiday",
        "2026-12-24",
        "--target",
        "2h",
    )
    assert code == 0, err
    assert "first reply within 120 business minutes" in out
    code, out, err = run_cli(engine, "sla", "recompute", "--from", "2026-03-01")
    assert code == 0, err
    assert "1 changed" in out
    with read() as s:
        stored = s.exec(select(Conversation)).one()
        assert stored.deadline_at.replace(tzinfo=UTC) == dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # 11:00 Berlin

    assert run_cli(engine, "policies", "deactivate", "support HOURS")[0] == 0
    code, out, _ = run_cli(engine, "policies", "list")
    assert "Support hours" in out and "inactive" in out
    with read() as s:
        assert s.exec(select(SlaPolicy)).one().active is False


SETUP = """
[workspace]
timezone = "Europe/Berlin"

[[channels]]
name = "Instagram"

[[policies]]
name = "Support hours"
timezone = "Europe/Berlin"
hours = ["mon-fri 09:00-18:00"]
target = 120

[[stop_words]]
word = "guaranteed"
mode = "block"
"""


def test_setup_is_idempotent_changes_what_differs_and_names_a_bad_entry(engine, read, tmp_path):
    path = tmp_path / "workspace.toml"
    path.write_text(SETUP)
    code, out, err = run_cli(engine, "setup", str(path), "--dry-run")
    assert code == 0, err
    assert out.startswith("Would apply workspace.toml")
    with read() as s:
        assert not s.exec(select(Channel)).all()  # a dry run changes nothing

    assert run_cli(engine, "setup", str(path))[0] == 0
    code, out, _ = run_cli(engine, "setup", str(path))
    assert "0 created, 0 changed" in out

    path.write_text(SETUP.replace("target = 120", "target = 90").replace("09:00-18:00", "08:00-18:00"))
    code, out, err = run_cli(engine, "setup", str(path))
    assert code == 0, err
    assert "changed: policy 'Support hours'" in out
    with read() as s:
        policy = s.exec(select(SlaPolicy)).one()
        assert policy.first_response_minutes == 90

    path.write_text(SETUP + '\n[[policies]]\nname = "Broken"\ntimezone = "Europe/Berlin"\n')
    code, out, err = run_cli(engine, "setup", str(path))
    assert code == 1 and "policy 'Broken'" in err and "hours" in err
    with read() as s:
        assert [p.name for p in s.exec(select(SlaPolicy)).all()] == ["Support hours"]  # all or nothing


def test_imports_are_listed_and_shown_with_their_rows(engine, read, tmp_path):
    assert run_cli(engine, "channels", "add", "Instagram")[0] == 0
    file = tmp_path / "export.csv"
    file.write_text("id,created,user\nx1,2026-03-02T09:00:00Z,@ann\nx2,2026-03-02T10:00:00Z,Bo Li\n")
    assert run_cli(engine, "import-conversations", str(file), "--channel", "Instagram")[0] == 0
    with read() as s:
        import_id = s.exec(select(Conversation.import_id)).first()
        audit = s.exec(select(AuditLog).where(AuditLog.action == "conversation.import")).all()
    assert import_id is not None and len(audit) == 1
    code, out, _ = run_cli(engine, "imports", "list")
    assert code == 0 and "export.csv" in out
    code, out, _ = run_cli(engine, "imports", "show", str(import_id))
    assert code == 0 and "conversation: 2 row(s)" in out and "x2" in out
    code, out, _ = run_cli(engine, "imports", "presets")
    assert "twitter-customer-support" in out
