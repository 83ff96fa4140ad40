"""The reader's switches decide: a kind off on the site makes no line and no number; email
off, instant or in the daily digest; kinds another app already emails are never emailed
here. The settings page shows the switches, and its form saves them (POST only)."""

from __future__ import annotations

import pytest
from django.core import mail

from notifications import services
from notifications.models import EmailSettings, Kind, KindPreference, Notification
from subscriptions.services import subscription_create
from tests.conftest import make_story, make_user
from tests.notifications.conftest import unread, with_email

pytestmark = pytest.mark.django_db


def subscribe(reader, creator, run_jobs) -> None:
    with run_jobs():
        subscription_create(subscriber=reader, creator=creator)


def test_a_kind_switched_off_everywhere_makes_nothing(alice, bob, run_jobs):
    with_email(alice)
    services.preferences_update(user=alice, in_app=[], email=[], mode="instant")
    subscribe(bob, alice, run_jobs)
    assert not Notification.objects.exists()
    assert unread(alice) == 0 and mail.outbox == []


def test_in_app_off_but_email_on_sends_the_email_only(alice, bob, run_jobs):
    with_email(alice)
    services.preferences_update(user=alice, in_app=[], email=[Kind.SUBSCRIBER], mode="instant")
    subscribe(bob, alice, run_jobs)
    assert unread(alice) == 0
    assert not Notification.objects.listed_for(alice).exists()
    (message,) = mail.outbox
    assert message.subject == "Bob Reader subscribed to you"


def test_no_notification_email_unless_asked_for(alice, bob, run_jobs):
    with_email(alice)
    subscribe(bob, alice, run_jobs)
    assert mail.outbox == [] and unread(alice) == 1


def test_an_instant_email_for_a_kind_ticked_by_email(alice, bob, run_jobs):
    with_email(alice)
    services.preferences_update(
        user=alice, in_app=Kind.values, email=[Kind.SUBSCRIBER], mode="instant"
    )
    subscribe(bob, alice, run_jobs)
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "Bob Reader subscribed to you"
    assert "https://byline.example/authors/bob/" in message.body
    assert "https://byline.example/settings/#notifications" in message.body
    assert unread(alice) == 1


def test_email_switched_off_for_a_kind_or_altogether(alice, bob, run_jobs):
    with_email(alice)
    services.preferences_update(user=alice, in_app=Kind.values, email=[Kind.TIP], mode="instant")
    subscribe(bob, alice, run_jobs)
    services.preferences_update(user=alice, in_app=Kind.values, email=[Kind.SUBSCRIBER], mode="off")
    subscribe(make_user("carol"), alice, run_jobs)
    assert mail.outbox == []
    assert unread(alice) == 2


def test_no_address_no_email(alice, bob, run_jobs):
    services.preferences_update(
        user=alice, in_app=Kind.values, email=[Kind.SUBSCRIBER], mode="instant"
    )
    subscribe(bob, alice, run_jobs)
    assert mail.outbox == [] and unread(alice) == 1


def test_digest_mode_waits_for_the_digest(alice, bob, run_jobs):
    with_email(alice)
    services.preferences_update(
        user=alice, in_app=Kind.values, email=[Kind.SUBSCRIBER], mode="digest"
    )
    subscribe(bob, alice, run_jobs)
    assert mail.outbox == []
    assert Notification.objects.get(recipient=alice).email == Notification.Email.DIGEST


def test_kinds_emailed_elsewhere_are_not_emailed_again(alice, bob, lifehack, run_jobs):
    with_email(bob)
    services.preferences_update(user=bob, in_app=Kind.values, email=Kind.values, mode="instant")
    story = make_story(creator=alice, community=lifehack)
    from comments.services import comment_create

    first = comment_create(story=story, author=bob, body="Hello.")
    with run_jobs():
        comment_create(story=story, author=alice, body="Hi!", parent_id=first.pk)
    # The comments app's own reply email, not a second one from notifications.
    assert [m.subject for m in mail.outbox] == [
        f"Alice Walker replied to your comment on “{story.title}”"
    ]
    assert Notification.objects.get(recipient=bob).email == ""


def test_the_settings_page_shows_the_switches_and_the_form_saves_them(client, alice):
    client.force_login(alice)
    page = client.get("/settings/").content.decode()
    assert 'id="notifications"' in page and 'action="/settings/notifications/"' in page
    assert 'name="new_story_in_app" id="id_new_story_in_app" checked' in page
    assert 'name="new_story_email"' not in page  # emailed on its own
    assert 'name="tip_email" id="id_tip_email">' in page  # emails are asked for, not assumed
    assert (
        'name="likes_email"' in page
        and 'name="likes_email" id="id_likes_email" checked' not in page
    )
    response = client.post(
        "/settings/notifications/",
        {"tip_in_app": "on", "likes_email": "on", "mode": "digest"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/settings/#notifications"
    switches = {p.kind: (p.in_app, p.email) for p in KindPreference.objects.filter(user=alice)}
    assert switches[Kind.TIP] == (True, False)
    assert switches[Kind.LIKES] == (False, True)
    assert switches[Kind.NEW_STORY] == (False, False)
    assert EmailSettings.objects.get(user=alice).mode == "digest"
    page = client.get("/settings/").content.decode()
    assert 'value="digest" id="id_mode_1" required checked>' in page


def test_the_settings_form_refuses_a_forged_mode_and_a_get(client, alice):
    client.force_login(alice)
    response = client.post("/settings/notifications/", {"mode": "hourly"}, follow=True)
    assert "could not be saved" in response.content.decode()
    assert not EmailSettings.objects.exists()
    assert client.get("/settings/notifications/").status_code == 405
    client.logout()
    assert client.post("/settings/notifications/", {"mode": "off"}).status_code == 302
    assert not EmailSettings.objects.exists()
