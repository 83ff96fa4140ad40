"""The reader's Feed and Subscriptions page: who sees what, order, pagination, empty states and
query counts that do not grow with the number of subscriptions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stories.models import Story
from subscriptions.services import subscription_create
from tests.conftest import make_story, make_user
from tests.subscriptions.helpers import follow_all, many_readers

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_bob(client, bob):
    client.force_login(bob)
    return client


# --- the feed -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/feed/", "/subscriptions/"])
def test_anonymous_readers_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_the_feed_shows_published_stories_of_my_creators_newest_first(as_bob, alice, bob, lifehack):
    carol = make_user("carol", display_name="Carol")
    dave = make_user("dave")
    subscription_create(subscriber=bob, creator=alice)
    subscription_create(subscriber=bob, creator=carol)
    old = make_story(creator=alice, community=lifehack, title="Old", published_ago=timedelta(3))
    new = make_story(creator=carol, community=lifehack, title="New", published_ago=timedelta(1))
    make_story(creator=alice, community=lifehack, title="A draft", status=Story.Status.DRAFT)
    make_story(creator=dave, community=lifehack, title="Not followed")
    response = as_bob.get("/feed/")
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [new, old]
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "A draft" not in html and "Not followed" not in html


def test_a_suspended_creators_stories_leave_the_feed(as_bob, bob, lifehack):
    mallory = make_user("mallory")
    subscription_create(subscriber=bob, creator=mallory)
    make_story(creator=mallory, community=lifehack, title="Gone soon")
    mallory.is_active = False
    mallory.save()
    assert "Gone soon" not in as_bob.get("/feed/").content.decode()


def test_the_feed_is_my_own(client, alice, bob, sam, lifehack):
    subscription_create(subscriber=bob, creator=alice)
    make_story(creator=alice, community=lifehack, title="Bob's pick")
    client.force_login(sam)
    assert "Bob&#x27;s pick" not in client.get("/feed/").content.decode()
    assert client.get("/feed/?user=bob").context["page"].paginator.count == 0


def test_the_feed_paginates(as_bob, alice, bob, lifehack, settings):
    settings.STORIES_PER_PAGE = 5
    subscription_create(subscriber=bob, creator=alice)
    for _ in range(12):
        make_story(creator=alice, community=lifehack)
    first = as_bob.get("/feed/")
    assert len(first.context["page"].object_list) == 5
    assert 'href="?page=2"' in first.content.decode()
    assert len(as_bob.get("/feed/?page=3").context["page"].object_list) == 2
    assert as_bob.get("/feed/?page=99").context["page"].number == 3


def test_an_empty_feed_points_to_explore(as_bob):
    html = as_bob.get("/feed/").content.decode()
    assert "Your feed is empty for now." in html
    assert '<a class="button" href="/explore/">Find stories on Explore</a>' in html


def test_the_header_links_the_feed_for_signed_in_readers_only(client, as_bob):
    assert '<a href="/feed/">Feed</a>' in as_bob.get("/explore/").content.decode()
    as_bob.logout()
    assert '<a href="/feed/">Feed</a>' not in client.get("/explore/").content.decode()


@pytest.mark.parametrize("subscriptions", [1, 200])
def test_the_feed_queries_are_constant(
    as_bob, bob, lifehack, subscriptions, django_assert_num_queries
):
    creators = many_readers(subscriptions, prefix="creator")
    follow_all(bob, creators)
    for i in range(max(15, subscriptions)):
        make_story(
            creator=creators[i % subscriptions], community=lifehack, tags=[f"t{i % 4}", "common"]
        )
    # user (the session comes from the cache), count, the page of stories with creator and
    # community, their tags
    with django_assert_num_queries(4):
        response = as_bob.get("/feed/")
    assert len(response.context["page"].object_list) == 12


# --- the subscriptions page ---------------------------------------------------------------------


def test_the_subscriptions_page_lists_whom_i_follow(as_bob, alice, bob, sam):
    subscription_create(subscriber=bob, creator=alice)
    subscription_create(subscriber=bob, creator=sam)
    subscription_create(subscriber=sam, creator=alice)  # someone else's
    mallory = make_user("mallory")
    subscription_create(subscriber=bob, creator=mallory)
    mallory.is_active = False
    mallory.save()
    response = as_bob.get("/subscriptions/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert [s.creator.username for s in response.context["page"].object_list] == ["sam", "alice"]
    assert "You subscribe to 2 creators." in html
    assert 'href="/authors/alice/"' in html and "avatar--sm" in html
    assert 'action="/unsubscribe/alice/"' in html
    assert 'name="next" value="/subscriptions/"' in html
    assert 'Unsubscribe<span class="visually-hidden"> from Alice Walker</span>' in html
    assert "mallory" not in html


def test_unsubscribing_from_the_subscriptions_page_comes_back_to_it(as_bob, alice, bob):
    subscription_create(subscriber=bob, creator=alice)
    response = as_bob.post("/unsubscribe/alice/", {"next": "/subscriptions/?page=1"}, follow=True)
    assert response.redirect_chain == [("/subscriptions/?page=1", 302)]
    assert "You don’t subscribe to anyone yet." in response.content.decode()


def test_an_empty_subscriptions_page_points_to_explore(as_bob):
    html = as_bob.get("/subscriptions/").content.decode()
    assert "You don’t subscribe to anyone yet." in html
    assert 'href="/explore/"' in html


@pytest.mark.parametrize("n", [1, 200])
def test_the_subscriptions_page_queries_are_constant(as_bob, bob, n, django_assert_num_queries):
    follow_all(bob, many_readers(n, prefix="writer"))
    # user (the session comes from the cache), count, the page of subscriptions with their
    # creators
    with django_assert_num_queries(3):
        response = as_bob.get("/subscriptions/")
    assert len(response.context["page"].object_list) == min(n, 30)


def test_the_subscriptions_page_paginates(as_bob, bob):
    follow_all(bob, many_readers(31, prefix="writer"))
    assert len(as_bob.get("/subscriptions/?page=2").context["page"].object_list) == 1
