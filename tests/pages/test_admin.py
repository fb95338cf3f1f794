"""The admin screen: users, their sessions and sign-in locks, and channels are managed here; leads
see settings but not users."""

import json
import re

import pytest
from sqlmodel import select

from core import workspace
from core.settings import SessionLimits, SignInLimits
from core.users import sessions, throttle
from core.users.rules import check_password
from core.users.sessions import EndReason
from db.models import AuditLog, Channel, Role, User, WorkspaceUpdate
from db.types import utcnow
from tests.conftest import TEST_COOKIE_KEY
from tests.factories import make_channel, make_user
from tests.pages.apptest import open_page, start_session_for, texts
from tests.pages.german import english_left
from ui import auth


def test_an_admin_adds_a_user_who_can_then_sign_in(write, read):
    with write() as s:
        make_user(s, Role.admin, username="root")
    at = open_page("admin", username="root")
    form_inputs = {t.label: t for t in at.text_input}
    form_inputs["Username"].input("newbie")
    form_inputs["Full name"].input("New Person")
    form_inputs["Initial password"].input("a-good-password")
    at = next(b for b in at.button if b.label == "Add user").click().run()
    assert not at.exception and not at.error
    with read() as s:
        user = s.exec(select(User).where(User.username == "newbie")).one()
        assert check_password("a-good-password", user.password_hash)
        assert user.role == "editor"


def test_a_bad_user_gets_a_message_and_nothing_is_saved(write, read):
    with write() as s:
        make_user(s, Role.admin, username="root")
    at = open_page("admin", username="root")
    form_inputs = {t.label: t for t in at.text_input}
    form_inputs["Username"].input("shortpw")
    form_inputs["Initial password"].input("short")
    at = next(b for b in at.button if b.label == "Add user").click().run()
    assert not at.exception
    assert "at least 10 characters" in at.error[0].value
    with read() as s:
        assert s.exec(select(User).where(User.username == "shortpw")).first() is None


def test_an_admin_adds_a_channel(write, read):
    with write() as s:
        make_user(s, Role.admin, username="root")
    at = open_page("admin", username="root")
    name = next(t for t in at.text_input if t.label == "Name")
    name.input("Mastodon")
    at = next(b for b in at.button if b.label == "Add channel").click().run()
    assert not at.exception and not at.error
    with read() as s:
        assert s.exec(select(Channel).where(Channel.name == "Mastodon")).one().daily_post_limit == 3


def test_a_lead_opens_admin_but_sees_no_user_management(write):
    with write() as s:
        make_user(s, Role.lead, username="lena")
    at = open_page("admin", username="lena")
    assert not at.exception
    # Only what the role can do: no Users tab that would only say "admins only".
    assert [t.label for t in at.tabs] == ["Channels", "Workspace", "Audit log", "Deliveries"]
    assert "Only admins manage users." not in texts(at)
    assert not [b for b in at.button if b.label in ("Add user", "Add channel")]


def _check(read, token: str) -> sessions.SessionCheck:
    with read() as s:
        return sessions.check_session(session=s, token=token, key=TEST_COOKIE_KEY, now=utcnow(), limits=SessionLimits())


def test_an_admin_signs_a_user_out_everywhere(team, read):
    tokens = [start_session_for("editor") for _ in range(2)]
    at = open_page("admin", username="admin")
    at.selectbox(key="admin_user_pick").select("editor").run()
    at = next(b for b in at.button if b.label == "Sign out everywhere").click().run()
    assert not at.exception and not at.error
    assert "signed out everywhere" in texts(at)
    assert [_check(read, t).ended for t in tokens] == [EndReason.everywhere, EndReason.everywhere]
    editor = open_page("calendar")
    editor.session_state[auth.SESSION_TOKEN] = tokens[0]
    editor.run()
    assert not editor.exception
    assert "Signed in as" not in texts(editor)
    assert editor.warning[0].value == "An admin signed you out everywhere."
    with read() as s:
        row = s.exec(select(AuditLog).where(AuditLog.action == "sign_in.signed_out_everywhere")).one()
        assert row.actor == "admin" and json.loads(row.after) == {"sessions": 2}


def test_an_admin_lifts_a_sign_in_lock(team, write):
    now = utcnow()
    with write() as s:
        throttle.count_failure(
            session=s, keys=[throttle.username_key("lead")], limits=SignInLimits(per_username=1), now=now
        )
    at = open_page("admin", username="admin")
    assert "Sign-in locks" in texts(at)
    locks = next(d.value for d in at.dataframe if "name or address" in d.value.columns)
    assert list(locks["name or address"]) == ["lead"]
    at = next(b for b in at.button if b.label == "Lift lock").click().run()
    assert not at.exception and not at.error
    assert "Lock lifted." in texts(at)
    assert "Nobody is locked out" in texts(at)
    with write() as s:
        assert throttle.current_lock(session=s, keys=[throttle.username_key("lead")], now=utcnow()) is None


