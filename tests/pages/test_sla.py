"""The SLA monitor in AppTest: support works the breached queue first, logs a reply with a quick
answer, escalates and resolves, and the KPIs follow; roles see what they may do; the library,
policies and the CSV import work from the screen.

The page runs at the real ``now``, so the arrangement uses an always-open calendar: business time
equals wall time and the queues do not depend on the hour the tests run.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select

from core.kpis import definitions, report
from core.sla import policies, queues
from db.models import Channel, Conversation, ConversationStatus, QuickAnswer, Role, SlaPolicy
from db.types import utcnow
from tests.factories import (
    make_channel,
    make_escalation_team,
    make_quick_answer,
    make_sla_conversation,
    make_sla_policy,
    make_user,
)
from tests.pages.apptest import open_page, show, texts
from tests.pages.charts import valid_charts
from tests.pages.german_checks import english_left
from ui import sla_view

ALWAYS_OPEN = {
    "timezone": "Europe/Berlin",
    "weekly": {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
}


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _selectbox(at, label):
    return next(s for s in at.selectbox if s.label == label)


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def _kpi_metrics(at, *labels):
    """The KPI cards of the KPIs tab, read by opening it and coming back to the queue (which keeps
    the queue and the conversation picked)."""
    kpis = _ok(show(at, {"sla_tab": "KPIs"}))
    values = {label: _metric(kpis, label) for label in labels}
    return _ok(show(kpis, {"sla_tab": "Queue"})), values


def _ok(at):
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.fixture
def desk(session):
    """Two breached questions, one at risk, one on track and one answered earlier, on a 2-hour SLA."""
    now = utcnow()
    people = {role: make_user(session, role, username=f"the-{role.value}", name=role.value.title()) for role in Role}
    make_sla_policy(session, minutes=120, calendar=ALWAYS_OPEN)
    channel = make_channel(session, name="Instagram")
    answered = make_sla_conversation(
        session,
        channel=channel,
        received_at=now - dt.timedelta(days=1),
        first_reply_at=now - dt.timedelta(days=1) + dt.timedelta(minutes=30),
        status=ConversationStatus.resolved,
        resolved_at=now - dt.timedelta(hours=20),
        author_handle="@done",
    )
    oldest = make_sla_conversation(
        session,
        channel=channel,
        received_at=now - dt.timedelta(hours=5),
        author_handle="@oldest",
        text="Where is my invoice?",
        category="billing",
    )
    newer = make_sla_conversation(
        session,
        channel=channel,
        received_at=now - dt.timedelta(hours=3),
        author_handle="@newer",
        text="Charged twice this month",
    )
    at_risk = make_sla_conversation(
        session, channel=channel, received_at=now - dt.timedelta(minutes=100), author_handle="@risky"
    )
    fresh = make_sla_conversation(
        session, channel=channel, received_at=now - dt.timedelta(minutes=10), author_handle="@fresh"
    )
    answer = make_quick_answer(
        session, title="Where is my invoice?", category="billing", text="Settings → Billing → History."
    )
    team = make_escalation_team(session, owner_id=people[Role.lead].id, name="Billing")
    session.commit()
    return dict(
        people=people,
        answered=answered,
        oldest=oldest,
        newer=newer,
        at_risk=at_risk,
        fresh=fresh,
        answer=answer,
        team=team,
    )


def test_support_works_breached_first_logs_a_reply_with_a_quick_answer_escalates_and_the_kpis_follow(
    session, read, desk
):
    at = _ok(open_page("sla", username="the-support"))
    queue = at.radio(key="sla_queue")
    assert queue.value == queues.Queue.breached
    assert queue.options[:3] == ["Breached (2)", "At risk (1)", "On track (1)"]
    table = at.dataframe[0].value
    assert list(table["#"]) == [desk["oldest"].id, desk["newer"].id]  # nearest deadline first
    assert table["Business time left"].iloc[0] in (
        "overdue 2 h 59 min",
        "overdue 3 h 00 min",
    )  # now is taken per minute
    assert _selectbox(at, "Work on").value == desk["oldest"].id
    at, before = _kpi_metrics(at, "First response (median)", "Answered within SLA", "Closed without escalation")
    assert _selectbox(at, "Work on").value == desk["oldest"].id
    assert before == {
        "First response (median)": report.format_value(30, definitions.MINUTES),
        "Answered within SLA": report.format_value(100 / 3, definitions.PERCENT),
        "Closed without escalation": report.format_value(100, definitions.PERCENT),
    }

    # Reply logged, with the quick answer that fits the category (its text is shown for copying).
    _selectbox(at, "Quick answer used").set_value(desk["answer"].id)
    at = _ok(at.run())
    assert any(code.value == "Settings → Billing → History." for code in at.code)
    at = _ok(_button(at, "Log reply").click().run())
    with read() as s:
        oldest = s.get(Conversation, desk["oldest"].id)
        assert oldest.first_reply_at is not None and oldest.quick_answer_id == desk["answer"].id
        assert oldest.status == ConversationStatus.waiting and oldest.assignee_id == desk["people"][Role.support].id
        assert s.get(QuickAnswer, desk["answer"].id).use_count == 1
    assert at.radio(key="sla_queue").options[0] == "Breached (1)"
    at, after = _kpi_metrics(at, "First response (median)", "Answered within SLA")
    assert after["First response (median)"] != before["First response (median)"]  # now two answered
    assert after["Answered within SLA"] == before["Answered within SLA"]  # the late reply stays breached

    # Escalate the answered one to Billing, then resolve it: closed without escalation falls.
    at.radio(key="sla_queue").set_value(queues.Queue.follow_up)
    at = _ok(at.run())
    _selectbox(at, "Work on").set_value(desk["oldest"].id)
    at = _ok(at.run())
    _selectbox(at, "Team").set_value(desk["team"].id)
    next(a for a in at.text_area if a.label == "Why").input("Invoice missing: billing must resend it")
    at = _ok(_button(at, "Escalate").click().run())
    assert "owned now by Lead" in texts(at)
    at = _ok(_button(at, "Resolve").click().run())
    with read() as s:
        oldest = s.get(Conversation, desk["oldest"].id)
        assert (
            oldest.escalation_team_id == desk["team"].id
            and oldest.escalation_reason == "Invoice missing: billing must resend it"
        )
        assert oldest.status == ConversationStatus.resolved
    at, final = _kpi_metrics(at, "Closed without escalation")
    assert final["Closed without escalation"] == report.format_value(50, definitions.PERCENT)


def test_no_reply_needed_takes_a_reason_and_leaves_the_queue(session, read, desk):
    at = _ok(open_page("sla", username="the-community"))
    at = _ok(_button(at, "Mark no reply needed").click().run())
    assert "Give a reason why no reply is needed" in texts(at)
    next(t for t in at.text_input if t.label == "Why does it need no reply?").input("Spam link")
    at = _ok(_button(at, "Mark no reply needed").click().run())
    with read() as s:
        oldest = s.get(Conversation, desk["oldest"].id)
        assert oldest.status == ConversationStatus.no_reply_needed and oldest.no_reply_reason == "Spam link"
    assert at.radio(key="sla_queue").options[0] == "Breached (1)"


@pytest.mark.parametrize("username", ["the-viewer", "the-analyst", "the-lead"])
def test_roles_that_do_not_work_the_queue_read_it_without_actions(desk, username):
    at = _ok(open_page("sla", username=username))
    assert at.dataframe[0].value["#"].iloc[0] == desk["oldest"].id
    labels = {b.label for b in at.button}
    assert not labels & {"Log reply", "Escalate", "Assign to me", "Resolve", "Mark no reply needed"}
    assert "support and community managers work it" in texts(at)
    assert "Import" not in [t.label for t in at.tabs]


def test_queue_filters_narrow_the_list(desk):
    at = _ok(open_page("sla", username="the-support"))
    at.selectbox(key="sla_filter_category").set_value("billing")
    at = _ok(at.run())
    assert list(at.dataframe[0].value["#"]) == [desk["oldest"].id]
    at.radio(key="sla_queue").set_value(queues.Queue.on_track)
    at = _ok(at.run())
    assert "Clear the filters above" in texts(at)


def test_an_empty_workspace_says_what_to_do(session):
    make_user(session, Role.support, username="the-support")
    make_user(session, Role.lead, username="the-lead")
    session.commit()
    at = _ok(open_page("sla", username="the-support"))
    shown = texts(at) + texts(_ok(show(at, {"sla_tab": "KPIs"})))
    assert "No SLA policy yet" in shown and "Ask a lead or admin" in shown
    assert "Nothing is past its deadline" in shown
    assert "No answered questions or complaints in this period yet" in shown or "no data yet" in shown
    lead = _ok(open_page("sla", username="the-lead"))
    assert "Add one on the Policies tab" in texts(lead)


def test_the_lead_changes_the_first_response_target_for_new_conversations(session, read, desk):
    at = _ok(open_page("sla", username="the-lead", state={"sla_tab": "Policies"}))
    policy = policies.list_policies(session)[0]
    _selectbox(at, "Policy").set_value(policy.id)
    at = _ok(at.run())
    next(n for n in at.number_input if n.label.startswith("First response target")).set_value(60)
    at = _ok(_button(at, "Save policy").click().run())
    with read() as s:
        stored = s.get(SlaPolicy, policy.id)
        assert stored.first_response_minutes == 60 and stored.version == policy.version + 1
        assert s.get(Conversation, desk["fresh"].id).window_minutes == 120  # stored figures stay


def test_a_bad_calendar_in_the_policy_editor_shows_the_engines_message(session, read, desk):
    at = _ok(open_page("sla", username="the-lead", state={"sla_tab": "Policies"}))
    _selectbox(at, "Policy").set_value(policies.list_policies(session)[0].id)
    at = _ok(at.run())
    next(t for t in at.text_area if t.label.startswith("Own closed dates")).input("24.12.2025")
    at = _ok(_button(at, "Save policy").click().run())
    assert any("YYYY-MM-DD" in e.value for e in at.error)
    with read() as s:
        assert s.exec(select(SlaPolicy)).one().version == 1


def test_support_adds_a_quick_answer_and_finds_it(session, read, desk):
    at = _ok(open_page("sla", username="the-support", state={"sla_tab": "Quick answers"}))
    at.text_input(key="sla_qa_-1_0_title").input("Reset your password")
    at.text_input(key="sla_qa_-1_0_category").input("login")
    at.text_area(key="sla_qa_-1_0_text").input("Tap 'Forgot password' on the sign-in screen.")
    at = _ok(_button(at, "Save quick answer").click().run())
    with read() as s:
        assert s.exec(select(QuickAnswer).where(QuickAnswer.title == "Reset your password")).one().category == "login"
    at.text_input(key="sla_qa_query").input("password")
    at = _ok(at.run())
    assert [e.label for e in at.expander if "used" in e.label] == ["Reset your password · login · used 0×"]


MESSY = b"id,created,user\nm1,2025-11-10 10:00,@a\nm2,not a date,@b\nm3,2025-11-10 10:00,\n"
GOOD = b"id,created,user,type\ng1,2025-11-10 10:00,@a,question\ng2,2025-11-10T10:00:00Z,@b,complaint\n"


def test_the_import_tab_reports_row_errors_imports_nothing_then_imports_a_good_file(session, read, desk):
    at = _ok(open_page("sla", username="the-support", state={"sla_tab": "Import"}))
    at.file_uploader(key="sla_import_file").set_value(("messy.csv", MESSY, "text/csv"))
    at = _ok(at.run())
    at.selectbox(key="sla_import_tz").set_value("Europe/Berlin")
    at = _ok(_button(at, "Import").click().run())
    assert any("Nothing was imported: 2 problems" in e.value for e in at.error)
    problems = at.dataframe[-1].value
    assert list(zip(problems["Row"], problems["Column"], strict=False)) == [(3, "created"), (4, "user")]
    with read() as s:
        assert len(s.exec(select(Conversation)).all()) == 5

    at.file_uploader(key="sla_import_file").set_value(("good.csv", GOOD, "text/csv"))
    at = _ok(at.run())
    at = _ok(_button(at, "Check and preview").click().run())
    assert "All 2 rows are fine: 2 would be new" in texts(at)
    at = _ok(_button(at, "Import").click().run())
    assert "Imported 2 rows: 2 new" in texts(at)
    with read() as s:
        imported = s.exec(select(Conversation).where(Conversation.external_id.in_(["g1", "g2"]))).all()
        assert {c.received_at for c in imported} == {
            dt.datetime(2025, 11, 10, 9, 0, tzinfo=dt.UTC),
            dt.datetime(2025, 11, 10, 10, 0, tzinfo=dt.UTC),
        }


MONTH_FIRST = b"id,created,user\nd1,03/04/2025 10:00,@a\nd2,03/05/2025 10:00,@b\n"
TWEETS = (
    b"tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
    b"1,115712,True,Tue Oct 31 22:10:47 +0000 2017,My order is late,2,\n"
    b"2,AcmeSupport,False,Tue Oct 31 22:20:00 +0000 2017,@115712 On it,,1\n"
    b"3,220000,True,Wed Nov 01 08:00:00 +0000 2017,Open on Sunday?,,\n"
)


def test_the_import_asks_for_the_date_order_when_the_file_does_not_settle_it(session, read, desk):
    at = _ok(open_page("sla", username="the-support", state={"sla_tab": "Import"}))
    at.file_uploader(key="sla_import_file").set_value(("month-first.csv", MONTH_FIRST, "text/csv"))
    at = _ok(at.run())
    at.selectbox(key="sla_import_tz").set_value("Europe/Berlin")
    at = _ok(_button(at, "Import").click().run())
    assert any("Choose the date order" in e.value for e in at.error)
    with read() as s:
        assert not s.exec(select(Conversation).where(Conversation.external_id == "d1")).all()
    at.radio(key="sla_import_order").set_value("MDY")
    at = _ok(_button(at, "Import").click().run())
    assert "Imported 2 rows: 2 new" in texts(at)
    with read() as s:
        stored = s.exec(select(Conversation).where(Conversation.external_id == "d1")).one()
        assert stored.received_at == dt.datetime(2025, 3, 4, 9, 0, tzinfo=dt.UTC)  # 4 March, Berlin time


def test_the_import_folds_a_thread_export_with_the_twitter_preset(session, read, desk):
    at = _ok(open_page("sla", username="the-support", state={"sla_tab": "Import"}))
    at.file_uploader(key="sla_import_file").set_value(("twcs.csv", TWEETS, "text/csv"))
    at = _ok(at.run())
    at.selectbox(key="sla_import_preset").set_value("twitter-customer-support")
    at = _ok(at.run())
    at = _ok(_button(at, "Import").click().run())
    assert "3 messages folded into 2 new conversations" in texts(at)
    with read() as s:
        folded = s.exec(select(Conversation).where(Conversation.external_id.in_(["1", "3"]))).all()
        assert len(folded) == 2


def test_community_does_not_see_the_import(desk):
    at = _ok(open_page("sla", username="the-community"))
    assert "Import" not in [t.label for t in at.tabs]


EVIL = "[click](https://evil.example) ![pixel](https://evil.example/p.png) **loud**"


def test_user_text_on_the_queue_is_shown_as_text_never_as_markdown(session, desk):
    team = make_escalation_team(session, owner_id=desk["people"][Role.lead].id, name="Ops [x](https://evil.example)")
    oldest = session.get(Conversation, desk["oldest"].id)
    oldest.escalation_team_id, oldest.escalated_at, oldest.escalation_reason = team.id, utcnow(), EVIL
    session.add(make_quick_answer(session, title=EVIL, text="Plain answer"))
    session.commit()
    at = _ok(open_page("sla", username="the-support"))
    shown = [e.value for e in (*at.markdown, *at.caption, *at.info)] + [e.label for e in at.expander]
    assert any("evil" in text for text in shown)  # the texts are on the screen …
    # … but never as links, images or bold: a link needs an unescaped "](", bold an unescaped "**".
    assert not [text for text in shown if re.search(r"(?<!\\)\]\(https://evil", text) or "**loud**" in text]
    assert any("Why: \\[click\\]" in text for text in shown)


def test_replies_before_the_message_are_listed_on_the_kpis_not_hidden(session, desk):
    now = utcnow()
    flagged = make_sla_conversation(
        session,
        channel=session.get(Channel, desk["oldest"].channel_id),
        received_at=now - dt.timedelta(hours=2),
        first_reply_at=now - dt.timedelta(hours=3),
        status=ConversationStatus.resolved,
        resolved_at=now - dt.timedelta(hours=1),
        author_handle="@clock-skew",
        external_id="exp-42",
    )
    session.commit()
    at = _ok(open_page("sla", username="the-viewer", state={"sla_tab": "KPIs"}))
    assert "1 conversation has a reply stamped before the message" in texts(at)
    assert any(e.label.startswith("Data problems: first reply before the message (1") for e in at.expander)
    problems = next(d.value for d in at.dataframe if "Id in export" in d.value.columns)
    assert list(problems["#"]) == [flagged.id] and list(problems["From"]) == ["@clock-skew"]


def test_only_the_open_tab_is_drawn_and_the_conversation_picked_stays_picked_across_tabs(desk):
    at = _ok(open_page("sla", username="the-support"))
    assert not any(m.label == "First response (median)" for m in at.metric)  # the KPIs tab did not run
    queue = at.radio(key="sla_queue").value
    at.selectbox(key=f"sla_pick_{queue}").set_value(desk["newer"].id)
    at = _ok(at.run())
    assert _selectbox(at, "Work on").value == desk["newer"].id
    kpis = _ok(show(at, {"sla_tab": "KPIs"}))
    assert any(m.label == "First response (median)" for m in kpis.metric)
    assert not [s for s in kpis.selectbox if s.label == "Work on"]  # the queue tab did not run
    back = _ok(show(kpis, {"sla_tab": "Queue"}))
    assert back.radio(key="sla_queue").value == queue
    assert _selectbox(back, "Work on").value == desk["newer"].id


# --- in German ---------------------------------------------------------------------------------

GERMAN_WEEKDAY_TIME = r"(Mo|Di|Mi|Do|Fr|Sa|So) (\d{1,2}\. \S+|\d{2}\.\d{2}\.\d{4}) \d{2}:\d{2}"


def english_outside_kpi_figures(at) -> list[str]:
    """``english_left``, but for the KPI figures themselves ("30 min"), which ``core.kpis.report``
    formats: the KPI screen's area, checked there."""
    figures = {m.value for m in at.metric} | {c.value for c in at.caption if c.value.startswith("Kalenderzeit: ")}
    return [hit for hit in english_left(at) if not any(hit.endswith(f" in {figure[:90]!r}") for figure in figures)]


