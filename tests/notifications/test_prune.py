"""`prune_notifications` deletes notifications whose last event is more than 90 days old,
recounts the bells of readers who had them unread, and is safe to run twice."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from notifications import jobs, services
from notifications.models import Kind, Notification, NotificationActor
from tests.conftest import make_story, make_user
from tests.notifications.conftest import unread

pytestmark = pytest.mark.django_db


def test_old_notifications_go_and_the_bell_follows(alice, bob, lifehack, monkeypatch):
    monkeypatch.setattr(services, "CHUNK", 2)  # several chunks
    story = make_story(creator=alice, community=lifehack)
    now = timezone.now()
    for n, days in enumerate([91, 95, 120, 89, 1]):
        services.notify(
            kind=Kind.SUBSCRIBER,
            recipient=alice,
            key=f"subscriber:{n}",
            actor=make_user(f"reader{n}"),
            at=now - timedelta(days=days),
        )
    old_group = services.notify_grouped(
        kind=Kind.LIKES,
        recipient=alice,
        story=story,
        actor=bob,
        day=(now - timedelta(days=100)).date(),
    )
    Notification.objects.filter(pk=old_group.pk).update(updated_at=now - timedelta(days=100))
    read_old = Notification.objects.get(key="subscriber:2")
    services.notification_mark_read(notification=read_old, reader=alice)
    assert unread(alice) == 5

    out = StringIO()
    call_command("prune_notifications", stdout=out)
    assert "Deleted 4 notifications older than 90 days." in out.getvalue()
    assert sorted(Notification.objects.values_list("key", flat=True)) == [
        "subscriber:3",
        "subscriber:4",
    ]
    assert not NotificationActor.objects.exists()
    assert unread(alice) == 2

    assert jobs.prune_notifications.call() == 0  # again: nothing left to do
    assert Notification.objects.count() == 2 and unread(alice) == 2
