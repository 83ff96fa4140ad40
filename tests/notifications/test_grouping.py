"""Likes and insights are grouped per recipient, story and day: one line that counts the
people ("12 people liked …"), each person once, made unread again and moved up as people join.
Likes come from reactions' real service, through its `story_liked` signal."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from insights.services import insight_save, insight_withdraw
from notifications import receivers, services
from notifications.models import Kind, Notification
from reactions.services import like_add, like_remove
from stories.models import Story
from tests.conftest import make_story, make_user
from tests.insights.insights_helpers import default_choices
from tests.notifications.conftest import unread

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(alice, lifehack) -> Story:
    return make_story(creator=alice, community=lifehack, title="Tomatoes in March")


def like(story: Story, reader) -> None:
    """A like as the story page makes it; an un-like first if the reader liked it already."""
    like_remove(story=story, reader=reader)
    like_add(story=story, reader=reader)


def groups(user, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind).order_by("pk"))


def test_twelve_likes_in_a_day_are_one_line(alice, story, run_jobs):
    readers = [make_user(f"reader{i}", display_name=f"Reader {i}") for i in range(12)]
    with run_jobs():
        like(story, readers[0])
    (group,) = groups(alice, Kind.LIKES)
    assert group.summary == "Reader 0 liked “Tomatoes in March”"
    assert group.detail == ""
    with run_jobs():
        for reader in readers[1:]:
            like(story, reader)
    (group,) = groups(alice, Kind.LIKES)
    assert group.count == 12
    assert group.summary == "12 people liked “Tomatoes in March”"
    assert group.detail == "Latest: Reader 11"
    assert unread(alice) == 1


def test_a_person_counts_once_however_often_they_like(alice, bob, story, run_jobs):
    with run_jobs():
        like(story, bob)
        like(story, bob)  # un-liked and liked again
    (group,) = groups(alice, Kind.LIKES)
    assert group.count == 1


def test_insights_group_the_same_way(alice, bob, story, run_jobs):
    carol, dan = make_user("carol"), make_user("dan")
    rating = default_choices().nice  # made again if a flush removed them
    with run_jobs():
        for reader in (bob, carol, dan):
            insight_save(story=story, reader=reader, rating_id=rating.pk, quality_ids=[])
        insight_withdraw(story=story, reader=bob)
        insight_save(story=story, reader=bob, rating_id=rating.pk, quality_ids=[])
    (group,) = groups(alice, Kind.INSIGHTS)
    assert group.summary == "3 readers left insights on “Tomatoes in March”"


def test_groups_are_per_story_and_per_day(alice, bob, lifehack, story):
    other = make_story(creator=alice, community=lifehack, title="Beans")
    today = timezone.localdate()
    carol = make_user("carol")
    services.notify_grouped(kind=Kind.LIKES, recipient=alice, story=story, actor=bob, day=today)
    services.notify_grouped(kind=Kind.LIKES, recipient=alice, story=other, actor=bob, day=today)
    services.notify_grouped(
        kind=Kind.LIKES, recipient=alice, story=story, actor=carol, day=today - timedelta(days=1)
    )
    services.notify_grouped(kind=Kind.INSIGHTS, recipient=alice, story=story, actor=bob, day=today)
    assert [(g.kind, g.story_id, g.key.rsplit(":", 1)[1]) for g in groups(alice, Kind.LIKES)] == [
        (Kind.LIKES, story.pk, today.isoformat()),
        (Kind.LIKES, other.pk, today.isoformat()),
        (Kind.LIKES, story.pk, (today - timedelta(days=1)).isoformat()),
    ]
    assert unread(alice) == 4


def test_someone_new_makes_a_read_group_unread_and_moves_it_up(alice, bob, story):
    day = date(2026, 3, 1)
    group = services.notify_grouped(
        kind=Kind.LIKES, recipient=alice, story=story, actor=bob, day=day
    )
    services.notification_mark_read(notification=group, reader=alice)
    assert unread(alice) == 0
    first_moment = Notification.objects.get(pk=group.pk).updated_at
    # The same person again changes nothing: still read.
    services.notify_grouped(kind=Kind.LIKES, recipient=alice, story=story, actor=bob, day=day)
    assert unread(alice) == 0
    services.notify_grouped(
        kind=Kind.LIKES, recipient=alice, story=story, actor=make_user("carol"), day=day
    )
    group.refresh_from_db()
    assert group.read_at is None and group.count == 2 and group.updated_at > first_moment
    assert unread(alice) == 1


def test_the_creators_own_like_and_suspended_readers_count_for_nothing(alice, bob, story, run_jobs):
    bob.is_active = False
    bob.save()
    with run_jobs():
        # reactions refuses a creator's like of their own story; notifications ignores one too
        receivers.story_liked(sender=None, like=object(), story=story, reader=alice)
        like(story, bob)
    assert not Notification.objects.exists()


def test_only_grouped_kinds_group(alice, bob, story):
    with pytest.raises(ValueError):
        services.notify_grouped(kind=Kind.TIP, recipient=alice, story=story, actor=bob)