def test_the_queue_and_the_open_conversation_read_german_for_support(session, desk):
    at = _ok(open_page("sla", username="the-support", language="de"))
    assert not english_left(at)
    assert at.title[0].value == "SLA-Monitor"
    assert at.radio(key="sla_queue").options == ["Überschritten (2)", "Gefährdet (1)", "Im Plan (1)", "Nachfassen (0)"]
    table = at.dataframe[0].value
    assert list(table.columns) == [
        "#",
        "Fällig (Kalender)",
        "Verbleibende Geschäftszeit",
        "SLA",
        "Zuständig",
        "Von",
        "Nachricht",
        "Kanal",
    ]
    first = table.iloc[0]
    assert first["#"] == desk["oldest"].id
    assert first["Verbleibende Geschäftszeit"] in {"2 Std. 59 Min. überfällig", "3 Std. 00 Min. überfällig"}
    assert re.fullmatch(GERMAN_WEEKDAY_TIME, first["Fällig (Kalender)"])
    assert first["SLA"] == "überschritten"
    # the conversation worked on, below the queue: its facts, actions and comments in German
    shown = texts(at)
    assert "**#{} · Frage auf Instagram** · von @oldest".format(desk["oldest"].id) in shown
    assert re.search(r"Eingegangen " + GERMAN_WEEKDAY_TIME + r" · fällig ", shown)
    assert {"Mir zuweisen", "Schließen"} <= {b.label for b in at.button}
    assert "Kommentare, intern (0)" in [e.label for e in at.expander]


