"""One user action, one transaction: domain errors and database refusals become messages."""

from sqlmodel import select
from streamlit.testing.v1 import AppTest

from db.models import Channel, Role
from tests.factories import make_user

SCRIPT = """
import streamlit as st
from core.errors import ValidationError
from db.models import Channel
from ui.actions import perform
from ui.frame import PageContext
from ui.state import engine
from core.permissions import Actor
from zoneinfo import ZoneInfo

ctx = PageContext(engine=engine(), actor=Actor(id=None, username="t", role="admin"), timezone=ZoneInfo("UTC"), is_demo=False)

def duplicate(session):
    session.add(Channel(name="Twice"))
    session.flush()
    session.add(Channel(name="Twice"))
    session.flush()

def invalid(session):
    session.add(Channel(name="Half-written"))
    session.flush()
    raise ValidationError("The daily post limit must be at least 1.")

if st.button("duplicate"):
    perform(ctx, duplicate, success="saved")
if st.button("invalid"):
    perform(ctx, invalid, success="saved")
"""


def _run(button: str) -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=30).run()
    return next(b for b in at.button if b.label == button).click().run()


def test_a_database_refusal_is_a_message_and_nothing_is_saved(write, read):
    with write() as s:
        make_user(s, Role.admin)
    at = _run("duplicate")
    assert not at.exception
    assert "Someone else saved the same change" in at.error[0].value
    with read() as s:
        assert s.exec(select(Channel).where(Channel.name == "Twice")).first() is None


def test_a_domain_error_is_a_message_and_the_earlier_writes_of_the_action_are_undone(write, read):
    at = _run("invalid")
    assert not at.exception
    assert at.error[0].value == "The daily post limit must be at least 1."
    with read() as s:
        assert s.exec(select(Channel).where(Channel.name == "Half-written")).first() is None
