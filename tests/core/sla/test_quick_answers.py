"""The quick-answer library: search, usage counts, and who may change it."""

from __future__ import annotations

import pytest

from core.errors import ConflictError, PermissionDenied, ValidationError
from core.sla import quick_answers
from db.models import QuickAnswerCreate, QuickAnswerUpdate, Role
from tests.factories import make_quick_answer, make_user


@pytest.fixture
def library(session):
    make_quick_answer(
        session, title="Reset your password", category="login", text="Tap 'Forgot password'.", use_count=3
    )
    make_quick_answer(
        session, title="Where is my invoice?", category="billing", text="Settings → Billing → History.", use_count=9
    )
    make_quick_answer(
        session,
        title="Refund request",
        category="billing",
        text="Send us the order number; 100% refund within 14 days.",
    )
    session.commit()


@pytest.mark.parametrize(
    "query, category, titles",
    [
        ("", None, ["Where is my invoice?", "Reset your password", "Refund request"]),  # most used first
        ("PASSWORD", None, ["Reset your password"]),
        ("billing", None, ["Where is my invoice?", "Refund request"]),  # the category is searched too
        ("order number", None, ["Refund request"]),  # every word must match
        ("invoice", "login", []),
        ("", "billing", ["Where is my invoice?", "Refund request"]),
        ("100%", None, ["Refund request"]),  # LIKE wildcards are taken literally
        ("%", None, ["Refund request"]),
    ],
)
def test_search_by_words_and_category(session, library, query, category, titles):
    assert [a.title for a in quick_answers.search(session, query=query, category=category)] == titles


def test_support_adds_and_edits_answers_with_version_checks(session):
    support = make_user(session, Role.support)
    answer = quick_answers.create_quick_answer(
        session=session,
        actor=support,
        answer_in=QuickAnswerCreate(
            title=" Two-factor ",
            text="Settings → Security.",
            category="login",
            link="https://example.com/2fa",
            kind="faq",
        ),
    )
    assert answer.title == "Two-factor" and answer.use_count == 0
    edited = quick_answers.update_quick_answer(
        session=session,
        actor=support,
        quick_answer_id=answer.id,
        expected_version=answer.version,
        answer_in=QuickAnswerUpdate(title="Two-factor sign-in", text="Settings → Security.", category="login"),
    )
    assert edited.version == answer.version + 1
    with pytest.raises(ConflictError):
        quick_answers.update_quick_answer(
            session=session,
            actor=support,
            quick_answer_id=answer.id,
            expected_version=answer.version,
            answer_in=QuickAnswerUpdate(title="Old", text="Old"),
        )
    assert quick_answers.categories(session) == ["login"]


@pytest.mark.parametrize("role", [Role.community, Role.lead, Role.editor, Role.viewer])
def test_roles_without_the_library_right_cannot_change_it(session, role):
    actor = make_user(session, role)
    with pytest.raises(PermissionDenied):
        quick_answers.create_quick_answer(
            session=session, actor=actor, answer_in=QuickAnswerCreate(title="Mine", text="Text")
        )


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"title": ""}, "title"),
        ({"text": "  "}, "answer text"),
        ({"link": "ftp://example.com"}, "https://"),
        ({"kind": "poem"}, "kind"),
        ({"title": "x" * 201}, "200"),
    ],
)
def test_invalid_answers_are_refused(session, fields, message):
    support = make_user(session, Role.support)
    arguments = {"title": "Title", "text": "Text"} | fields
    with pytest.raises(ValidationError, match=message):
        quick_answers.create_quick_answer(session=session, actor=support, answer_in=QuickAnswerCreate(**arguments))
