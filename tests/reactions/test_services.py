"""Liking and saving: once per reader, undone by a second click, the count follows every way a
like goes, and `story_liked` is sent once the like is committed, never for an un-like."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from reactions import services
from reactions.models import Like, SavedStory
from reactions.signals import story_liked
from stories.models import Story
from tests.conftest import make_story, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(alice, lifehack) -> Story:
    return make_story(creator=alice, community=lifehack, title="Tomatoes in August")


def like_count(story: Story) -> int:
    return Story.objects.values_list("like_count", flat=True).get(pk=story.pk)


@pytest.fixture
def sent():
    """Every story_liked sent during the test, as (like, story, reader)."""
    calls = []

    def receiver(sender, like, story, reader, **kwargs):
        calls.append((like, story, reader))

    story_liked.connect(receiver, dispatch_uid="tests.reactions.sent")
    yield calls
    story_liked.disconnect(dispatch_uid="tests.reactions.sent")


# --- likes --------------------------------------------------------------------------------------


def test_a_like_is_made_once_and_counted(bob, story):
    assert services.like_add(story=story, reader=bob) is True
    assert services.like_add(story=story, reader=bob) is False  # a double click
    assert Like.objects.filter(story=story, reader=bob).count() == 1
    assert like_count(story) == 1


def test_unlike_removes_it_and_the_count_follows(bob, story):
    services.like_add(story=story, reader=bob)
    services.like_add(story=story, reader=make_user())
    assert like_count(story) == 2
    assert services.like_remove(story=story, reader=bob) is True
    assert services.like_remove(story=story, reader=bob) is False
    assert like_count(story) == 1
    assert not Like.objects.filter(reader=bob).exists()


def test_like_again_after_unlike(bob, story):
    services.like_add(story=story, reader=bob)
    services.like_remove(story=story, reader=bob)
    assert services.like_add(story=story, reader=bob) is True
    assert like_count(story) == 1


def test_the_creator_cannot_like_their_own_story(alice, story):
    with pytest.raises(ValidationError, match="your own story"):
        services.like_add(story=story, reader=alice)
    assert like_count(story) == 0


@pytest.mark.parametrize("status", [Story.Status.DRAFT, Story.Status.SUBMITTED])
def test_an_unpublished_story_takes_no_like_or_save(alice, bob, lifehack, status):
    draft = make_story(creator=alice, community=lifehack, status=status)
    with pytest.raises(ValidationError):
        services.like_add(story=draft, reader=bob)
    with pytest.raises(ValidationError):
        services.save_add(story=draft, reader=bob)
    assert not Like.objects.exists() and not SavedStory.objects.exists()


def test_the_count_follows_a_deleted_account_and_an_admin_delete(bob, story):
    carol = make_user()
    services.like_add(story=story, reader=bob)
    services.like_add(story=story, reader=carol)
    carol.delete()  # a cascade: no service is called
    assert like_count(story) == 1
    Like.objects.get(reader=bob).delete()  # as the admin does
    assert like_count(story) == 0


def test_story_liked_is_sent_on_commit_with_the_like(
    bob, story, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.like_add(story=story, reader=bob)
        assert sent == []  # not before the commit
    like = Like.objects.get()
    assert sent == [(like, story, bob)]


def test_story_liked_is_not_sent_for_a_second_like_or_an_unlike(
    bob, story, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.like_add(story=story, reader=bob)
    with django_capture_on_commit_callbacks(execute=True):
        services.like_add(story=story, reader=bob)
        services.like_remove(story=story, reader=bob)
    assert len(sent) == 1


def test_a_refused_like_sends_nothing(alice, story, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.like_add(story=story, reader=alice)
    assert sent == []


# --- saves --------------------------------------------------------------------------------------


def test_save_is_made_once_and_removed_by_id(bob, story):
    assert services.save_add(story=story, reader=bob) is True
    assert services.save_add(story=story, reader=bob) is False
    assert SavedStory.objects.filter(reader=bob).count() == 1
    assert services.save_remove(story_id=story.pk, reader=bob) is True
    assert services.save_remove(story_id=story.pk, reader=bob) is False
    assert not SavedStory.objects.exists()


def test_the_creator_may_save_their_own_story(alice, story):
    assert services.save_add(story=story, reader=alice) is True


def test_an_unpublished_story_can_still_be_removed_from_the_library(bob, story, sam):
    from stories.services import story_unpublish

    services.save_add(story=story, reader=bob)
    story_unpublish(story=story, actor=sam, reason="Off topic.")
    assert services.save_remove(story_id=story.pk, reader=bob) is True


def test_saves_are_each_readers_own(bob, story):
    carol = make_user()
    services.save_add(story=story, reader=bob)
    assert services.save_remove(story_id=story.pk, reader=carol) is False
    assert SavedStory.objects.filter(reader=bob).exists()
