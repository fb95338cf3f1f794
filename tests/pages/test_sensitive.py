"""Sensitive topics on screen: the editor marks a post, the checklist asks for disclaimer, help
path and review, compliance reviews it; the help-path library on the moderation screen."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core.community import moderation
from core.content_plan import sensitive
from db.models import HelpPathCreate, PostSensitivity, SensitiveTopicSave
from tests.factories import make_ready_post
from tests.pages.apptest import open_page, texts
from tests.pages.german import english_left
from tests.pages.test_calendar import at_tab, button, german


def test_mark_then_review_a_sensitive_post(write, read, session, team, channel):
    with write() as s:
        path = sensitive.add_help_path(
            session=s,
            actor=team["lead"],
            path=HelpPathCreate(title="Telefonseelsorge", url="https://www.telefonseelsorge.de"),
        )
        moderation.publish_rules(session=s, actor=team["lead"], text="1. Be kind.")
        moderation.publish_rules(session=s, actor=team["lead"], text="1. Be kind.\n2. Point to help.")
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, owner_id=team["editor"].id, status="draft"
    )
    session.commit()

    at = at_tab("editor", "Post editor", calendar_post_id=post.id)
    assert not at.exception
    # The checklist's "rules checked" links to the rules in force.
    assert "Community rules in force: version 2" in [link.proto.label for link in at.get("page_link")]
    next(t for t in at.text_area if t.label == "Visible disclaimer").input("This post is about suicide. Help is there.")
    next(s for s in at.selectbox if s.label == "Help path").set_value(path.id)
    button(at, "Save the sensitive topic").click().run()
    assert not at.exception
    shown = texts(at)
    assert "compliance review pending" in shown
    assert "Sensitive topic: compliance review" in shown  # the checklist line still open
    assert "Review: disclaimer and help path are right" not in [b.label for b in at.button]

    review = at_tab("compliance", "Post editor", calendar_post_id=post.id)
    button(review, "Review: disclaimer and help path are right").click().run()
    assert not review.exception
    with read() as s:
        row = s.exec(select(PostSensitivity)).one()
    assert row.reviewed_by_id == team["compliance"].id and row.help_path_id == path.id


def test_the_help_path_library_on_the_moderation_screen(read, team):
    for role, may in (("compliance", True), ("lead", True), ("editor", False), ("viewer", False)):
        at = open_page("moderation", username=role)
        assert not at.exception
        assert any(b.label == "Add to the library" for b in at.button) is may
    at = open_page("moderation", username="compliance")
    inputs = {t.label: t for t in at.text_input}
    inputs["Name"].input("Nummer gegen Kummer")
    inputs["Link"].input("https://www.nummergegenkummer.de")
    inputs["When to use it"].input("Children and teenagers in distress")
    next(b for b in at.button if b.label == "Add to the library").click().run()
    assert not at.exception
    library = next(d.value for d in at.dataframe if "Help path" in d.value.columns)
    assert list(library["Help path"]) == ["Nummer gegen Kummer"]
    with read() as s:
        assert [p.title for p in sensitive.help_paths(s)] == ["Nummer gegen Kummer"]


@pytest.mark.parametrize("username", ["editor", "compliance"])
def test_a_sensitive_post_reads_german_for_its_owner_and_for_compliance(write, session, team, channel, username):
    with write() as s:
        path = sensitive.add_help_path(
            session=s,
            actor=team["lead"],
            path=HelpPathCreate(title="Telefonseelsorge", url="https://www.telefonseelsorge.de"),
        )
    post = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        owner_id=team["editor"].id,
        status="draft",
        scheduled_at=dt.datetime(2026, 11, 24, 9, 30, tzinfo=ZoneInfo("Europe/Berlin")),
    )
    session.commit()
    with write() as s:
        sensitive.save_sensitive_topic(
            session=s,
            actor=team["editor"],
            post_id=post.id,
            topic=SensitiveTopicSave(disclaimer="Hier geht es um Suizid. Hilfe gibt es.", help_path_id=path.id),
        )
    at = german(username, "Post editor", calendar_post_id=post.id)
    assert not at.exception
    assert not english_left(at)
    shown = texts(at)
    assert "Als sensibles Thema markiert · Hilfeweg: Telefonseelsorge · Compliance-Prüfung steht aus" in shown
    assert "Sensibles Thema: Compliance-Prüfung" in shown
    assert "geplant 24.11.2026 09:30" in shown
    reviewing = "Prüfen: Hinweis und Hilfeweg stimmen" in {b.label for b in at.button}
    assert reviewing is (username == "compliance")
