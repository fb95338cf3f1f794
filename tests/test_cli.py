"""The command line: users (passwords from stdin, never arguments), demo, backups."""

import io
import sqlite3
import subprocess
import sys

import pytest
from sqlmodel import select

from core import cli
from core.users.rules import check_password
from db.models import AuditLog, Post, User
from tests.conftest import ROOT


def run_cli(engine, *args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
    try:
        code = cli.main(list(args), engine=engine)
    finally:
        sys.stdin, sys.stdout, sys.stderr = old
    return code, out.getvalue(), err.getvalue()


def test_users_add_reads_the_password_from_stdin_and_stores_a_hash(engine, read):
    code, out, _ = run_cli(
        engine, "users", "add", "Ada", "--role", "admin", "--name", "Ada L.", stdin="a-long-secret-pass\n"
    )
    assert code == 0 and "Created ada (admin)" in out
    with read() as s:
        user = s.exec(select(User).where(User.username == "ada")).one()
        assert check_password("a-long-secret-pass", user.password_hash)
        assert s.exec(select(AuditLog).where(AuditLog.action == "user.create", AuditLog.actor == "cli")).first()


def test_the_password_is_never_an_argument():
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["users", "add", "ada", "--role", "admin", "--password", "x"])


def test_users_list_set_role_set_password_deactivate(engine, read):
    run_cli(engine, "users", "add", "root", "--role", "admin", stdin="root-password-1\n")
    run_cli(engine, "users", "add", "eve", "--role", "editor", stdin="eve-password-1\n")
    assert run_cli(engine, "users", "set-role", "eve", "lead")[0] == 0
    assert run_cli(engine, "users", "set-password", "eve", stdin="eve-password-2\n")[0] == 0
    assert run_cli(engine, "users", "deactivate", "eve")[0] == 0
    code, out, _ = run_cli(engine, "users", "list")
    assert code == 0
    assert "eve" in out and "lead" in out and "deactivated" in out
    with read() as s:
        eve = s.exec(select(User).where(User.username == "eve")).one()
        assert check_password("eve-password-2", eve.password_hash)


def test_errors_are_messages_with_a_non_zero_exit(engine):
    code, _, err = run_cli(engine, "users", "add", "eve", "--role", "chief", stdin="eve-password-1\n")
    assert code == 1 and "Unknown role 'chief'" in err
    code, _, err = run_cli(engine, "users", "set-role", "ghost", "lead")
    assert code == 1 and "There is no user 'ghost'" in err


def test_demo_is_idempotent_and_prints_the_sign_ins(engine, read):
    code, out, _ = run_cli(engine, "demo")
    assert code == 0 and "Demo workspace loaded" in out and "lead-demo-pass" in out
    with read() as s:
        posts = len(s.exec(select(Post.id)).all())
    code, out, _ = run_cli(engine, "demo")
    assert code == 0 and "there already" in out
    with read() as s:
        assert len(s.exec(select(Post.id)).all()) == posts


def test_demo_refuses_a_real_workspace_without_force(engine, read):
    run_cli(engine, "users", "add", "root", "--role", "admin", stdin="root-password-1\n")
    code, _, err = run_cli(engine, "demo")
    assert code == 1 and "real workspace" in err
    assert run_cli(engine, "demo", "--if-empty")[0] == 0
    with read() as s:
        assert s.exec(select(Post.id)).first() is None


def test_backup_copies_a_sqlite_database(engine, backend, tmp_path):
    if backend != "sqlite":
        code, out, _ = run_cli(engine, "backup", str(tmp_path / "b.db"))
        assert code == 2 and "pg_dump" in out
        return
    run_cli(engine, "users", "add", "root", "--role", "admin", stdin="root-password-1\n")
    code, out, _ = run_cli(engine, "backup", str(tmp_path / "copy.db"))
    assert code == 0
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("select username from user").fetchall() == [("root",)]


def test_python_dash_m_core_runs_as_a_program(database_url):
    result = subprocess.run(
        [sys.executable, "-m", "core", "users", "list"],
        cwd=ROOT,
        env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "No users yet" in result.stdout
