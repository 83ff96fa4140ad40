"""Subscribe and unsubscribe buttons: POST does it (GET only asks to confirm), their own user
only, and the anonymous path through log in or sign up back to the story, subscribed."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from subscriptions.models import Subscription
from subscriptions.receivers import PENDING_KEY, PENDING_MAX_AGE
from subscriptions.services import subscription_create
from tests.conftest import make_story, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"  # what tests.conftest.make_user sets
STRONG = "plum-orchard-47-lanterns"


@pytest.fixture
def story(alice, lifehack):
    return make_story(creator=alice, community=lifehack, title="Tomatoes")


@pytest.fixture
def as_bob(client: Client, bob) -> Client:
    client.force_login(bob)
    return client


def subscribed(reader, creator) -> bool:
    return Subscription.objects.filter(subscriber=reader, creator=creator).exists()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- subscribe ----------------------------------------------------------------------------------


def test_subscribing_from_a_story_comes_back_to_it(as_bob, alice, bob, story):
    url = story.get_absolute_url()
    response = as_bob.post("/subscribe/alice/", {"next": url}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert subscribed(bob, alice)
    html = response.content.decode()
    assert "You’re subscribed to Alice Walker." in messages_of(response)
    assert "✓</span> Subscribed" in html and "Subscribe For Free" not in html


def test_without_next_subscribing_goes_to_the_creators_profile(as_bob, alice, bob):
    response = as_bob.post("/subscribe/alice/")
    assert response["Location"] == "/authors/alice/"
    assert subscribed(bob, alice)


@pytest.mark.parametrize("bad_next", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_an_unsafe_next_is_replaced_by_the_profile(as_bob, alice, bad_next):
    assert as_bob.post("/subscribe/alice/", {"next": bad_next})["Location"] == "/authors/alice/"


def test_subscribing_twice_keeps_one_subscription(as_bob, alice, bob):
    as_bob.post("/subscribe/alice/")
    response = as_bob.post("/subscribe/alice/", follow=True)
    assert response.status_code == 200
    assert Subscription.objects.filter(subscriber=bob, creator=alice).count() == 1


def test_get_on_subscribe_asks_to_confirm_and_subscribes_nobody(as_bob, alice, bob):
    # GET is where an anonymous reader's button leads (it carries no CSRF token); it only
    # shows the POST form that does it.
    response = as_bob.get("/subscribe/alice/?next=/authors/alice/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'method="post" action="/subscribe/alice/"' in html and "csrfmiddlewaretoken" in html
    assert 'name="next" value="/authors/alice/"' in html
    assert not subscribed(bob, alice)


def test_get_on_subscribe_for_someone_already_subscribed_says_so(as_bob, alice, bob):
    subscription_create(subscriber=bob, creator=alice)
    html = as_bob.get("/subscribe/alice/").content.decode()
    assert "already subscribed" in html and 'action="/subscribe/alice/"' not in html


def test_a_creator_cannot_subscribe_to_themself(client, alice):
    client.force_login(alice)
    response = client.post("/subscribe/alice/", follow=True)
    assert "You can’t subscribe to yourself." in messages_of(response)
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("username", ["nobody", "mallory"])
def test_an_unknown_or_suspended_creator_is_not_found(as_bob, username):
    make_user("mallory", is_active=False)
    assert as_bob.post(f"/subscribe/{username}/").status_code == 404
    assert not Subscription.objects.exists()


def test_fields_naming_another_reader_are_ignored(as_bob, alice, bob, sam):
    # Wrong user: the button only ever subscribes whoever is signed in.
    as_bob.post("/subscribe/alice/", {"subscriber": sam.pk, "username": "sam"})
    assert subscribed(bob, alice) and not subscribed(sam, alice)


# --- unsubscribe --------------------------------------------------------------------------------


def test_unsubscribing_from_a_story(as_bob, alice, bob, story):
    subscription_create(subscriber=bob, creator=alice)
    url = story.get_absolute_url()
    response = as_bob.post("/unsubscribe/alice/", {"next": url}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert not subscribed(bob, alice)
    assert "You’ve unsubscribed from Alice Walker." in messages_of(response)
    assert "Subscribe For Free" in response.content.decode()


def test_unsubscribing_twice_says_so(as_bob, alice):
    response = as_bob.post("/unsubscribe/alice/", follow=True)
    assert "You weren’t subscribed to Alice Walker." in messages_of(response)


def test_get_on_unsubscribe_is_not_allowed(as_bob, alice, bob):
    subscription_create(subscriber=bob, creator=alice)
    assert as_bob.get("/unsubscribe/alice/").status_code == 405
    assert subscribed(bob, alice)


def test_anonymous_unsubscribe_goes_to_log_in_and_changes_nothing(client, alice, bob):
    subscription_create(subscriber=bob, creator=alice)
    response = client.post("/unsubscribe/alice/")
    assert response["Location"] == "/accounts/login/?next=/authors/alice/"
    assert subscribed(bob, alice)


def test_unsubscribing_only_removes_my_own_subscription(client, alice, bob, sam):
    subscription_create(subscriber=bob, creator=alice)
    client.force_login(sam)
    client.post("/unsubscribe/alice/", {"subscriber": bob.pk})
    assert subscribed(bob, alice)


def test_a_reader_can_leave_a_creator_who_was_suspended(as_bob, bob):
    mallory = make_user("mallory")
    subscription_create(subscriber=bob, creator=mallory)
    mallory.is_active = False
    mallory.save()
    assert as_bob.post("/unsubscribe/mallory/").status_code == 302
    assert not subscribed(bob, mallory)


# --- anonymous readers: log in or sign up, come back subscribed ---------------------------------


def test_anonymous_subscribe_asks_to_log_in_and_subscribes_nobody(client, alice, story):
    url = story.get_absolute_url()
    response = client.post("/subscribe/alice/", {"next": url})
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"
    assert not Subscription.objects.exists()
    assert client.session[PENDING_KEY]["creator"] == alice.pk
    login_page = client.get(response["Location"])
    assert "Log in or sign up to subscribe to Alice Walker" in login_page.content.decode()
    # The sign-up link on the login page keeps the way back.
    assert f'href="/accounts/signup/?next={url}"' in login_page.content.decode()


def test_the_anonymous_button_leads_to_a_confirmation_that_keeps_the_way_back(client, story):
    url = story.get_absolute_url()
    page = client.get("/subscribe/alice/", {"next": url})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Next you log in or sign up" in html
    assert f'name="next" value="{url}"' in html and "csrfmiddlewaretoken" in html
    assert PENDING_KEY not in client.session  # nothing is remembered until they confirm
    response = client.post("/subscribe/alice/", {"next": url})
    assert response["Location"] == f"/accounts/login/?next={url}"
    assert client.session[PENDING_KEY]["creator"] == story.creator.pk


def test_logging_in_completes_the_subscription_and_returns_to_the_story(client, alice, bob, story):
    url = story.get_absolute_url()
    login_url = client.post("/subscribe/alice/", {"next": url})["Location"]
    response = client.post(
        login_url, {"username": "bob", "password": PASSWORD, "next": url}, follow=True
    )
    assert response.redirect_chain == [(url, 302)]
    assert subscribed(bob, alice)
    assert "You’re subscribed to Alice Walker." in messages_of(response)
    html = response.content.decode()
    assert "✓</span> Subscribed" in html and "Subscribe For Free" not in html
    assert PENDING_KEY not in client.session


def test_signing_up_completes_the_subscription_and_returns_to_the_story(client, alice, story):
    url = story.get_absolute_url()
    client.post("/subscribe/alice/", {"next": url})
    data = {
        "username": "carol",
        "display_name": "Carol",
        "email": "carol@example.com",
        "password1": STRONG,
        "password2": STRONG,
        "next": url,
    }
    response = client.post(f"/accounts/signup/?next={url}", data, follow=True)
    assert response.redirect_chain == [(url, 302)]
    carol = alice.__class__.objects.get(username="carol")
    assert subscribed(carol, alice)
    assert "✓</span> Subscribed" in response.content.decode()


def test_logging_in_as_the_creator_does_not_subscribe_them_to_themself(client, alice, story):
    client.post("/subscribe/alice/", {"next": story.get_absolute_url()})
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD}, follow=True
    )
    assert not Subscription.objects.exists()
    assert "You can’t subscribe to yourself." in messages_of(response)


def test_a_stale_pending_subscription_is_dropped(client, alice, bob):
    client.post("/subscribe/alice/")
    session = client.session
    session[PENDING_KEY]["at"] = int(time.time()) - PENDING_MAX_AGE - 1
    session.save()
    client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert not Subscription.objects.exists()


def test_a_creator_suspended_meanwhile_is_not_subscribed_to(client, alice, bob):
    client.post("/subscribe/alice/")
    alice.is_active = False
    alice.save()
    client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert not Subscription.objects.exists()


def test_a_plain_login_subscribes_nobody(client, alice, bob):
    client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert not Subscription.objects.exists()
