"""The story lifecycle: every allowed transition, every refused one, all of them recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from stories.models import Story, StoryEdit, StoryTransition
from stories.services import (
    story_publish,
    story_request_changes,
    story_submit,
    story_unpublish,
    story_update,
    story_withdraw,
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


# --- creators' side and edits of published stories --------------------------------------------


def test_an_untitled_or_empty_story_cannot_be_submitted(alice, lifehack):
    empty = make_story(creator=alice, community=lifehack, status=Status.DRAFT, body="")
    with pytest.raises(ValidationError, match="Write your story"):
        story_submit(story=empty, actor=alice)
    assert Story.objects.get(pk=empty.pk).status == Status.DRAFT


def test_withdraw_returns_a_submitted_story_to_draft(draft, alice):
    story_submit(story=draft, actor=alice)
    story_withdraw(story=draft, actor=alice)
    assert Story.objects.get(pk=draft.pk).status == Status.DRAFT
    with pytest.raises(ValidationError):
        story_withdraw(story=draft, actor=alice)


def test_a_submitted_story_cannot_be_changed(draft, alice):
    story_submit(story=draft, actor=alice)
    with pytest.raises(ValidationError, match="awaiting review"):
        story_update(story=draft, data={"title": "Changed"})


def test_updating_a_published_story_writes_a_pending_edit(alice, sam, lifehack):
    story = make_story(creator=alice, community=lifehack, title="Live", tags=["one"])
    target = story_update(story=story, data={"title": "Better"}, tags=["two"])
    assert isinstance(target, StoryEdit)
    assert Story.objects.get(pk=story.pk).title == "Live"
    assert target.title == "Better" and target.tag_names == "two"
    with pytest.raises(ValidationError, match="no changes awaiting review"):
        story_publish(story=story, actor=sam)  # not submitted yet
    story_submit(story=story, actor=alice)
    with pytest.raises(ValidationError):
        story_submit(story=story, actor=alice)  # already submitted
    story_request_changes(story=story, actor=sam, reason="Keep the old title.")
    assert Story.objects.get(pk=story.pk).status == Status.PUBLISHED
    assert StoryEdit.objects.get().status == StoryEdit.Status.CHANGES_REQUESTED
    assert story.transitions.first().is_edit


def test_a_published_story_with_no_changes_has_nothing_to_submit(alice, lifehack):
    story = make_story(creator=alice, community=lifehack)
    with pytest.raises(ValidationError, match="no changes to submit"):
        story_submit(story=story, actor=alice)


def test_the_creator_is_emailed_the_outcome_of_a_review(
    draft, alice, sam, mailoutbox, django_capture_on_commit_callbacks
):
    alice.email = "alice@example.com"
    alice.save()
    story_submit(story=draft, actor=alice)
    with django_capture_on_commit_callbacks(execute=True):
        story_request_changes(story=draft, actor=sam, reason="Add a source for the numbers.")
    story_submit(story=draft, actor=alice)
    with django_capture_on_commit_callbacks(execute=True):
        story_publish(story=draft, actor=sam)
    sent_back, published = mailoutbox
    assert sent_back.to == ["alice@example.com"]
    assert "Add a source for the numbers." in sent_back.body
    assert f"/write/{draft.pk}/" in sent_back.body
    assert published.subject == f"Your “{draft.title}” is live"
    assert draft.get_absolute_url() in published.body


def test_the_slug_follows_the_title_until_first_publication(alice, sam, lifehack):
    story = make_story(creator=alice, community=lifehack, status=Status.DRAFT, title="Working")
    story_update(story=story, data={"title": "Final title"})
    story_submit(story=story, actor=alice)
    story_publish(story=story, actor=sam)
    assert Story.objects.get(pk=story.pk).slug == "final-title"
