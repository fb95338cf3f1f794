"""The credential check: one message for every failure, a throttle per username, per address and
for everyone that never outlasts its window, an admin who lifts locks, an audit row per attempt."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import col, select

from core import cli
from core.errors import NotFoundError, PermissionDenied
from core.i18n import using
from core.permissions import CLI_ACTOR
from core.settings import SignInLimits
from core.users import accounts, throttle
from core.users.sign_in import SIGN_IN_FAILED, Client, SignInFailed, authenticate, client_address, locked_message
from db.models import AuditLog, Role, SignInThrottle
from tests.factories import TEST_PASSWORD, make_user

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
LIMITS = SignInLimits(per_username=3, per_address=5, per_minute=8, window=dt.timedelta(minutes=15))
HOME = Client(address="203.0.113.7", user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")


@pytest.fixture
def lena(write):
    with write() as s:
        return make_user(s, Role.lead, username="lena", name="Lena Lead")


def attempt(write, username: str, password: str, *, client: Client = HOME, now: dt.datetime = NOW, limits=LIMITS):
    """One sign-in as the form makes it: the failure is committed with its audit row. Returns the
    actor, or the refusal's message."""
    with write() as s:
        try:
            return authenticate(session=s, username=username, password=password, client=client, now=now, limits=limits)
        except SignInFailed as error:
            return str(error)


def sign_in_rows(read) -> list[AuditLog]:
    with read() as s:
        return list(s.exec(select(AuditLog).where(AuditLog.entity == "sign_in").order_by(col(AuditLog.id))))


def test_the_right_password_signs_in_whatever_the_case_of_the_username(lena, write):
    actor = attempt(write, " Lena ", TEST_PASSWORD)
    assert (actor.id, actor.username, actor.role, actor.label) == (lena.id, "lena", Role.lead, "Lena Lead")


@pytest.mark.parametrize(
    ("username", "password"),
    [("lena", "not-the-password"), ("nobody", TEST_PASSWORD), ("", ""), ("lena\x00", TEST_PASSWORD)],
    ids=["wrong-password", "unknown-user", "empty", "nul-byte"],
)
def test_every_failure_gets_the_same_message(lena, write, username, password):
    assert attempt(write, username, password) == SIGN_IN_FAILED


def test_a_deactivated_user_gets_the_same_message_even_with_the_right_password(lena, write):
    with write() as s:
        make_user(s, Role.admin, username="root")
        accounts.set_active(session=s, actor=CLI_ACTOR, username="lena", active=False)
    assert attempt(write, "lena", TEST_PASSWORD) == SIGN_IN_FAILED


@pytest.mark.parametrize("username", ["lena", "nobody-at-all"])
def test_a_username_known_or_not_locks_after_its_limit_and_refuses_even_the_right_password(lena, write, username):
    assert attempt(write, username, "wrong-1") == SIGN_IN_FAILED
    assert attempt(write, username, "wrong-2") == SIGN_IN_FAILED
    assert attempt(write, username, "wrong-3") == "Too many failed sign-ins. Try again in 15 minutes."
    later = NOW + dt.timedelta(minutes=14, seconds=30)
    assert attempt(write, username, TEST_PASSWORD, now=later) == "Too many failed sign-ins. Try again in 1 minute."
    # The message is the same for a real and a made-up name: nothing tells which exists.


def test_a_lock_ends_with_its_window_and_attempts_during_it_do_not_extend_it(lena, write):
    for n in range(3):
        attempt(write, "lena", f"wrong-{n}")
    for minute in (1, 5, 14):  # someone keeps hammering the name from elsewhere while it is locked
        outsider = Client(address=f"192.0.2.{minute}")
        assert "Too many" in attempt(write, "lena", "wrong", client=outsider, now=NOW + dt.timedelta(minutes=minute))
    assert attempt(write, "lena", TEST_PASSWORD, now=NOW + LIMITS.window).username == "lena"