def _pick_user(at, username: str):
    return at.selectbox(key="admin_user_pick").select(username).run()


def _role_field(at):
    """The role field of "Change a user" (its key names the user it belongs to)."""
    (field,) = [s for s in at.selectbox if s.label == "Role" and (s.key or "").startswith("admin_user_role")]
    return field


def test_the_role_field_shows_the_role_of_the_user_picked(team):
    at = open_page("admin", username="admin")
    at = _pick_user(at, "lead")
    assert _role_field(at).value == "lead"
    # A role chosen but not saved stays with that user: another user shows their own role.
    at = _role_field(at).select("editor").run()
    at = _pick_user(at, "analyst")
    assert _role_field(at).value == "analyst"
    assert next(b for b in at.button if b.label == "Save role").disabled
    at = _pick_user(at, "lead")
    assert _role_field(at).value == "lead"


def test_save_role_changes_the_user_picked_and_the_table_shows_it_at_once(team, read):
    at = open_page("admin", username="admin")
    at = _pick_user(at, "lead")
    at = _role_field(at).select("editor").run()
    at = _pick_user(at, "viewer")
    at = _role_field(at).select("analyst").run()
    at = next(b for b in at.button if b.label == "Save role").click().run()
    assert not at.exception and not at.error
    with read() as s:
        roles = dict(s.exec(select(User.username, User.role)).all())
    assert (roles["viewer"], roles["lead"]) == ("analyst", "lead")
    table = at.dataframe[0].value
    assert dict(zip(table["username"], table["role"], strict=True))["viewer"] == "analyst"
    assert _role_field(at).value == "analyst"


_NEW_USER_FIELDS = ("Username", "Full name", "E-mail", "Initial password")


def _new_user_fields(at) -> dict:
    return {t.label: t for t in at.text_input if t.label in _NEW_USER_FIELDS}


def _fill_new_user(at, username: str, password: str, name: str = "Nora Newcomer") -> None:
    fields = _new_user_fields(at)
    fields["Username"].input(username)
    fields["Full name"].input(name)
    fields["Initial password"].input(password)


def test_an_added_user_is_in_the_table_and_the_picker_right_away_and_the_form_starts_empty(team):
    at = open_page("admin", username="admin")
    _fill_new_user(at, "nora", "a-good-password")
    at = next(b for b in at.button if b.label == "Add user").click().run()
    assert not at.exception and not at.error
    assert "nora" in list(at.dataframe[0].value["username"])
    assert "nora" in at.selectbox(key="admin_user_pick").options
    fields = {label: t.value for label, t in _new_user_fields(at).items()}
    assert fields == {"Username": "", "Full name": "", "E-mail": "", "Initial password": ""}


def test_a_refused_user_keeps_what_was_typed(team, read):
    at = open_page("admin", username="admin")
    _fill_new_user(at, "shorty", "short")
    at = next(b for b in at.button if b.label == "Add user").click().run()
    assert "at least 10 characters" in at.error[0].value
    fields = {label: t.value for label, t in _new_user_fields(at).items()}
    assert fields == {"Username": "shorty", "Full name": "Nora Newcomer", "E-mail": "", "Initial password": "short"}
    with read() as s:
        assert s.exec(select(User).where(User.username == "shorty")).first() is None


def test_an_added_channel_is_in_the_table_right_away_and_a_refused_one_keeps_its_fields(team, channel):
    at = open_page("admin", username="admin")
    next(t for t in at.text_input if t.label == "Name").input("Mastodon")
    at = next(b for b in at.button if b.label == "Add channel").click().run()
    assert not at.exception and not at.error
    channels = next(d.value for d in at.dataframe if "channel" in d.value.columns)
    assert "Mastodon" in list(channels["channel"])
    assert next(t for t in at.text_input if t.label == "Name").value == ""
    # A name that is taken already is refused, and the form keeps it for correcting.
    next(t for t in at.text_input if t.label == "Name").input("Instagram")
    next(t for t in at.text_input if t.label == "URL").input("https://instagram.com/ourteam")
    at = next(b for b in at.button if b.label == "Add channel").click().run()
    assert at.error
    assert next(t for t in at.text_input if t.label == "URL").value == "https://instagram.com/ourteam"


def test_an_admin_sets_a_channels_watch_window(write, read):
    with write() as s:
        make_user(s, Role.admin, username="root")
    at = open_page("admin", username="root")
    next(t for t in at.text_input if t.label == "Name").input("Mastodon")
    watch = [n for n in at.number_input if n.label == "Watch window after publishing (hours)"]
    assert watch[0].value == 48  # the default
    watch[0].set_value(24)
    at = next(b for b in at.button if b.label == "Add channel").click().run()
    assert not at.exception and not at.error
    with read() as s:
        assert s.exec(select(Channel).where(Channel.name == "Mastodon")).one().watch_window_hours == 24
    shown = next(df.value for df in at.dataframe if "watch window (h)" in df.value.columns)
    assert list(shown["watch window (h)"]) == [24]

    editing = [n for n in at.number_input if n.label == "Watch window after publishing (hours)"][-1]
    assert editing.value == 24  # the chosen channel's
    editing.set_value(72)
    at = next(b for b in at.button if b.label == "Save channel").click().run()
    assert not at.exception and not at.error
    with read() as s:
        assert s.exec(select(Channel).where(Channel.name == "Mastodon")).one().watch_window_hours == 72


