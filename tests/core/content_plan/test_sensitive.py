"""Sensitive topics: a visible disclaimer, a help path from the library and a compliance review
before approval; a change to the disclaimer or the help path voids the review."""

from __future__ import annotations

import pytest

from core.content_plan import posts, readiness, sensitive
from core.errors import ConflictError, PermissionDenied, ValidationError
from db.models import HelpPathCreate, Post, SensitiveTopicSave
from tests.factories import make_ready_post

HELPLINE = HelpPathCreate(
    title="Telefonseelsorge", url="https://www.telefonseelsorge.de", when_to_use="Thoughts of suicide or self-harm"
)


@pytest.fixture
def library(write, team):
    with write() as s:
        return sensitive.add_help_path(session=s, actor=team["compliance"], path=HELPLINE).id


def _post(session, team, channel, status="in_review"):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status=status, owner_id=team["editor"].id
    )
    session.commit()
    return post.id


def _approve(write, team, post_id, version=1):
    with write() as s:
        return posts.change_status(
            session=s, actor=team["lead"], post_id=post_id, expected_version=version, target="approved"
        )


def test_a_sensitive_post_needs_disclaimer_help_path_and_review_before_approval(
    write, read, session, team, channel, library
):
    post_id = _post(session, team, channel, status="draft")
    with write() as s:
        sensitive.save_sensitive_topic(session=s, actor=team["editor"], post_id=post_id, topic=SensitiveTopicSave())
        posts.submit_post(session=s, actor=team["editor"], post_id=post_id, expected_version=1)
    with pytest.raises(ValidationError) as caught:
        _approve(write, team, post_id, version=2)
    message = str(caught.value)
    for expected in ("visible disclaimer", "help-path link", "compliance review"):
        assert expected in message
    with write() as s, pytest.raises(ValidationError, match="disclaimer and the help path"):
        sensitive.review_sensitive(session=s, actor=team["compliance"], post_id=post_id)


def test_review_then_approval_and_a_change_voids_the_review(write, read, session, team, channel, library):
    post_id = _post(session, team, channel, status="draft")
    topic = SensitiveTopicSave(
        disclaimer="This post talks about suicide. Help is available 24/7.", help_path_id=library
    )
    with write() as s:
        sensitive.save_sensitive_topic(session=s, actor=team["editor"], post_id=post_id, topic=topic)
        sensitive.review_sensitive(session=s, actor=team["compliance"], post_id=post_id)
    with read() as s:
        found = sensitive.sensitivity(s, post_id=post_id)
        check = readiness.check_post(s, draft=s.get(Post, post_id), post_id=post_id)
    assert found.reviewed_by == "Carl Compliance" and found.help_path == "Telefonseelsorge"
    assert [i.ok for i in check.checklist if i.key.startswith("sensitive_")] == [True, True, True]

    with write() as s:
        sensitive.save_sensitive_topic(
            session=s, actor=team["editor"], post_id=post_id, topic=topic.model_copy(update={"disclaimer": "Shorter."})
        )
    with read() as s:
        assert sensitive.sensitivity(s, post_id=post_id).reviewed_at is None
    with write() as s:
        sensitive.review_sensitive(session=s, actor=team["admin"], post_id=post_id)
        posts.submit_post(session=s, actor=team["editor"], post_id=post_id, expected_version=1)
    assert _approve(write, team, post_id, version=2).post.status == "approved"
    with write() as s, pytest.raises(ValidationError, match="back to draft"):
        sensitive.save_sensitive_topic(session=s, actor=team["lead"], post_id=post_id, topic=topic)


def test_only_compliance_and_admin_review_and_the_library_is_kept_by_lead_compliance_admin(
    write, session, team, channel, library
):
    post_id = _post(session, team, channel, status="draft")
    with write() as s:
        sensitive.save_sensitive_topic(
            session=s,
            actor=team["editor"],
            post_id=post_id,
            topic=SensitiveTopicSave(disclaimer="Careful.", help_path_id=library),
        )
    for role in ("lead", "editor", "community"):
        with write() as s, pytest.raises(PermissionDenied):
            sensitive.review_sensitive(session=s, actor=team[role], post_id=post_id)
    with write() as s, pytest.raises(PermissionDenied):
        sensitive.add_help_path(session=s, actor=team["editor"], path=HELPLINE)
    with write() as s, pytest.raises(ConflictError):
        sensitive.add_help_path(session=s, actor=team["lead"], path=HELPLINE)
    with write() as s, pytest.raises(ValidationError, match="https"):
        sensitive.add_help_path(
            session=s, actor=team["lead"], path=HelpPathCreate(title="Other", url="telefonseelsorge.de")
        )
    with write() as s:
        sensitive.archive_help_path(session=s, actor=team["lead"], help_path_id=library)
    with write() as s, pytest.raises(ValidationError, match="archived"):
        sensitive.save_sensitive_topic(
            session=s,
            actor=team["editor"],
            post_id=post_id,
            topic=SensitiveTopicSave(disclaimer="Careful.", help_path_id=library),
        )


def test_a_post_not_marked_sensitive_is_approved_as_before(write, session, team, channel):
    post_id = _post(session, team, channel)
    assert _approve(write, team, post_id).post.status == "approved"
