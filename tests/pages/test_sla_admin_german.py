"""The SLA monitor's set-up tabs in German: the quick answers, the policies with their business
calendar, and the import with its row-level report, each for two roles.

The checks look at the open tab (and the sidebar): the page around it belongs to the queue's
screens. Numbers are German ("1.440", "25 %", "1.200 Zeilen"), weekdays are German names, and an
export from German Excel (semicolons, decimal commas, a byte-order mark, dotted dates) imports.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest
from sqlmodel import select
from streamlit.testing.v1.element_tree import Widget

from core.i18n import translated
from core.sla import policies
from db.models import Conversation, Role
from tests.factories import make_channel, make_quick_answer, make_sla_policy, make_user
from tests.pages.apptest import open_page, show
from tests.pages.german import CODE, english_left, page_texts

OFFICE = {
    "timezone": "Europe/Berlin",
    "weekly": {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": ["2026-12-24", "2026-12-31"],
    "country": "DE",
}


@pytest.fixture
def desk(session):
    people = {role: make_user(session, role, username=f"de-{role.value}", name=role.value.title()) for role in Role}
    channel = make_channel(session, name="Instagram")
    make_sla_policy(session, minutes=1440, calendar=OFFICE, channel=channel, kind="complaint")
    make_quick_answer(session, title="Passwort zurücksetzen", category="Login", text="Tippe auf „Passwort vergessen“.")
    session.commit()
    return people


def _ok(at):
    assert not at.exception, [e.message for e in at.exception]
    return at


def _label(at, tab: str) -> str:
    """The tab's label as the page shows it: German, or its English name while the page around
    these tabs is not translated."""
    return next(t.label for t in at.tabs if t.label in (translated(tab, "de"), tab))


def _open_tab(username: str, tab: str):
    at = _ok(open_page("sla", username=username, language="de"))
    return _ok(show(at, {"sla_tab": _label(at, tab)}))


def _tab(at, tab: str):
    """The open tab's content (and the sidebar), as english_left and page_texts read a page."""
    label = _label(at, tab)
    node = next(t for t in at.tabs if t.label == label)
    return SimpleNamespace(main=_readable(SimpleNamespace(children=node.children)), sidebar=_readable(at.sidebar))


def _readable(node):
    """The node's texts as ``tests.pages.german`` reads them, a table as its column headers (the
    shared reader asks a DataFrame for a Series' ``name`` and stops there), a choice as its options."""
    attributes = {}
    for name in ("label", "value", "body", "help", "placeholder", "caption", "options"):
        try:
            attributes[name] = getattr(node, name, None)
        except Exception:  # some elements compute a value from state the test never set
            continue
    if attributes.get("options") or isinstance(node, Widget):
        # A choice's value is the code behind the option shown (e.g. "question"); what it shows
        # is one of its options, and those are read.
        attributes.pop("value", None)
    if isinstance(attributes.get("value"), pd.DataFrame):
        columns = attributes.pop("value").columns
        attributes["options"] = [str(column) for column in columns if not CODE.fullmatch(str(column))]
    children = getattr(node, "children", {}) or {}
    attributes["children"] = {key: _readable(child) for key, child in children.items()}
    return SimpleNamespace(**attributes)


def _text(view) -> str:
    return "\n".join(page_texts(view))


def _button(at, label):
    return next(b for b in at.button if b.label == label)


@pytest.mark.parametrize("role", ["admin", "lead"])
def test_the_policies_tab_reads_german_with_german_numbers_and_weekdays(desk, role):
    at = _open_tab(f"de-{role}", "Policies")
    view = _tab(at, "Policies")
    assert not english_left(view)
    table = at.dataframe[0].value
    assert list(table.columns) == [
        "SLA-Regel",
        "Gilt für",
        "Erste Antwort",
        "Gefährdet bei Rest ≤",
        "Zeiten",
        "Feiertage",
        "Aktiv",
    ]
    row = table.iloc[0]
    assert row["Erste Antwort"] == "1.440 Geschäftsminuten"
    assert row["Gefährdet bei Rest ≤"] == "25\u00a0%, mindestens 15 Min."
    assert row["Gilt für"] == "Kanal Instagram · Art Beschwerde"
    assert row["Zeiten"].startswith("Europe/Berlin: Mo 09:00–18:00; Di 09:00–18:00")
    assert row["Feiertage"] == "Feiertage DE + 2 eigene Daten"
    assert row["Aktiv"] == "ja"
    text = _text(view)
    assert "SLA-Regel anlegen oder bearbeiten" in text
    # Only the admin recomputes stored figures.
    assert ("Gespeicherte SLA-Werte neu berechnen (Admin)" in text) == (role == "admin")


