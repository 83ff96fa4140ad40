"""The subscription blocks on other apps' pages: the story page's support box, the profile's
count and button, and the dashboard's count tag; each with its one query (none if anonymous)."""

from __future__ import annotations

from contextlib import contextmanager

import html5lib
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from stories.models import Story
from subscriptions.services import subscription_create
from tests.conftest import make_story, make_user
from tests.subscriptions.helpers import many_readers, subscribe_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(alice, lifehack):
    return make_story(creator=alice, community=lifehack, title="Tomatoes", tags=["food"])


def support_box(html: str):
    tree = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    found = tree.findall(".//*[@data-block='support']")
    assert len(found) == 1
    return found[0]


def text(element) -> str:
    return " ".join("".join(element.itertext()).split())


@contextmanager
def subscription_queries():
    """The queries that read subscriptions: this app's share of a page other apps also fill."""
    found: list[str] = []
    with CaptureQueriesContext(connection) as context:
        yield found
    found.extend(
        q["sql"] for q in context.captured_queries if "subscriptions_subscription" in q["sql"]
    )


def render_box(story, user, django_assert_num_queries, expected: int) -> str:
    request = RequestFactory().get(story.get_absolute_url())
    request.user = user
    template = Template("{% load subscriptions_tags %}{% support_box story user %}")
    with django_assert_num_queries(expected):
        return template.render(Context({"story": story, "user": user, "request": request}))


# --- the story page's support box ---------------------------------------------------------------


def test_anonymous_readers_see_subscribe_for_free(client, story):
    with subscription_queries() as queries:
        html = client.get(story.get_absolute_url()).content.decode()
    assert queries == []
    box = support_box(html)
    assert box.tag == "section" and box.get("class") == "card support-box"
    heading = box.find(".//h2")
    assert box.get("aria-labelledby") == heading.get("id") == "support-title"
    assert text(box).startswith(
        "Enjoyed the story? Support the Creator. "
        "Subscribe for free to receive all their stories in your feed."
    )
    form = box.find(".//form")
    # A GET form without a CSRF token, so every anonymous reader can share one stored page;
    # it leads to a page that asks to confirm (subscriptions.views.subscribe).
    assert form.get("method") == "get" and form.get("action") == "/subscribe/alice/"
    assert form.find(".//input[@name='csrfmiddlewaretoken']") is None
    assert form.find(".//input[@name='next']").get("value") == story.get_absolute_url()
    button = form.find(".//button")
    assert text(button) == "Subscribe For Free to Alice Walker"
    assert button.find("span").get("class") == "visually-hidden"


def test_a_signed_in_reader_costs_one_query(client, bob, story):
    client.force_login(bob)
    with subscription_queries() as queries:
        html = client.get(story.get_absolute_url()).content.decode()
    assert len(queries) == 1  # does bob subscribe to alice?
    assert "Subscribe For Free" in text(support_box(html))


def test_the_box_costs_one_query_anonymous_two_signed_in_nothing_for_the_creator(
    story, alice, bob, django_assert_num_queries
):
    # The tip and pledge offer inside the box asks whether the creator takes support (one
    # query); a signed-in reader adds "do you subscribe?" to that.
    story = Story.objects.select_related("creator", "community").get(pk=story.pk)
    assert "Subscribe For Free" in render_box(story, AnonymousUser(), django_assert_num_queries, 1)
    assert "Subscribe For Free" in render_box(story, bob, django_assert_num_queries, 2)
    assert "yourself" in render_box(story, alice, django_assert_num_queries, 0)


def test_a_subscriber_sees_subscribed_and_unsubscribe(client, alice, bob, story):
    subscription_create(subscriber=bob, creator=alice)
    client.force_login(bob)
    with subscription_queries() as queries:
        html = client.get(story.get_absolute_url()).content.decode()
    assert len(queries) == 1
    box = support_box(html)
    assert "Subscribe For Free" not in text(box)
    assert "✓ Subscribed" in text(box)
    form = box.find(".//form")
    assert form.get("action") == "/unsubscribe/alice/"
    assert text(form.find(".//button")) == "Unsubscribe from Alice Walker"


def test_the_creator_sees_no_button_on_their_own_story(client, alice, story):
    client.force_login(alice)
    with subscription_queries() as queries:
        html = client.get(story.get_absolute_url()).content.decode()
    assert queries == []
    box = support_box(html)
    assert box.find(".//form") is None
    assert "You can’t subscribe to yourself." in text(box)


