"""The generated texts' wording: placeholders checked on save, the lead's wording used in the
workspace's language, the shipped German when nothing is stored, the board's lang attribute, the
digest, announcement and monthly update in German with German dates and numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import col, select

from core import i18n, text_templates
from core.errors import ConflictError, PermissionDenied, ValidationError
from core.kpis.digest import render_markdown, weekly_digest
from core.loop import public_board
from core.loop.announce import draft_announcement
from core.loop.monthly import monthly_update
from core.loop.queries import thank_you_replies
from core.loop.rules import nps_impact
from db.models import AuditLog, IdeaGiver, Role, TextTemplate, TextTemplateBase, Workspace
from tests.core.loop.arrange import idea_with_givers, open_loop

GERMAN_WORDING = "{handles} Tausend Dank! Erledigt: {what_changed}. {next_step}"


def _set_workspace_language(write, language: str) -> None:
    with write() as s:
        row = s.exec(select(Workspace).order_by(col(Workspace.id))).first()
        if row is None:
            row = Workspace()
        row.language = language
        s.add(row)


def _save(write, actor, key: str, language: str, body: str, expected_version: int | None = None):
    with write() as s:
        return text_templates.save(
            session=s,
            actor=actor,
            template_in=TextTemplateBase(key=key, language=language, body=body),
            expected_version=expected_version,
        )


# --- the check on save -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("{handles} Danke, {name}! {what_changed}", "{name}"),
        ("Thanks {handle} and {what_changed}", "{handle}"),
        ("{0} did it", "{0}"),
        ("{} did it", "{}"),
        ("{what_changed.upper} is done", "{what_changed.upper}"),
    ],
)
def test_an_unknown_placeholder_is_refused_by_name_with_the_allowed_ones(body, named):
    found = text_templates.problems("thank_you", body)
    assert found and named in found[0]
    assert "{handles}" in found[0] and "{next_step}" in found[0]


@pytest.mark.parametrize(
    "body",
    ["Thank you {handles", "Thank you handles} for {what_changed}", "{{handles} done", "Done: {what_changed}}"],
)
def test_unbalanced_braces_are_refused(body):
    found = text_templates.problems("thank_you", body)
    assert len(found) == 1 and "braces do not match" in found[0]


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("Done: {what_changed:>40}", "{what_changed:>40}"),
        ("Done: {what_changed!r}", "{what_changed!r}"),
        ("Done: {what_changed!s:^10}", "{what_changed!s:^10}"),
    ],
)
def test_a_format_spec_or_conversion_is_refused_naming_the_plain_placeholder(body, shown):
    found = text_templates.problems("thank_you", body)
    assert len(found) == 1 and shown in found[0] and "write it as {what_changed}" in found[0]


@pytest.mark.parametrize("body", ["", "   ", "\n\n"])
def test_an_empty_wording_is_refused(body):
    assert "empty" in text_templates.problems("thank_you", body)[0]


def test_doubled_braces_are_a_brace_and_a_known_placeholder_passes():
    assert text_templates.problems("thank_you", "{{yay}} {handles}: {what_changed}!") == []
    assert text_templates.render("{{yay}} {handles}", text_templates.spec("thank_you").placeholders, handles="@a") == (
        "{yay} @a"
    )


def test_a_line_with_an_empty_optional_placeholder_is_left_out_and_blank_runs_close_up():
    spec = text_templates.spec("announcement")
    body = "Done: {what_changed}.\n\n{details}\n\nIdeas: {ideas}.\n\nNext? {idea_form_url}"
    text = text_templates.render(
        body, spec.placeholders, what_changed="Dark mode", details="", ideas="", idea_form_url=""
    )
    assert text == "Done: Dark mode.\n\nNext?"  # the link is not optional: its line stays, without a trailing space


def test_saving_refuses_unknown_placeholders_and_stores_nothing(write, read, team):
    with pytest.raises(ValidationError, match=r"Unknown placeholders: \{giver\}"):
        _save(write, team[Role.lead], "thank_you", "de", "Danke {giver}!")
    with read() as s:
        assert s.exec(select(TextTemplate)).first() is None


@pytest.mark.parametrize("role", [Role.editor, Role.community, Role.support, Role.analyst, Role.viewer])
def test_only_lead_and_admin_may_change_a_wording(write, team, role):
    with pytest.raises(PermissionDenied):
        _save(write, team[role], "thank_you", "de", GERMAN_WORDING)
    with pytest.raises(PermissionDenied), write() as s:
        text_templates.reset(session=s, actor=team[role], key="thank_you", language="de")


@pytest.mark.parametrize("role", [Role.lead, Role.admin])
def test_lead_and_admin_save_audited_and_reset_to_the_shipped_wording(write, read, team, role):
    saved = _save(write, team[role], "thank_you", "de", GERMAN_WORDING + "\r\n")
    assert saved.stored and saved.body == GERMAN_WORDING and saved.version == 1
    again = _save(write, team[role], "thank_you", "de", "{handles} Danke! {what_changed}.", expected_version=1)
    assert again.version == 2
    with pytest.raises(ConflictError):  # someone saved over the wording this person loaded
        _save(write, team[role], "thank_you", "de", GERMAN_WORDING, expected_version=1)
    with write() as s:
        shipped = text_templates.reset(session=s, actor=team[role], key="thank_you", language="de")
    assert not shipped.stored and shipped.body.startswith("{handles} Danke für die Idee!")
    with read() as s:
        actions = s.exec(
            select(AuditLog.action).where(AuditLog.entity == "text_template").order_by(col(AuditLog.id))
        ).all()
        english = text_templates.wording(s, key="thank_you", language="en")
    assert actions == ["text_template.save", "text_template.save", "text_template.reset"]
    assert not english.stored and english.body.startswith("{handles} Thank you for the idea!")


def test_an_unknown_text_or_language_is_refused(write, team):
    with pytest.raises(ValidationError, match="Unknown text"):
        _save(write, team[Role.lead], "farewell", "de", "Tschüss")
    with pytest.raises(ValidationError, match="Unknown language"):
        _save(write, team[Role.lead], "thank_you", "fr", GERMAN_WORDING)


# --- the wording in force in the workspace's language ---------------------------------------------


def _loop_with_givers(write, lead, channel):
    with write() as s:
        idea = idea_with_givers(s, "@Anna Weiss", "@bo_K", channel=channel, title="Dark mode")
        idea_id = idea.id
    return open_loop(write, lead, idea_id)


def test_a_stored_german_wording_is_used_in_a_german_workspace_whatever_the_reader_reads(write, read, team, channel):
    item = _loop_with_givers(write, team[Role.lead], channel)
    _set_workspace_language(write, "de")
    _save(write, team[Role.lead], "thank_you", "de", GERMAN_WORDING)
    _save(write, team[Role.lead], "thank_you", "en", "{handles} Cheers! {what_changed}.")
    with read() as s, i18n.using("en"):  # an English reader copies the German community's reply
        replies = thank_you_replies(s, loop_item_id=item.id)
    assert replies == {
        channel.name: "@Anna Weiss @bo_K Tausend Dank! Erledigt: Dark mode is live. "
        "Was sollen wir als Nächstes verbessern? Sagt es uns im Ideenformular."
    }


def test_the_shipped_german_wording_is_used_when_nothing_is_stored(write, read, team, channel):
    item = _loop_with_givers(write, team[Role.lead], channel)
    _set_workspace_language(write, "de")
    with read() as s, i18n.using("en"):
        replies = thank_you_replies(s, loop_item_id=item.id, idea_form_url="https://example.org/ideen")
    assert replies[channel.name] == (
        "@Anna Weiss @bo_K Danke für die Idee! Gewünscht war: „Dark mode“. Es ist umgesetzt: Dark mode is live. "
        "Was sollen wir als Nächstes verbessern? Sagt es uns im Ideenformular: https://example.org/ideen"
    )


def test_the_announcement_is_drafted_in_the_workspaces_language(write, read, team, channel):
    lead = team[Role.lead]
    item = _loop_with_givers(write, lead, channel)
    _set_workspace_language(write, "de")
    with write() as s, i18n.using("en"):
        post = draft_announcement(
            session=s, actor=lead, loop_item_id=item.id, channel_id=channel.id, expected_version=item.version
        )
    assert post.title == "Ihr habt gefragt, wir haben geliefert: Dark mode is live"
    assert "Angefangen hat es mit euren Ideen: „Dark mode“." in post.body
    assert "Danke @Anna Weiss und @bo_K – ihr habt uns die Idee gegeben." in post.body
    assert post.body.endswith("Was sollen wir als Nächstes verbessern? Sagt es uns im Ideenformular.")
    assert post.next_step_text == "Was sollen wir als Nächstes verbessern? Sagt es uns im Ideenformular."


def test_the_lead_rewords_the_german_announcement_and_an_optional_line_drops_out(write, read, team, channel):
    lead = team[Role.lead]
    item = _loop_with_givers(write, lead, channel)
    _set_workspace_language(write, "de")
    _save(write, lead, "announcement_title", "de", "Neu: {what_changed}")
    _save(write, lead, "announcement", "de", "Neu bei uns: {what_changed}.\n\n{details}\n\n{thanks}")
    with write() as s:
        post = draft_announcement(
            session=s, actor=lead, loop_item_id=item.id, channel_id=channel.id, expected_version=item.version
        )
    assert post.title == "Neu: Dark mode is live"
    assert (
        post.body == "Neu bei uns: Dark mode is live.\n\nDanke @Anna Weiss und @bo_K – ihr habt uns die Idee gegeben."
    )


# --- the public board, the digest and the monthly update in German --------------------------------


def test_the_public_board_says_its_language_and_writes_german_dates_and_counts(write, read, team, channel):
    lead = team[Role.lead]
    with write() as s:
        idea = idea_with_givers(s, "@Anna Weiss", title="Dark mode", category="app")
        for n in range(1, 1234):
            s.add(IdeaGiver(idea_id=idea.id, handle=f"@person{n}"))
        idea_id = idea.id
    open_loop(write, lead, idea_id, shipped_on=dt.date(2026, 3, 2))
    with write() as s:
        english = public_board.export_html(session=s, actor=lead, today=dt.date(2026, 3, 18))
    _set_workspace_language(write, "de")
    _save(write, lead, "board_intro", "de", "Was {workspace} aus euren Ideen macht.")
    with write() as s, i18n.using("en"):
        german = public_board.export_html(session=s, actor=lead, today=dt.date(2026, 3, 18))
    assert '<html lang="en">' in english and "1,234 people asked for this" in english
    assert "Updated 2026-03-18. Tell us what to improve next." in english
    assert '<html lang="de">' in german and '<html lang="en">' not in german
    assert "1.234 Personen haben sich das gewünscht" in german and "umgesetzt am 02.03.2026" in german
    assert "<footer>Aktualisiert am 18.03.2026. Sagt uns, was wir als Nächstes verbessern sollen.</footer>" in german
    assert "<p>Was Dialog Desk aus euren Ideen macht.</p>" in german
    assert "<h2>Umgesetzt (1)</h2>" in german and "Gerade nichts hier." in german


def test_the_weekly_digest_is_german_with_german_dates_in_a_german_workspace(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        idea = idea_with_givers(s, "@Anna Weiss", title="Passkeys")
        idea_id = idea.id
    open_loop(write, lead, idea_id, shipped_on=dt.date(2025, 3, 6))
    _set_workspace_language(write, "de")
    with read() as s:
        digest = weekly_digest(s, week_start=dt.date(2025, 3, 3))
    with i18n.using("en"):
        markdown = render_markdown(digest)
        title = digest.title
    assert title == "Digest der Woche · 03.03.2025 – 09.03.2025"
    assert markdown.startswith("# Digest der Woche · 03.03.2025 – 09.03.2025\n\n## Beste Fragen und Antworten\n")
    assert "- Dark mode is live (umgesetzt am 06.03.2025; Ankündigung folgt)" in markdown
    assert "_Noch nicht gewählt._" in markdown and "_Wird noch bekannt gegeben._" in markdown
    _save(write, lead, "weekly_digest", "de", "# {title}\n\n## Was wir geliefert haben\n\n{loop}")
    with read() as s:
        reworded = render_markdown(weekly_digest(s, week_start=dt.date(2025, 3, 3)))
    assert reworded == (
        "# Digest der Woche · 03.03.2025 – 09.03.2025\n\n## Was wir geliefert haben\n\n"
        "- Dark mode is live (umgesetzt am 06.03.2025; Ankündigung folgt)\n"
    )


def test_the_monthly_update_is_german_with_german_months_and_dates(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        idea = idea_with_givers(s, "@Anna Weiss", "@bo_K", title="Dark mode")
        idea_id = idea.id
    open_loop(write, lead, idea_id, shipped_on=dt.date(2026, 3, 2))
    _set_workspace_language(write, "de")
    with read() as s, i18n.using("en"):
        update = monthly_update(s, month=dt.date(2026, 3, 1), today=dt.date(2026, 5, 1))
    assert update.title == "Was wir im März 2026 umgesetzt haben"
    assert update.markdown.startswith("# Was wir im März 2026 umgesetzt haben\n\n1 Verbesserung in diesem Monat")
    assert "als Antwort auf Ideen von 2 Personen. Danke!" in update.markdown
    assert "Umgesetzt am 02.03.2026." in update.markdown and "- Gewünscht von 2 Personen" in update.markdown


def test_impact_figures_use_the_languages_decimal_sign():
    figure = nps_impact(12.5, 40.5)
    with i18n.using("de"):
        assert figure.summary == "NPS 12,5 → 40,5 (+28)"
    assert figure.summary == "NPS 12.5 → 40.5 (+28)"


def test_every_text_ships_a_wording_that_passes_its_own_check_in_every_language():
    for key in text_templates.TEMPLATES:
        for language in i18n.LANGUAGES:
            body = text_templates.shipped(key, language)
            assert text_templates.problems(key, body) == [], (key, language)
            with i18n.using(language):
                assert text_templates.preview(key, body).strip()