def test_a_bad_holiday_is_refused_in_german(desk, session):
    at = _open_tab("de-lead", "Policies")
    at.selectbox(key="sla_policy_pick").set_value(policies.list_policies(session)[0].id)
    at = _ok(at.run())
    next(t for t in at.text_area if t.label.startswith("Eigene Schließtage")).input("24.12.2026")
    at = _ok(_button(at, "SLA-Regel speichern").click().run())
    errors = [e.value for e in at.error]
    assert any("Der Feiertag „24.12.2026“ ist kein gültiges Datum; schreib ihn als JJJJ-MM-TT." in e for e in errors), (
        errors
    )


@pytest.mark.parametrize("role", ["admin", "support"])
def test_the_quick_answers_tab_reads_german(desk, role):
    at = _open_tab(f"de-{role}", "Quick answers")
    view = _tab(at, "Quick answers")
    assert not english_left(view)
    labels = [e.label for e in at.expander]
    assert "Passwort zurücksetzen · Login · 0× genutzt" in labels
    assert "1 Antwort, die meistgenutzte zuerst." in _text(view)


def _excel_export(rows: int) -> bytes:
    """An export as German Excel saves "CSV (Trennzeichen-getrennt)": UTF-8 with a byte-order
    mark, semicolons, decimal commas, dotted day-first dates, CRLF line ends."""
    start = dt.datetime(2025, 10, 6, 8, 0)
    lines = ["Nachrichten-ID;Eingang;Verfasser;Nachricht;Bewertung"]
    for n in range(rows):
        received = start + dt.timedelta(minutes=7 * n)
        lines.append(
            f"ig-{n + 1001};{received:%d.%m.%Y %H:%M};@Kundin {n % 97};Frage zu Bestellung {n}, bitte;{n % 5},5"
        )
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _map_german_columns(at):
    for field, column in (
        ("external_id", "Nachrichten-ID"),
        ("received", "Eingang"),
        ("author", "Verfasser"),
        ("text", "Nachricht"),
    ):
        at.selectbox(key=f"sla_import_map_c_{field}").set_value(column)
    at.selectbox(key="sla_import_tz").set_value("Europe/Berlin")
    return _ok(at.run())


def _upload(at, name: str, data: bytes):
    at.file_uploader(key="sla_import_file").set_value((name, data, "text/csv"))
    return _ok(at.run())


@pytest.mark.parametrize("role", ["admin", "support"])
def test_the_import_tab_reads_german_and_imports_a_german_excel_export(desk, read, role):
    at = _open_tab(f"de-{role}", "Import")
    assert not english_left(_tab(at, "Import"))
    at = _upload(at, "export.csv", _excel_export(1200))
    assert at.selectbox(key="sla_import_preset").options == [
        "Keine: Spalten unten zuordnen",
        "Twitter/X-Kundenservice (eine Zeile je Tweet)",  # the preset file's own German
    ]
    at = _map_german_columns(at)
    view = _tab(at, "Import")
    assert not english_left(view)
    # The date-order choice and its options in German.
    order = at.radio(key="sla_import_order")
    assert order.label == "Datumsangaben mit Schrägstrich (03/04)"
    assert order.options == [
        "Durch die Datumsangaben der Datei bestimmt (abgelehnt, wenn sie es nicht eindeutig machen)",
        "Tag zuerst: 03/04 = 3. April",
        "Monat zuerst: 03/04 = 4. März",
    ]
    at = _ok(_button(at, "Prüfen und Vorschau").click().run())
    assert "Alle 1.200 Zeilen sind in Ordnung: 1.200 wären neu, 0 sind schon bekannt." in _text(_tab(at, "Import"))
    assert not english_left(_tab(at, "Import"))
    preview = at.dataframe[-1].value
    assert list(preview.columns)[:3] == ["Zeile", "ID", "Eingegangen"]
    assert preview["Eingegangen"].iloc[0] == "06.10.2025 08:00"  # German date, Berlin time
    at = _ok(_button(at, translated("Import", "de")).click().run())
    assert "1.200 Zeilen importiert: 1.200 neu" in _text(_tab(at, "Import"))
    with read() as s:
        first = s.exec(select(Conversation).where(Conversation.external_id == "ig-1001")).one()
        assert first.received_at == dt.datetime(2025, 10, 6, 6, 0, tzinfo=dt.UTC)  # 08:00 in Berlin (CEST)
        assert first.text == "Frage zu Bestellung 0, bitte"  # the comma inside a cell stays


