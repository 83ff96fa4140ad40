"""/notifications/: the reader's own, newest first, unread marked; "Mark as read" and "Mark all
as read" are POST forms; anyone else's notification or a bad id is a 404. The bell in the header
shows the unread count and costs no query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import services, views
from notifications.models import Kind, Notification
from tests.conftest import make_story, make_user
from tests.notifications.conftest import unread

pytestmark = pytest.mark.django_db


def subscribed_by(creator, n: int) -> list[Notification]:
    now = timezone.now()
    return [
        services.notify(
            kind=Kind.SUBSCRIBER,
            recipient=creator,
            key=f"subscriber:{i}",
            actor=make_user(f"reader{i}", display_name=f"Reader {i}"),
            at=now - timedelta(minutes=n - i),
        )
        for i in range(n)
    ]


def test_the_list_is_newest_first_with_unread_marked(client, alice, django_assert_num_queries):
    made = subscribed_by(alice, 3)
    services.notification_mark_read(notification=made[0], reader=alice)
    client.force_login(alice)
    # session from the cache; user; the count; the page of notifications with their actors
    with django_assert_num_queries(3):
        html = client.get("/notifications/").content.decode()
    assert html.index("Reader 2 subscribed") < html.index("Reader 1 subscribed")
    assert html.index("Reader 1 subscribed") < html.index("Reader 0 subscribed")
    assert html.count("notification--unread") == 2
    assert html.count("Mark as read<") == 2
    assert "2 unread" in html and "Mark all as read" in html


def test_the_list_pages(client, alice, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 2)
    subscribed_by(alice, 5)
    client.force_login(alice)
    second = client.get("/notifications/?page=2").content.decode()
    assert "Reader 2 subscribed" in second and "Reader 1 subscribed" in second
    assert "Reader 4 subscribed" not in second
    assert client.get("/notifications/?page=junk").status_code == 200
    assert client.get("/notifications/?page=99999999999999999999").status_code == 200


def test_an_empty_list_says_what_will_show(client, alice):
    client.force_login(alice)
    html = client.get("/notifications/").content.decode()
    assert "Nothing yet." in html and "Mark all as read" not in html


def test_mark_one_then_all_as_read(client, alice):
    made = subscribed_by(alice, 3)
    client.force_login(alice)
    response = client.post(f"/notifications/{made[1].pk}/read/", {"page": "1"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?page=1"
    assert unread(alice) == 2
    assert Notification.objects.get(pk=made[1].pk).read_at is not None
    response = client.post("/notifications/read-all/", {"page": "<script>"})
    assert response["Location"] == "/notifications/"
    assert unread(alice) == 0
    page = client.get("/notifications/").content.decode()
    assert "All read" in page and "notification--unread" not in page


def test_someone_elses_or_a_missing_notification_is_not_found(client, alice, bob):
    (theirs,) = subscribed_by(bob, 1)
    client.force_login(alice)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post("/notifications/999999999/read/").status_code == 404
    assert client.post("/notifications/99999999999999999999999/read/").status_code == 404
    assert client.post("/notifications/abc/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert "Reader 0" not in client.get("/notifications/").content.decode()


def test_a_notification_made_for_email_only_is_not_found_either(client, alice, bob):
    alice.email = "alice@example.com"
    alice.save()
    services.preferences_update(user=alice, in_app=[], email=[Kind.SUBSCRIBER], mode="instant")
    (hidden,) = subscribed_by(alice, 1)
    client.force_login(alice)
    assert client.post(f"/notifications/{hidden.pk}/read/").status_code == 404


def test_get_anonymous_and_the_wrong_method(client, alice):
    (made,) = subscribed_by(alice, 1)
    assert client.get("/notifications/")["Location"].startswith("/accounts/login/")
    assert client.post(f"/notifications/{made.pk}/read/")["Location"].startswith("/accounts/")
    assert client.post("/notifications/read-all/")["Location"].startswith("/accounts/")
    client.force_login(alice)
    assert client.get(f"/notifications/{made.pk}/read/").status_code == 405
    assert client.get("/notifications/read-all/").status_code == 405
    assert unread(alice) == 1


def test_the_bell_shows_the_count(client, alice, bob, lifehack):
    # That it costs no query is the story page's and listings' pins (tests/core/test_pagecache.py,
    # tests/stories/test_views.py), unchanged by the bell.
    story = make_story(creator=alice, community=lifehack)
    client.force_login(bob)
    html = client.get(story.get_absolute_url()).content.decode()
    assert 'class="bell"' in html and "bell__count" not in html
    assert '<span class="visually-hidden">Notifications</span>' in html
    subscribed_by(bob, 3)
    html = client.get(story.get_absolute_url()).content.decode()
    assert '<span class="bell__count" aria-hidden="true">3</span>' in html
    assert '<span class="visually-hidden">Notifications, 3 unread</span>' in html
    client.logout()
    assert 'class="bell' not in client.get(story.get_absolute_url()).content.decode()


def test_the_bell_says_99_plus_past_99(client, bob):
    bob.__class__.objects.filter(pk=bob.pk).update(unread_notifications=150)
    client.force_login(bob)
    html = client.get("/explore/").content.decode()
    assert '<span class="bell__count" aria-hidden="true">99+</span>' in html
    assert "Notifications, 150 unread" in html
