"""Kept search results: every reader, signed in or not, gets a page's results from the cache
until a story, tag or name they show changes; the anonymous page is kept whole on top."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from core import pagecache
from creators.services import profile_update
from stories.models import Story
from tests.conftest import make_story

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 300
    # Nothing else reads the test's database: a change may be kept as soon as it is made.
    monkeypatch.setattr(pagecache, "SETTLE_SECONDS", 0)
    pagecache.local.clear()
    pagecache.known_stamps.clear()


@pytest.fixture
def reader(bob) -> Client:
    client = Client()
    client.force_login(bob)
    return client


def search_queries(captured) -> list[str]:
    """The searches' own SQL among a request's queries: the index table's."""
    return [q["sql"] for q in captured if "storysearch" in q["sql"]]


def test_a_signed_in_reader_repeating_a_search_costs_no_search(
    reader, alice, lifehack, django_assert_max_num_queries
):
    make_story(creator=alice, community=lifehack, title="Chard in winter")
    # The first request reads the stamps (new ones are too recent to keep under); the second
    # searches and keeps; the third is served from what was kept.
    for _ in range(2):
        reader.get("/search/", {"q": "chard"})
    with django_assert_max_num_queries(2) as captured:
        response = reader.get("/search/", {"q": "chard"})
    assert "/lifehack/chard-in-winter/" in response.content.decode()
    assert search_queries(captured.captured_queries) == []


def test_anonymous_and_signed_in_readers_share_the_kept_results(
    client, reader, alice, lifehack, django_assert_max_num_queries
):
    make_story(creator=alice, community=lifehack, title="Kale and chard")
    for _ in range(2):
        client.get("/search/", {"q": "kale"})
    # Kept by an anonymous reader's search; read by a signed-in one without searching.
    with django_assert_max_num_queries(2) as captured:
        html = reader.get("/search/", {"q": "kale"}).content.decode()
    assert "/lifehack/kale-and-chard/" in html and search_queries(captured.captured_queries) == []
    assert client.get("/search/", {"q": "kale"})[pagecache.CACHE_HEADER] == "hit"


def test_a_new_story_shows_in_a_kept_search_at_once(reader, alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Leeks, slowly")
    for _ in range(3):
        html = reader.get("/search/", {"q": "leeks"}).content.decode()
    assert "1 result for" in html
    make_story(creator=alice, community=lifehack, title="More leeks")
    html = reader.get("/search/", {"q": "leeks"}).content.decode()
    assert "2 results for" in html and "/lifehack/more-leeks/" in html


def test_an_unpublished_story_leaves_a_kept_search_at_once(client, alice, lifehack):
    story = make_story(creator=alice, community=lifehack, title="Parsnips")
    for _ in range(3):
        assert "/lifehack/parsnips/" in client.get("/search/", {"q": "parsnips"}).content.decode()
    story.status = Story.Status.DRAFT
    story.save()
    assert "No results for" in client.get("/search/", {"q": "parsnips"}).content.decode()


def test_a_writers_new_name_is_found_at_once(reader, alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Beans")
    for _ in range(3):
        reader.get("/search/", {"q": "Zephyrine"})
    profile_update(user=alice, display_name="Zephyrine Alder", bio=alice.bio, links={})
    assert "/lifehack/beans/" in reader.get("/search/", {"q": "Zephyrine"}).content.decode()


def test_each_page_is_kept_apart_and_links_carry_only_the_query(client, alice, lifehack, settings):
    settings.STORIES_PER_PAGE = 1
    for title in ["Fennel one", "Fennel two"]:
        make_story(creator=alice, community=lifehack, title=title)
    for _ in range(3):
        first = client.get("/search/", {"q": "fennel", "utm_source": "x<y"}).content.decode()
    second = client.get("/search/", {"q": "fennel", "page": "2"}).content.decode()
    pages = re.search(r'<nav class="pagination".*?</nav>', first, re.S).group()
    assert 'href="?q=fennel&amp;page=2"' in pages and "utm_source" not in pages
    assert "Page 2 of 2" in second and 'href="?q=fennel&amp;page=1"' in second
    # The same results under any spelling of the page number that means page 1.
    for page in ["1", "0", "-3", "x", ""]:
        html = client.get("/search/", {"q": "fennel", "page": page}).content.decode()
        assert "Page 1 of 2" in html
