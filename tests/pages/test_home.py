"""The home screen shows what needs attention, with links for the roles that may act on it."""

from core import demo
from tests.pages.apptest import open_page


def test_home_shows_what_needs_attention_on_the_demo(write):
    with write() as s:
        demo.load_demo(s, password_rounds=4)
    at = open_page("home", username="support")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) == {
        "Past the SLA, no reply yet",
        "Posts waiting for approval",
        "Posts blocked by compliance",
        "New ideas to triage",
        "Shipped, not yet announced",
    }
    assert int(metrics["New ideas to triage"]) > 0