def test_the_kpis_and_escalation_teams_read_german_for_the_lead(session, desk):
    at = _ok(open_page("sla", username="the-lead", language="de", state={"sla_tab": "KPIs"}))
    assert not english_outside_kpi_figures(at)
    assert re.search(
        r"Gespräche, eingegangen \d{2}\.\d{2}\.\d{4} – \d{2}\.\d{2}\.\d{4}, verglichen mit ebenso vielen Tagen davor\.",
        texts(at),
    )
    charts = valid_charts(at)
    assert charts, "the weekly trend charts are drawn"
    for chart in charts:
        assert chart["config"]["locale"]["number"]["decimal"] == ","
        assert chart["config"]["locale"]["time"]["shortMonths"][2] == "März"
    assert {c["encoding"]["x"]["title"] for c in (chart.get("layer", [chart])[0] for chart in charts)} == {"Woche ab"}
    teams = _ok(show(at, {"sla_tab": "Eskalationsteams"}))
    assert not english_left(teams)
    table = teams.dataframe[0].value
    assert table.iloc[0]["Team"] == "Billing"
    assert table.iloc[0]["Frist"] == "8 Geschäftsstd."
    assert "Team anlegen oder bearbeiten" in " ".join(e.label for e in teams.expander)


def test_the_queue_speaks_english_to_a_reader_who_chose_it(session, desk):
    at = _ok(open_page("sla", username="the-support", language="en"))
    first = at.dataframe[0].value.iloc[0]
    assert first["Business time left"] in {"overdue 2 h 59 min", "overdue 3 h 00 min"}
    assert re.fullmatch(
        r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{1,2} \w+|\d{4}-\d{2}-\d{2}) \d{2}:\d{2}", first["Due (calendar)"]
    )