def test_a_success_forgets_the_username_failures(lena, write):
    attempt(write, "lena", "wrong-1")
    attempt(write, "lena", "wrong-2")
    assert attempt(write, "lena", TEST_PASSWORD).username == "lena"
    assert attempt(write, "lena", "wrong-3") == SIGN_IN_FAILED  # counting starts again


def test_an_address_spraying_many_names_locks_itself_not_the_names(lena, write):
    for n in range(4):
        assert attempt(write, f"guess-{n}", "password123") == SIGN_IN_FAILED
    assert attempt(write, "guess-4", "password123") == "Too many failed sign-ins. Try again in 15 minutes."
    # The address is locked now, even for a right password...
    assert "Too many" in attempt(write, "lena", TEST_PASSWORD)
    # ...but the person signs in from anywhere else, and their name was never locked.
    assert attempt(write, "lena", TEST_PASSWORD, client=Client(address="198.51.100.20")).username == "lena"


def test_a_locked_name_still_counts_against_the_address(lena, write):
    for n in range(3):
        attempt(write, "lena", f"wrong-{n}")
    attempt(write, "lena", "wrong-again")  # refused by the name's lock: counts for the address
    attempt(write, "other", "x")
    with write() as s:
        row = s.get(SignInThrottle, ("address", HOME.address))
        assert row.failures == 5 and row.locked_until == NOW + LIMITS.window


def test_the_ceiling_for_everyone_pauses_all_sign_ins_for_a_minute(lena, write):
    for n in range(8):  # from eight addresses, each under its own limit
        attempt(write, f"guess-{n}", "password123", client=Client(address=f"192.0.2.{n + 1}"))
    elsewhere = Client(address="198.51.100.99")
    assert attempt(write, "lena", TEST_PASSWORD, client=elsewhere) == "Too many failed sign-ins. Try again in 1 minute."
    later = NOW + dt.timedelta(minutes=1)
    assert attempt(write, "lena", TEST_PASSWORD, client=elsewhere, now=later).username == "lena"


def test_without_an_address_only_the_name_and_the_ceiling_count(lena, write):
    nowhere = Client(address=None)
    for n in range(6):
        attempt(write, f"guess-{n}", "x", client=nowhere)
    assert attempt(write, "lena", TEST_PASSWORD, client=nowhere).username == "lena"


def test_an_admin_lifts_a_lock_and_the_person_signs_in_again(lena, write, read):
    for n in range(3):
        attempt(write, "lena", f"wrong-{n}")
    with write() as s:
        admin = make_user(s, Role.admin, username="root")
        with pytest.raises(PermissionDenied):
            throttle.lift(session=s, actor=lena, scope=throttle.Scope.username, key="lena")
        throttle.lift(session=s, actor=admin, scope=throttle.Scope.username, key="Lena")
    assert attempt(write, "lena", TEST_PASSWORD).username == "lena"
    lifted = [r for r in sign_in_rows(read) if r.action == "sign_in.lock_lifted"]
    assert len(lifted) == 1 and lifted[0].actor == "root"
    assert json.loads(lifted[0].after) == {"scope": "username", "key": "lena", "failures": 3}


def test_the_command_line_lifts_a_lock(lena, engine, write, capsys):
    for n in range(3):
        attempt(write, "lena", f"wrong-{n}")
    assert cli.main(["users", "unlock", "lena"], engine=engine) == 0
    assert "lena may sign in again" in capsys.readouterr().out
    assert attempt(write, "lena", TEST_PASSWORD).username == "lena"
    assert cli.main(["users", "unlock", "lena"], engine=engine) == 1
    assert "There is no sign-in lock on username 'lena'" in capsys.readouterr().err


def test_lifting_a_lock_that_is_not_there_says_so(engine, write):
    with write() as s, pytest.raises(NotFoundError):
        throttle.lift(session=s, actor=CLI_ACTOR, scope=throttle.Scope.address, key="192.0.2.1")


