"""Likes and saves on the story page and on cards: the count comes from the stored part, the
buttons are each reader's own, one query covers both, and anonymous pages stay stored."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import pagecache
from reactions import services
from stories.models import Story
from tests.conftest import make_story, make_user

pytestmark = pytest.mark.django_db

HIT = pagecache.CACHE_HEADER


@pytest.fixture
def story(alice, lifehack) -> Story:
    return make_story(creator=alice, community=lifehack, title="Tomatoes in August")


@pytest.fixture
def page_cache(settings, monkeypatch):
    """Pages and fragments stored as in production, a change storable at once (as in
    tests/core/test_pagecache.py)."""
    settings.PAGE_CACHE_SECONDS = 300
    monkeypatch.setattr(pagecache, "SETTLE_SECONDS", 0)
    pagecache.local.clear()
    pagecache.known_stamps.clear()


def reader(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def block(html: str, place: str) -> str:
    match = re.search(rf'<div class="reactions reactions--{place}"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no reactions at the {place}"
    return match.group(1)


def button(html: str, kind: str) -> str:
    match = re.search(rf'<button class="reaction reaction--{kind}"[^>]*>', html)
    assert match, f"no {kind} button"
    return match.group(0)


def count(html: str) -> str:
    return re.search(r'data-like-count="(\d+)"', html).group(1)


# --- what each reader sees --------------------------------------------------------------------


def test_a_signed_in_reader_gets_toggles_at_the_top_and_the_end(client, bob, story):
    html = reader(bob).get(story.get_absolute_url()).content.decode()
    for place in ("top", "end"):
        part = block(html, place)
        assert f'method="post" action="/stories/{story.pk}/like/"' in part
        assert f'method="post" action="/stories/{story.pk}/save/"' in part
        assert "csrfmiddlewaretoken" in part
        assert 'aria-pressed="false"' in button(part, "like")
        assert 'aria-pressed="false"' in button(part, "save")
        assert f'name="next" value="{story.get_absolute_url()}#reactions-{place}"' in part
        assert count(part) == "0"


def test_after_a_like_and_a_save_both_places_show_it(bob, story):
    services.like_add(story=story, reader=bob)
    services.save_add(story=story, reader=bob)
    services.like_add(story=story, reader=make_user())
    html = reader(bob).get(story.get_absolute_url()).content.decode()
    for place in ("top", "end"):
        part = block(html, place)
        assert 'aria-pressed="true"' in button(part, "like")
        assert 'value="unlike"' in button(part, "like")
        assert 'aria-pressed="true"' in button(part, "save")
        assert count(part) == "2"
    assert "2 likes" in re.sub(r"<[^>]+>", "", block(html, "end"))


def test_anonymous_readers_get_get_forms_and_no_token(client, story):
    response = client.get(story.get_absolute_url())
    html = response.content.decode()
    for place in ("top", "end"):
        part = block(html, place)
        assert f'method="get" action="/stories/{story.pk}/like/"' in part
        assert f'method="get" action="/stories/{story.pk}/save/"' in part
        assert "aria-pressed" not in part
    assert "csrfmiddlewaretoken" not in html and not response.cookies


def test_the_creator_sees_the_count_but_no_like_button(client, alice, bob, story):
    services.like_add(story=story, reader=bob)
    html = reader(alice).get(story.get_absolute_url()).content.decode()
    part = block(html, "top")
    assert "reaction--static" in part and "/like/" not in part
    assert count(part) == "1"
    assert f"/stories/{story.pk}/save/" in part


@pytest.mark.parametrize("status", [Story.Status.DRAFT, Story.Status.SUBMITTED])
def test_a_story_that_is_not_public_has_no_reactions(alice, sam, lifehack, status):
    draft = make_story(creator=alice, community=lifehack, status=status)
    for viewer in (alice, sam):
        html = reader(viewer).get(draft.get_absolute_url()).content.decode()
        assert "reactions--top" not in html and "/like/" not in html


def test_the_editors_preview_has_no_reactions(alice, story):
    html = reader(alice).get(f"/write/{story.pk}/preview/").content.decode()
    assert "reactions--top" not in html and "/like/" not in html


# --- queries ------------------------------------------------------------------------------------


def reaction_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "reactions_" in q["sql"]]


def test_one_query_covers_liked_and_saved(bob, story):
    client = reader(bob)
    with CaptureQueriesContext(connection) as queries:
        client.get(story.get_absolute_url())
    asked = reaction_queries(queries.captured_queries)
    assert len(asked) == 1
    assert "reactions_like" in asked[0] and "reactions_savedstory" in asked[0]


def test_anonymous_readers_cost_no_reaction_query(client, story):
    with CaptureQueriesContext(connection) as queries:
        client.get(story.get_absolute_url())
    assert reaction_queries(queries.captured_queries) == []


def test_the_signed_in_page_pins(bob, story, page_cache, django_assert_num_queries):
    client = reader(bob)
    # stories/test_views.py: 13 before issue 16 (support on by default asks "do you pledge?"),
    # and reactions' one
    with django_assert_num_queries(14):
        client.get(story.get_absolute_url())
    # From stored fragments: the user, "do you subscribe?", "do you pledge?", "have you left an
    # insight?", and reactions' "do you like it, have you saved it?"
    with django_assert_num_queries(5):
        client.get(story.get_absolute_url())


def test_the_anonymous_page_stays_stored(client, story, page_cache, django_assert_num_queries):
    url = story.get_absolute_url()
    client.get(url)
    client.get(url)  # a stamp nothing had set is too recent the first time
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response[HIT] == "hit"


# --- shared fragments, own buttons --------------------------------------------------------------


def test_the_stored_fragments_keep_each_readers_own_state(bob, sam, story, page_cache):
    services.like_add(story=story, reader=bob)
    services.save_add(story=story, reader=sam)
    url = story.get_absolute_url()
    bobs, sams = reader(bob), reader(sam)
    bobs.get(url)  # renders and stores the fragments
    bobs.get(url)
    for _ in range(2):  # the second from fragments bob's request stored
        html = sams.get(url).content.decode()
        part = block(html, "top")
        assert 'aria-pressed="false"' in button(part, "like")
        assert 'aria-pressed="true"' in button(part, "save")
        assert count(part) == "1"
    html = bobs.get(url).content.decode()
    assert 'aria-pressed="true"' in button(block(html, "end"), "like")
    assert 'aria-pressed="false"' in button(block(html, "end"), "save")
    assert "reader-part" not in html


def test_each_reader_gets_their_own_csrf_token_in_the_buttons(bob, sam, story, page_cache):
    url = story.get_absolute_url()
    for user in (bob, sam, bob):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        client.get(url)
        html = client.get(url).content.decode()
        token = re.search(
            r'reactions--top.*?name="csrfmiddlewaretoken" value="([^"]+)"', html, re.S
        ).group(1)
        response = client.post(
            f"/stories/{story.pk}/like/", {"action": "like", "csrfmiddlewaretoken": token}
        )
        assert response.status_code == 302
    assert Story.objects.get(pk=story.pk).like_count == 2


def test_a_like_shows_in_the_count_on_the_next_request(client, bob, sam, story, page_cache):
    url = story.get_absolute_url()
    sams = reader(sam)
    for _ in range(3):
        anonymous = client.get(url)
        sams.get(url)
    assert anonymous[HIT] == "hit" and count(block(anonymous.content.decode(), "top")) == "0"
    response = reader(bob).post(f"/stories/{story.pk}/like/", {"action": "like"})
    assert response.status_code == 302
    anonymous = client.get(url)
    assert anonymous[HIT] == "miss"
    assert count(block(anonymous.content.decode(), "top")) == "1"
    assert count(block(sams.get(url).content.decode(), "end")) == "1"
    reader(bob).post(f"/stories/{story.pk}/like/", {"action": "unlike"})
    assert count(block(client.get(url).content.decode(), "top")) == "0"
    assert count(block(sams.get(url).content.decode(), "top")) == "0"


def test_a_save_empties_no_shared_page(client, bob, story, page_cache):
    url = story.get_absolute_url()
    for _ in range(3):
        client.get(url)
    services.save_add(story=story, reader=bob)
    assert client.get(url)[HIT] == "hit"


# --- cards --------------------------------------------------------------------------------------


def test_cards_show_the_like_count_beside_the_reads(client, alice, bob, story):
    for user in (bob, make_user()):
        services.like_add(story=story, reader=user)
    Story.objects.filter(pk=story.pk).update(read_count=12)
    html = client.get("/explore/").content.decode()
    meta = re.search(r'<p class="story-card__meta">(.*?)</p>', html, re.S).group(1)
    assert re.search(r'12 reads</span> · <span class="like-count">2 likes</span>', meta)


def test_a_card_without_likes_says_nothing_of_them(client, story):
    assert "like-count" not in client.get("/explore/").content.decode()


@pytest.mark.parametrize("url", ["/", "/explore/", "/lifehack/", "/authors/alice/"])
def test_the_cards_save_button_is_the_same_get_form_for_everyone(client, bob, story, url):
    services.save_add(story=story, reader=bob)
    anonymous = client.get(url).content.decode()
    bobs = reader(bob).get(url).content.decode()
    form = f'<form class="story-card__save" method="get" action="/stories/{story.pk}/save/">'
    for html in (anonymous, bobs):
        assert form in html
        card = html[html.index(form) : html.index("</form>", html.index(form))]
        assert f'name="next" value="{url}"' in card
        assert "csrfmiddlewaretoken" not in card and "aria-pressed" not in card


def test_cards_add_no_query(client, alice, lifehack, django_assert_num_queries):
    for _ in range(8):
        services.like_add(story=make_story(creator=alice, community=lifehack), reader=make_user())
    # as pinned in stories/test_views.py for explore: no query more for likes or saves
    with django_assert_num_queries(3):
        client.get("/explore/")