def test_the_queue_is_counted_once_until_the_clock_moves_an_item_and_time_left_follows_the_clock(desk, monkeypatch):
    """The counts and the page are read at one instant and kept while nothing moves between
    queues (the at-risk item's deadline is 20 minutes away); business time left is counted for the
    moment the page is shown. Past that deadline the queue is read again."""
    start = utcnow()
    at = _ok(open_page("sla", username="the-support"))
    read_at = at.session_state["sla_queue_clock"][1]
    assert read_at >= start

    def queue_labels(at):
        return [str(option) for option in at.radio(key="sla_queue").options]

    def left_of(at, conversation):
        table = at.dataframe[0].value
        return table.loc[table["#"] == conversation.id, "Business time left"].iloc[0]

    assert queue_labels(at)[:2] == ["Breached (2)", "At risk (1)"]
    at.radio(key="sla_queue").set_value(queues.Queue.at_risk)
    at = _ok(at.run())
    assert left_of(at, desk["at_risk"]) in ("20 min left", "19 min left")

    monkeypatch.setattr(sla_view, "utcnow", lambda: start + dt.timedelta(minutes=7))
    at = _ok(at.run())
    assert at.session_state["sla_queue_clock"][1] == read_at  # kept: nothing has moved
    assert left_of(at, desk["at_risk"]) in ("13 min left", "12 min left")

    monkeypatch.setattr(sla_view, "utcnow", lambda: start + dt.timedelta(minutes=21))
    at = _ok(at.run())
    assert at.session_state["sla_queue_clock"][1] == start + dt.timedelta(minutes=21)  # read again
    assert queue_labels(at)[:2] == ["Breached (3)", "At risk (0)"]


