"""The choices on the profile page in AppTest: a person turns one kind of event off and another
to e-mail; without an e-mail address e-mail is refused with what to do, and nothing is saved."""

from __future__ import annotations

from sqlmodel import select

from core.live import notify
from db.models import NotificationPreference, Role, User
from tests.pages.apptest import open_page, texts
from tests.pages.german_checks import english_left_of

AT_RISK = "A conversation of mine is at risk of breaching its SLA"
MENTION = "Someone mentioned me in a comment"


def _ok(at):
    assert not at.exception, [e.message for e in at.exception]
    return at


def _choose(at, label, channel):
    next(s for s in at.selectbox if s.label == label).set_value(channel)


def test_a_person_chooses_how_they_are_told(team, session, read):
    support = session.get(User, team[Role.support].id)
    support.email = "sven@example.org"
    session.add(support)
    session.commit()
    at = _ok(open_page("profile", username="support"))
    _choose(at, AT_RISK, "email")
    _choose(at, MENTION, "off")
    at = _ok(next(b for b in at.button if b.label == "Save choices").click().run())
    assert "Your choices are saved." in texts(at)
    with read() as s:
        chosen = notify.my_preferences(session=s, user_id=support.id)
        assert (chosen["sla_at_risk"], chosen["mention"], chosen["sla_breached"]) == ("email", "off", "in_app")
        assert len(s.exec(select(NotificationPreference)).all()) == 2  # only what changed is stored


def test_e_mail_without_an_address_is_refused_and_nothing_saved(team, read):
    at = _ok(open_page("profile", username="editor"))
    _choose(at, MENTION, "email")
    at = _ok(next(b for b in at.button if b.label == "Save choices").click().run())
    assert [e.value for e in at.error] == ["You have no e-mail address here yet: add it above, then choose e-mail."]
    with read() as s:
        assert s.exec(select(NotificationPreference)).all() == []


def test_a_person_adds_their_address_then_chooses_e_mail(team, read):
    at = _ok(open_page("profile", username="editor"))
    box = next(t for t in at.text_input if t.label == "Your e-mail address for alerts")
    box.input("ed at example")
    at = _ok(next(b for b in at.button if b.label == "Save address").click().run())
    assert [e.value.replace("\u2060", "") for e in at.error] == [
        "'ed at example' is not an e-mail address; write it like name@example.org."
    ]
    next(t for t in at.text_input if t.label == "Your e-mail address for alerts").input("Ed.Editor@example.org")
    at = _ok(next(b for b in at.button if b.label == "Save address").click().run())
    assert "Address saved." in texts(at)
    _choose(at, MENTION, "email")
    at = _ok(next(b for b in at.button if b.label == "Save choices").click().run())
    assert "Your choices are saved." in texts(at)
    with read() as s:
        assert s.get(User, team[Role.editor].id).email == "Ed.Editor@example.org"
        assert notify.my_preferences(session=s, user_id=team[Role.editor].id)["mention"] == "email"


def test_the_choices_read_german_and_a_refusal_too(team, read):
    at = _ok(open_page("profile", username="community", language="de"))
    assert not english_left_of(at, "ui/inbox_view.py", "core/live/kinds.py")
    assert {"Wie du benachrichtigt wirst", "Dein Posteingang"} <= set(texts(at).splitlines())
    mention = next(s for s in at.selectbox if s.label == "Jemand hat mich in einem Kommentar erwähnt")
    assert mention.options == ["In der App", "E-Mail (und in der App)", "Team-Chat (und in der App)", "Aus"]
    day = next(s for s in at.selectbox if s.label == "Der Wochenrückblick wird angekündigt am")
    assert day.options == ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
    mention.set_value("email")
    at = _ok(next(b for b in at.button if b.label == "Auswahl speichern").click().run())
    assert [e.value for e in at.error] == [
        "Du hast hier noch keine E-Mail-Adresse: Trag sie oben ein und wähle dann E-Mail."
    ]
    next(s for s in at.selectbox if s.label == "Der Wochenrückblick wird angekündigt am").set_value(4)
    at = _ok(at.run())
    at = _ok(next(b for b in at.button if b.label == "Tag des Wochenrückblicks speichern").click().run())
    assert "Der Wochenrückblick wird freitags angekündigt." in texts(at)
    with read() as s:
        assert s.exec(select(NotificationPreference)).all() == []  # the refused choice saved nothing
