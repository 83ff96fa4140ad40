"""The settings page's "Emails" section: three choices, saved for the signed-in user only."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from creators.models import User
from creators.services import email_preferences_update
from stories.models import Story
from stories.services import story_publish
from subscriptions.services import subscription_create
from tests.conftest import make_story, make_user

pytestmark = pytest.mark.django_db

URL = "/settings/emails/"
ALL_ON = {
    "emails-new_stories": "on",
    "emails-comment_replies": "on",
    "emails-story_activity": "on",
}


@pytest.fixture
def as_bob(client: Client, bob: User) -> Client:
    client.force_login(bob)
    return client


def choices(user: User) -> tuple[bool, bool, bool]:
    user.refresh_from_db()
    return (user.email_new_stories, user.email_comment_replies, user.email_story_activity)


def test_the_service_saves_the_three_choices(bob):
    email_preferences_update(
        user=bob, new_stories=False, comment_replies=True, story_activity=False
    )
    assert choices(bob) == (False, True, False)


def test_the_service_takes_keyword_arguments_only(bob):
    with pytest.raises(TypeError):
        email_preferences_update(bob, False, False, False)  # type: ignore[misc]


def test_the_service_leaves_the_profile_alone(alice):
    email_preferences_update(
        user=alice, new_stories=False, comment_replies=False, story_activity=False
    )
    alice.refresh_from_db()
    assert alice.display_name == "Alice Walker" and alice.bio == "Writes about gardens."


def test_the_settings_page_shows_the_emails_section_with_my_choices(as_bob, bob):
    bob.email_comment_replies = False
    bob.email = "bob@example.com"
    bob.save()
    html = as_bob.get("/settings/").content.decode()
    assert html.count("<h1") == 1
    assert 'action="/settings/emails/"' in html and 'id="emails"' in html
    assert "<legend>Emails</legend>" in html
    assert (
        '<input type="checkbox" name="emails-new_stories" id="id_emails-new_stories" checked>'
        in html
    )
    assert (
        '<input type="checkbox" name="emails-comment_replies" id="id_emails-comment_replies">'
        in (html)
    )
    assert (
        '<label for="id_emails-new_stories">New stories from creators I subscribe to</label>'
        in html
    )
    assert '<label for="id_emails-comment_replies">Replies to my comments</label>' in html
    assert '<label for="id_emails-story_activity">Comments and insights on my stories</label>' in (
        html
    )
    assert "Emails go to bob@example.com." in html
    assert "Save email choices</button>" in html


def test_an_account_without_an_address_is_told_so(as_bob):
    assert "Your account has no email address" in as_bob.get("/settings/").content.decode()


def test_turning_emails_off_and_on(as_bob, bob):
    response = as_bob.post(URL, {"emails-comment_replies": "on"}, follow=True)
    assert response.redirect_chain == [("/settings/#emails", 302)]
    assert "Your email choices were saved." in response.content.decode()
    assert choices(bob) == (False, True, False)
    as_bob.post(URL, ALL_ON)
    assert choices(bob) == (True, True, True)


def test_saving_emails_does_not_touch_the_profile(as_bob, bob):
    as_bob.post(URL, {**ALL_ON, "display_name": "Hacked", "bio": "Hacked"})
    bob.refresh_from_db()
    assert bob.display_name == "Bob Reader" and bob.bio == ""


def test_anonymous_readers_are_sent_to_log_in(client, bob):
    response = client.post(URL, {})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert choices(bob) == (True, True, True)


def test_get_is_not_allowed(as_bob, bob):
    assert as_bob.get(URL).status_code == 405
    assert choices(bob) == (True, True, True)


def test_only_my_own_choices_change(as_bob, alice, bob):
    as_bob.post(URL, {"user": alice.pk, "username": "alice"})
    assert choices(bob) == (False, False, False)
    assert choices(alice) == (True, True, True)


def test_an_opted_out_reader_gets_no_new_story_email(
    as_bob, alice, bob, sam, lifehack, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    bob.email = "bob@example.com"
    bob.save()
    subscription_create(subscriber=bob, creator=alice)
    carol = make_user("carol", email="carol@example.com")  # keeps the default: wants them
    subscription_create(subscriber=carol, creator=alice)
    as_bob.post(URL, {"emails-comment_replies": "on", "emails-story_activity": "on"})
    story = make_story(creator=alice, community=lifehack, status=Story.Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        story_publish(story=story, actor=sam)
    assert [m.to for m in mail.outbox if m.subject.startswith("New from")] == [
        ["carol@example.com"]
    ]
