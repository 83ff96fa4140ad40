"""The bell's number (User.unread_notifications) is exact: after events, marking one or all
read, pruning, a story deleted with its notifications; and a whole-row save of the user, by a
form loaded before a notification came, never writes back an old number."""

from __future__ import annotations

import pytest

from comments.services import comment_create
from creators.models import User
from notifications import services
from notifications.models import Kind, Notification
from stories.services import story_delete
from subscriptions.services import subscription_create
from tests.conftest import make_story, make_user
from tests.notifications.conftest import unread

pytestmark = pytest.mark.django_db


def actual(user) -> int:
    return Notification.objects.unread().filter(recipient=user).count()


def test_the_number_follows_events_and_marking_read(alice, bob, lifehack, run_jobs):
    story = make_story(creator=alice, community=lifehack)
    with run_jobs():
        for i in range(3):
            subscription_create(subscriber=make_user(f"reader{i}"), creator=alice)
        first = comment_create(story=story, author=alice, body="Hello.")
        comment_create(story=story, author=bob, body="Hi!", parent_id=first.pk)
        services.notify_grouped(kind=Kind.LIKES, recipient=alice, story=story, actor=bob)
    assert unread(alice) == actual(alice) == 5
    one = Notification.objects.filter(recipient=alice).first()
    assert services.notification_mark_read(notification=one, reader=alice)
    assert not services.notification_mark_read(notification=one, reader=alice)  # again
    assert unread(alice) == actual(alice) == 4
    assert services.notifications_mark_all_read(reader=alice) == 4
    assert unread(alice) == actual(alice) == 0


def test_a_form_loaded_before_a_notification_does_not_write_back_an_old_number(alice, bob):
    stale = User.objects.get(pk=alice.pk)  # a request loads the user …
    subscription_create(subscriber=bob, creator=alice)
    services.notify(kind=Kind.SUBSCRIBER, recipient=alice, key="subscriber:1", actor=bob)
    stale.first_name = "Alicia"
    stale.set_password("a new long password 7")
    stale.save()  # … and saves the whole row, as the password-change form does
    fresh = User.objects.get(pk=alice.pk)
    assert fresh.first_name == "Alicia" and fresh.check_password("a new long password 7")
    assert fresh.unread_notifications == 1


def test_deleting_a_story_recounts_the_readers_who_had_it_unread(alice, bob, lifehack, run_jobs):
    story = make_story(creator=alice, community=lifehack)
    services.notify_many(
        kind=Kind.NEW_STORY, recipient_ids=[bob.pk], key="new_story:x", story=story
    )
    assert unread(bob) == 1
    with run_jobs():
        story_delete(story=story, actor=alice)
    assert unread(bob) == actual(bob) == 0


def test_a_reader_with_switches_off_is_not_counted(alice, bob):
    services.preferences_update(user=alice, in_app=[], email=[Kind.SUBSCRIBER], mode="instant")
    alice.email = "alice@example.com"
    alice.save()
    made = services.notify(kind=Kind.SUBSCRIBER, recipient=alice, key="subscriber:1", actor=bob)
    assert made is not None and not made.in_app  # for the email only
    assert unread(alice) == 0
