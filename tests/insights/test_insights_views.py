"""The insight views: POST only, the same negative cases for both, and back to the story."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from insights.models import Insight, Rating
from stories.models import Story
from tests.conftest import make_story, make_user
from tests.insights.insights_helpers import add_insight, default_choices

pytestmark = pytest.mark.django_db

VIEWS = ["insights:insight_save", "insights:insight_withdraw"]


@pytest.fixture
def choices(db):
    return default_choices()


@pytest.fixture
def story(alice, lifehack):
    return make_story(creator=alice, community=lifehack, title="Tomatoes in winter")


@pytest.fixture
def as_bob(client, bob):
    client.force_login(bob)
    return client


def url(name: str, story) -> str:
    return reverse(name, kwargs={"story_id": story.pk})


def back(story) -> str:
    return story.get_absolute_url() + "#insights"


def last_message(response) -> str:
    """The newest message; a redirect that is not followed leaves earlier ones queued too."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def form(choices, rating="nice", *qualities: str) -> dict:
    return {
        "rating": getattr(choices, rating).pk,
        "qualities": [choices.q(name).pk for name in qualities],
    }


# --- the same negative cases for both views ---------------------------------------------------


@pytest.mark.parametrize("name", VIEWS)
def test_get_is_not_allowed(client, as_bob, story, name):
    assert as_bob.get(url(name, story)).status_code == 405


@pytest.mark.parametrize("name", VIEWS)
def test_anonymous_is_sent_to_log_in_and_back_to_the_insights(client, choices, story, name):
    response = client.post(url(name, story), form(choices))
    assert response.status_code == 302
    login = reverse("creators:login")
    assert response["Location"].startswith(login + "?next=")
    assert "%23insights" in response["Location"]
    assert not Insight.objects.exists()


@pytest.mark.parametrize("name", VIEWS)
@pytest.mark.parametrize(
    "status", [Story.Status.DRAFT, Story.Status.SUBMITTED, Story.Status.CHANGES_REQUESTED]
)
def test_a_story_that_is_not_public_is_not_found(as_bob, choices, alice, lifehack, name, status):
    draft = make_story(creator=alice, community=lifehack, status=status)
    assert as_bob.post(url(name, draft), form(choices)).status_code == 404
    assert not Insight.objects.exists()


@pytest.mark.parametrize("name", VIEWS)
def test_an_unknown_or_suspended_creators_story_is_not_found(as_bob, choices, alice, story, name):
    assert (
        as_bob.post(reverse(name, kwargs={"story_id": 999_999}), form(choices)).status_code == 404
    )
    alice.is_active = False
    alice.save()
    assert as_bob.post(url(name, story), form(choices)).status_code == 404


@pytest.mark.parametrize("name", VIEWS)
def test_a_suspended_reader_is_signed_out(client, choices, story, name):
    mallory = make_user("mallory")
    client.force_login(mallory)
    mallory.is_active = False
    mallory.save()
    response = client.post(url(name, story), form(choices))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("creators:login"))
    assert not Insight.objects.exists()


# --- saving ------------------------------------------------------------------------------------


def test_a_reader_adds_an_insight_and_goes_back_to_the_story(as_bob, bob, choices, story):
    response = as_bob.post(
        url("insights:insight_save", story), form(choices, "nice", "Eye opening")
    )
    assert response.status_code == 302
    assert response["Location"] == back(story)
    assert last_message(response) == "Thank you: your insight on “Tomatoes in winter” is added."
    insight = Insight.objects.get()
    assert (insight.reader, insight.rating) == (bob, choices.nice)
    assert [q.name for q in insight.qualities.all()] == ["Eye opening"]


def test_submitting_twice_updates_the_one_insight(as_bob, choices, story):
    as_bob.post(url("insights:insight_save", story), form(choices, "nice", "Eye opening"))
    response = as_bob.post(
        url("insights:insight_save", story), form(choices, "outstanding", "Masterful proofreading")
    )
    assert last_message(response) == "Your insight is updated."
    insight = Insight.objects.get()
    assert insight.rating == choices.outstanding
    assert [q.name for q in insight.qualities.all()] == ["Masterful proofreading"]


def test_the_creator_is_told_no(client, alice, choices, story):
    client.force_login(alice)
    response = client.post(url("insights:insight_save", story), form(choices))
    assert response["Location"] == back(story)
    assert last_message(response) == "You can’t add insights to your own story."
    assert not Insight.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"rating": ""},
        {"rating": "abc"},
        {"rating": "-3"},
        {"rating": "0"},
        {"rating": "99999999999999999999999"},
        {"rating": "999999"},
    ],
    ids=["missing", "empty", "text", "negative", "zero", "huge", "unknown"],
)
def test_a_bad_rating_is_a_message_not_an_error(as_bob, story, choices, data):
    response = as_bob.post(url("insights:insight_save", story), data)
    assert response.status_code == 302
    assert response["Location"] == back(story)
    assert last_message(response) == "Choose one overall rating."
    assert not Insight.objects.exists()


@pytest.mark.parametrize("quality", ["abc", "0", "99999999999999999999999", "999999"])
def test_bad_qualities_are_a_message_not_an_error(as_bob, story, choices, quality):
    data = {"rating": choices.nice.pk, "qualities": [choices.q("Eye opening").pk, quality]}
    response = as_bob.post(url("insights:insight_save", story), data)
    assert response.status_code == 302
    assert last_message(response) == "Choose qualities from the list."
    assert not Insight.objects.exists()


def test_a_retired_rating_is_refused_with_a_message(as_bob, story, choices):
    Rating.objects.filter(pk=choices.good.pk).update(is_active=False)
    response = as_bob.post(url("insights:insight_save", story), form(choices, "good"))
    assert last_message(response) == "“Good Effort” is no longer offered; choose another rating."
    assert not Insight.objects.exists()


# --- withdrawing -------------------------------------------------------------------------------


def test_a_reader_withdraws_their_insight(as_bob, bob, choices, story):
    add_insight(story, bob, choices.nice, choices.q("Eye opening"))
    response = as_bob.post(url("insights:insight_withdraw", story))
    assert response["Location"] == back(story)
    assert last_message(response) == "Your insight is withdrawn."
    assert not Insight.objects.exists()


def test_nobody_can_withdraw_someone_elses_insight(client, bob, alice, choices, story):
    add_insight(story, bob, choices.nice)
    carol = make_user("carol")
    for who in (carol, alice):
        client.force_login(who)
        response = client.post(url("insights:insight_withdraw", story))
        assert last_message(response) == "You had no insight on this story to withdraw."
    assert Insight.objects.get().reader == bob