# --- in German ----------------------------------------------------------------------------------

GERMAN_DATE_TIME = r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}"


@pytest.fixture
def people(write) -> dict[str, str]:
    """A small team whose usernames are first names (a username like "editor" would read as the
    English role name): role → username."""
    names = {"admin": "ada.kowalski", "lead": "Lena.Brandt", "editor": "eddie.o", "viewer": "vera-m"}
    with write() as s:
        for role, username in names.items():
            make_user(s, Role(role), username=username, name=username.replace(".", " ").title())
        make_channel(s, name="Instagram")
    return {role: username.lower() for role, username in names.items()}


@pytest.mark.parametrize(
    ("role", "tabs"),
    [
        ("admin", ["Nutzer:innen", "Kanäle", "Arbeitsbereich", "Audit-Log", "Zustellungen", "API-Tokens"]),
        ("lead", ["Kanäle", "Arbeitsbereich", "Audit-Log", "Zustellungen"]),
    ],
)
def test_admin_reads_german_with_german_dates_for_the_roles_that_open_it(people, role, tabs):
    at = open_page("admin", username=people[role], language="de")
    assert not at.exception and not at.error
    assert not english_left(at)
    assert [t.label for t in at.tabs] == tabs
    log = next(d.value for d in at.dataframe if "wann" in d.value.columns)
    # The accounts were created (and audited) just now: each entry's time as Germans write it.
    assert len(log) >= len(people)
    assert all(re.fullmatch(GERMAN_DATE_TIME, when) for when in log["wann"])
    assert "Nutzer:in #1" in list(log["Datensatz"])
    channels = next(d.value for d in at.dataframe if "Kanal" in d.value.columns)
    assert list(channels["Kanal"]) == ["Instagram"]


def test_admin_users_table_names_roles_in_german(team):
    at = open_page("admin", username="admin", language="de")
    users = next(d.value for d in at.dataframe if "Benutzername" in d.value.columns)
    roles = dict(zip(users["Benutzername"], users["Rolle"], strict=True))
    assert (roles["viewer"], roles["lead"], roles["community"]) == ("Lesezugriff", "Leitung", "Community-Management")


@pytest.mark.parametrize(("role", "label"), [("editor", "Redaktion"), ("viewer", "Lesezugriff")])
def test_a_role_refused_the_admin_screen_is_told_so_in_german(people, role, label):
    at = open_page("admin", username=people[role], language="de")
    assert not at.exception
    assert [e.value for e in at.error] == [
        f"Deine Rolle ({label}) kann Admin nicht öffnen. Frag einen Admin, wenn du es brauchst."
    ]
    assert not at.tabs
    assert not english_left(at)


def test_the_workspace_language_set_by_the_admin_is_everyones_who_has_not_chosen_their_own(team, read):
    at = open_page("admin", username="admin")
    workspace_form = at.main
    language = next(box for box in workspace_form.selectbox if box.label == "Language")
    assert language.value == "en"
    language.set_value("de")
    at = next(b for b in at.button if b.label == "Save workspace").click().run()
    assert not at.exception and not at.error
    with read() as s:
        assert workspace.language(s) == "de"
        row = s.exec(select(AuditLog).where(AuditLog.action == "workspace.update")).one()
        assert json.loads(row.after)["language"] == "de"
    # The admin has no language of their own: the page they are on is German now.
    assert "Arbeitsbereich gespeichert." in texts(at)
    assert "Angemeldet als" in texts(at.sidebar)

    without_choice = open_page("profile", username="editor")
    assert not without_choice.exception
    assert "Dein Profil" in texts(without_choice)
    assert not english_left(without_choice)

    chose_english = open_page("profile", username="support", language="en")
    assert not chose_english.exception
    assert "Your profile" in texts(chose_english)
    assert "Signed in as" in texts(chose_english.sidebar)


def test_the_sign_in_form_is_in_the_workspaces_language(team, write):
    with write() as s:
        workspace.update_settings(
            session=s,
            actor=team["admin"],
            expected_version=workspace.info(s).version,
            settings_in=WorkspaceUpdate(language="de"),
        )
    at = open_page("home")
    assert not at.exception
    assert "Bei Dialog Desk anmelden" in texts(at)
    assert [b.label for b in at.button] == ["Anmelden"]
    assert [t.label for t in at.text_input] == ["Benutzername", "Passwort"]
    assert not english_left(at)