def test_a_long_queue_pages_and_the_page_kept_never_passes_the_last_one(session, caplog):
    now = utcnow()
    make_user(session, Role.support, username="the-support", name="Sam Support")
    make_sla_policy(session, minutes=120, calendar=ALWAYS_OPEN)
    channel = make_channel(session, name="Instagram")
    waiting = [
        make_sla_conversation(
            session, channel=channel, received_at=now - dt.timedelta(hours=5, minutes=n), author_handle=f"@Person {n}"
        )
        for n in range(2 * queues.QUEUE_PAGE_SIZE + 10)
    ]
    session.commit()
    with caplog.at_level("WARNING", logger="streamlit"):
        at = _ok(open_page("sla", username="the-support"))
        page_input = at.number_input(key="sla_page_breached")
        assert page_input.label == "Page (of 3, 50 per page)" and page_input.value == 1
        assert len(at.dataframe[0].value) == queues.QUEUE_PAGE_SIZE
        at = _ok(page_input.set_value(3).run())
        assert len(at.dataframe[0].value) == 10

        # Twenty are answered elsewhere: two pages are left, and the page kept moves to the last.
        for conversation in waiting[:20]:
            conversation.first_reply_at, conversation.status = now, ConversationStatus.waiting
        session.commit()
        at = _ok(open_page("sla", username="the-support", state={"sla_page_breached": 3}))
        page_input = at.number_input(key="sla_page_breached")
        assert page_input.label == "Page (of 2, 50 per page)" and page_input.value == 2
        assert len(at.dataframe[0].value) == 40
    assert not [r for r in caplog.records if "default value" in r.getMessage()]