BAD = (
    "\ufeffNachrichten-ID;Eingang;Verfasser;Nachricht;Bewertung\r\n"
    "ig-1;29.03.2025 10:00;@Anna Bauer;Wo bleibt mein Paket?;4,5\r\n"
    "ig-2;30.03.2025 02:30;@Ben Kurz;Nachts um halb drei;3,0\r\n"  # the hour the clocks skip in Berlin
    "ig-3;26.10.2025 02:30;@Cem Yıldız;Zweimal halb drei;2,5\r\n"  # the hour the clocks show twice
    "ig-1;31.03.2025 09:00;@Dora Lind;Dieselbe ID;1,0\r\n"
).encode("utf-8")
SLASHES = b"id,created,user\nd1,03/04/2025 10:00,@a\nd2,03/05/2025 10:00,@b\n"


def test_the_row_report_names_rows_and_columns_in_german(desk, read):
    at = _map_german_columns(_upload(_open_tab("de-support", "Import"), "kaputt.csv", BAD))
    at = _ok(_button(at, translated("Import", "de")).click().run())
    errors = [e.value for e in at.error]
    assert any(e.startswith("Nichts wurde importiert: 3 Probleme in der Datei.") for e in errors), errors
    problems = at.dataframe[-1].value
    assert list(problems.columns) == ["Zeile", "Spalte", "Problem"]
    found = dict(zip(problems["Zeile"], zip(problems["Spalte"], problems["Problem"], strict=True), strict=True))
    assert found[3] == (
        "Eingang",
        "„30.03.2025 02:30“ gibt es in Europe/Berlin nicht: In dieser Stunde wurde die Uhr vorgestellt. "
        "Ergänze den UTC-Versatz zur Zeit.",
    )
    assert found[4][1].startswith("„26.10.2025 02:30“ gab es in Europe/Berlin zweimal")
    assert found[5] == ("Nachrichten-ID", "Zeile 2 hat dieselbe externe ID „ig-1“; bitte jedes Gespräch nur einmal.")
    assert not english_left(_tab(at, "Import"))
    with read() as s:
        assert not s.exec(select(Conversation)).all()


def test_the_date_order_question_is_asked_in_german(desk, read):
    at = _upload(_open_tab("de-admin", "Import"), "monat-zuerst.csv", SLASHES)
    at.selectbox(key="sla_import_tz").set_value("Europe/Berlin")
    at = _ok(_button(_ok(at.run()), translated("Import", "de")).click().run())
    errors = [e.value for e in at.error]
    assert any("2 Daten wie 03/04/2025 könnten der 3. April oder der 4. März sein" in e for e in errors), errors
    at.radio(key="sla_import_order").set_value("MDY")
    at = _ok(_button(at, translated("Import", "de")).click().run())
    text = _text(_tab(at, "Import"))
    assert "2 Zeilen importiert: 2 neu" in text
    assert "Daten wie gewählt als Monat/Tag/Jahr gelesen." in text
    with read() as s:
        stored = s.exec(select(Conversation).where(Conversation.external_id == "d1")).one()
        assert stored.received_at == dt.datetime(2025, 3, 4, 9, 0, tzinfo=dt.UTC)
