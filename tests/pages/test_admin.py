"""The admin screen: users and channels are managed here; leads see settings but not users."""

from sqlmodel import select

from core import users
from db.models import Channel, Role, User
from tests.factories import make_user
from tests.pages.apptest import open_page, texts


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
        assert users.check_password("a-good-password", user.password_hash)
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


def test_a_lead_opens_admin_but_cannot_manage_users(write):
    with write() as s:
        make_user(s, Role.lead, username="lena")
    at = open_page("admin", username="lena")
    assert not at.exception
    assert "Only admins manage users." in texts(at)
    assert not [b for b in at.button if b.label in ("Add user", "Add channel")]
