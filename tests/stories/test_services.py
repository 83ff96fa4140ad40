"""The story lifecycle: every allowed transition, every refused one, all of them recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from stories.models import Story, StoryTransition
from stories.services import (
    story_publish,
    story_request_changes,
    story_submit,
    story_unpublish,
)
from stories.signals import story_published
from tests.conftest import make_story

pytestmark = pytest.mark.django_db
Status = Story.Status


@pytest.fixture
def draft(alice, lifehack) -> Story:
    return make_story(creator=alice, community=lifehack, status=Status.DRAFT)


def test_submit_then_publish_records_who_and_when(draft, alice, sam):
    story_submit(story=draft, actor=alice)
    story_publish(story=draft, actor=sam)
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    assert draft.published_at is not None
    history = list(draft.transitions.order_by("created_at", "pk"))
    assert [(t.from_status, t.to_status, t.actor) for t in history] == [
        (Status.DRAFT, Status.SUBMITTED, alice),
        (Status.SUBMITTED, Status.PUBLISHED, sam),
    ]


def test_request_changes_needs_a_reason_and_keeps_it(draft, alice, sam):
    story_submit(story=draft, actor=alice)
    with pytest.raises(ValidationError):
        story_request_changes(story=draft, actor=sam, reason="   ")
    story_request_changes(story=draft, actor=sam, reason="Cite your sources.")
    draft.refresh_from_db()
    assert draft.status == Status.CHANGES_REQUESTED
    assert draft.transitions.first().reason == "Cite your sources."
    story_submit(story=draft, actor=alice)  # resubmitting after changes is allowed
    assert draft.status == Status.SUBMITTED


def test_a_draft_cannot_be_published_without_review(draft, sam):
    with pytest.raises(ValidationError):
        story_publish(story=draft, actor=sam)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not StoryTransition.objects.exists()


def test_publishing_twice_is_refused(draft, alice, sam):
    story_submit(story=draft, actor=alice)
    story_publish(story=draft, actor=sam)
    with pytest.raises(ValidationError):
        story_publish(story=draft, actor=sam)


def test_unpublish_takes_a_story_off_public_listings(draft, alice, sam):
    story_submit(story=draft, actor=alice)
    story_publish(story=draft, actor=sam)
    assert Story.objects.published().filter(pk=draft.pk).exists()
    story_unpublish(story=draft, actor=sam, reason="Under review")
    assert not Story.objects.published().filter(pk=draft.pk).exists()


def test_publishing_sends_story_published_once_after_commit(
    draft, alice, sam, django_capture_on_commit_callbacks
):
    received = []

    def listener(sender, story, **kwargs):
        received.append(story.pk)

    story_published.connect(listener)
    try:
        story_submit(story=draft, actor=alice)
        with django_capture_on_commit_callbacks(execute=True):
            story_publish(story=draft, actor=sam)
    finally:
        story_published.disconnect(listener)
    assert received == [draft.pk]


def test_republishing_keeps_the_first_publication_date(draft, alice, sam):
    story_submit(story=draft, actor=alice)
    story_publish(story=draft, actor=sam)
    first = Story.objects.get(pk=draft.pk).published_at
    story_unpublish(story=draft, actor=sam)
    story_submit(story=draft, actor=alice)
    story_publish(story=draft, actor=sam)
    assert Story.objects.get(pk=draft.pk).published_at == first