def test_the_box_sits_after_about_the_creator_and_before_written_by(client, story):
    html = client.get(story.get_absolute_url()).content.decode()
    about = html.index('data-block="about"')
    support = html.index('data-block="support"')
    assert about < support < html.index('data-block="written-by"')
    assert html.count("<h1") == 1


def test_the_box_does_not_grow_with_subscribers(client, bob, alice, story):
    subscribe_all(many_readers(50), alice)
    client.force_login(bob)
    with subscription_queries() as queries:
        client.get(story.get_absolute_url())
    assert len(queries) == 1


def test_staff_see_no_button_on_a_suspended_creators_story(client, sam, lifehack):
    mallory = make_user("mallory")
    story = make_story(creator=mallory, community=lifehack)
    mallory.is_active = False
    mallory.save()
    client.force_login(sam)
    with subscription_queries() as queries:
        box = support_box(client.get(story.get_absolute_url()).content.decode())
    assert queries == [] and box.find(".//form") is None
    assert "suspended" in text(box)


def test_the_creators_draft_preview_shows_the_box_without_a_button(client, alice, lifehack):
    draft = make_story(creator=alice, community=lifehack, status=Story.Status.DRAFT)
    client.force_login(alice)
    box = support_box(client.get(f"/write/{draft.pk}/preview/").content.decode())
    assert box.find(".//form") is None


# --- the profile header -------------------------------------------------------------------------


def test_the_profile_shows_the_count_and_the_button(client, alice, bob, sam):
    html = client.get("/authors/alice/").content.decode()
    assert "0 subscribers" in html
    assert 'action="/subscribe/alice/"' in html and 'name="next" value="/authors/alice/"' in html
    subscription_create(subscriber=bob, creator=alice)
    assert "1 subscriber<" in client.get("/authors/alice/").content.decode()
    subscription_create(subscriber=sam, creator=alice)
    client.force_login(bob)
    html = client.get("/authors/alice/").content.decode()
    assert "2 subscribers" in html
    assert "✓</span> Subscribed" in html and 'action="/unsubscribe/alice/"' in html


def test_my_own_profile_shows_the_count_without_a_button(client, alice, bob):
    subscription_create(subscriber=bob, creator=alice)
    client.force_login(alice)
    html = client.get("/authors/alice/").content.decode()
    assert "1 subscriber<" in html
    assert 'action="/subscribe/alice/"' not in html


def test_subscribing_from_the_profile_comes_back_to_it(client, alice, bob):
    client.force_login(bob)
    response = client.post("/subscribe/alice/", {"next": "/authors/alice/"}, follow=True)
    assert response.redirect_chain == [("/authors/alice/", 302)]
    assert "1 subscriber<" in response.content.decode()


@pytest.mark.parametrize("n", [1, 120])
def test_the_profile_adds_one_query(client, alice, bob, lifehack, n, django_assert_num_queries):
    subscribe_all(many_readers(n), alice)
    make_story(creator=alice, community=lifehack, tags=["one"])
    # the creator, links, story count, stories, tags; plus the subscriber count
    with django_assert_num_queries(6):
        html = client.get("/authors/alice/").content.decode()
    assert f"{n} subscriber" in html
    client.force_login(bob)
    # the user (the session comes from the cache); the count and "is bob one of them" come in
    # the same single query
    with django_assert_num_queries(7):
        client.get("/authors/alice/")


# --- the dashboard's tag ------------------------------------------------------------------------


def test_the_subscriber_count_tag(alice, bob, django_assert_num_queries):
    template = Template("{% load subscriptions_tags %}{% subscriber_count creator %}")
    assert template.render(Context({"creator": alice})) == "0 subscribers"
    subscription_create(subscriber=bob, creator=alice)
    with django_assert_num_queries(1):
        assert template.render(Context({"creator": alice})) == "1 subscriber"
    subscribe_all(many_readers(1203), alice)
    assert template.render(Context({"creator": alice})) == "1,204 subscribers"
    assert (
        Template("{% load subscriptions_tags %}{% subscriber_count c as n %}{{ n }}").render(
            Context({"c": bob})
        )
        == "0 subscribers"
    )