def test_every_attempt_writes_an_audit_row_without_the_password(lena, write, read):
    attempt(write, "nobody", "secret-guess-1")
    attempt(write, "LENA", "secret-guess-2")
    attempt(write, "lena", TEST_PASSWORD)
    attempt(write, "x" * 300, "secret-guess-3")
    rows = sign_in_rows(read)
    assert [(r.action, r.actor, r.actor_id, r.entity_id) for r in rows] == [
        ("sign_in.failed", "nobody", None, None),
        ("sign_in.failed", "LENA", None, lena.id),
        ("sign_in.succeeded", "lena", lena.id, lena.id),
        ("sign_in.failed", "x" * 64, None, None),
    ]
    details = [json.loads(r.after) for r in rows]
    assert [d.get("reason") for d in details] == ["unknown username", "wrong password", None, "unknown username"]
    assert details[0]["address"] == "203.0.113.7" and details[0]["user_agent"].startswith("Mozilla/5.0")
    assert not [r for r in rows if "secret-guess" in (r.after or "") or TEST_PASSWORD in (r.after or "")]


def test_a_locked_attempt_is_audited_as_such(lena, write, read):
    for n in range(4):
        attempt(write, "lena", f"wrong-{n}")
    assert json.loads(sign_in_rows(read)[-1].after)["reason"] == "locked username"


@pytest.mark.parametrize(
    ("direct", "forwarded", "expected"),
    [
        ("203.0.113.7", None, "203.0.113.7"),
        (None, None, None),
        ("not an address", None, None),
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "1.2.3.4, 198.51.100.1", "198.51.100.1"),  # the proxy's own entry is the last
        ("10.0.0.2", "198.51.100.1, garbage", None),
        ("10.0.0.2", "  ", "10.0.0.2"),
        ("::ffff:1", "2001:DB8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_comes_from_the_trusted_header_when_there_is_one(direct, forwarded, expected):
    assert client_address(direct=direct, forwarded=forwarded) == expected


@pytest.mark.parametrize(
    ("remaining", "text"),
    [
        (dt.timedelta(seconds=5), "1 minute"),
        (dt.timedelta(seconds=61), "2 minutes"),
        (dt.timedelta(minutes=15), "15 minutes"),
    ],
)
def test_the_lock_message_rounds_the_wait_up(remaining, text):
    assert locked_message(remaining) == f"Too many failed sign-ins. Try again in {text}."


@pytest.mark.parametrize(
    ("remaining", "text"),
    [(dt.timedelta(seconds=5), "1 Minute"), (dt.timedelta(seconds=61), "2 Minuten")],
)
def test_the_lock_message_reads_german_in_german(remaining, text):
    with using("de"):
        assert locked_message(remaining) == f"Zu viele fehlgeschlagene Anmeldungen. Versuch es in {text} noch einmal."


def test_a_refused_sign_in_reads_german_in_german_and_says_no_more(lena, write):
    with using("de"):
        assert attempt(write, "lena", "wrong-1") == "Benutzername oder Passwort ist falsch."
        assert attempt(write, "nobody-here", "wrong-1") == "Benutzername oder Passwort ist falsch."


def test_an_ipv6_client_counts_with_its_whole_64_network(lena, write, read):
    for n in range(5):  # five addresses, one subscriber
        attempt(write, f"guess-{n}", "password123", client=Client(address=f"2001:db8:1:2::{n + 1}"))
    assert "Too many" in attempt(write, "lena", TEST_PASSWORD, client=Client(address="2001:db8:1:2:ffff::9"))
    assert attempt(write, "lena", TEST_PASSWORD, client=Client(address="2001:db8:1:3::1")).username == "lena"
    with read() as s:
        assert s.get(SignInThrottle, ("address", "2001:db8:1:2::/64")).failures == 5
