"""The search page and the header's search box.

Every test runs on whichever database the suite runs on, SQLite (FTS5) or PostgreSQL (tsvector);
CI runs both, and the expectations are the same.
"""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse

from search import views
from tests.conftest import make_story

pytestmark = pytest.mark.django_db


def test_the_search_url_is_the_search_apps_and_not_a_community():
    # Included before stories' catch-alls, which would otherwise take /search/ for a community.
    assert reverse("search:search") == "/search/"
    assert resolve("/search/").func is views.search


def test_the_search_page_without_a_query_asks_for_one(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/search/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'type="search"' in html and 'name="q"' in html
    assert "Type a few words" in html and 'href="/explore/"' in html


def test_the_search_page_shows_marked_results_to_anonymous_readers(client, alice, lifehack):
    story = make_story(
        creator=alice,
        community=lifehack,
        title="Growing garlic",
        body="<p>Plant garlic in autumn.</p>",
        tags=["alliums"],
    )
    response = client.get("/search/", {"q": "garlic"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 result for “garlic”" in html
    assert 'value="garlic"' in html
    assert f'<a href="{story.get_absolute_url()}">Growing <mark>garlic</mark></a>' in html
    assert "Plant <mark>garlic</mark> in autumn" in html
    assert "Alice Walker" in html and "alliums" in html


def test_no_results_suggests_explore(client, alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Growing garlic")
    html = client.get("/search/", {"q": "tomatillo"}).content.decode()
    assert "No results for “tomatillo”" in html and 'href="/explore/"' in html


def test_every_page_has_the_header_search(client):
    html = client.get("/explore/").content.decode()
    assert 'role="search"' in html and 'action="/search/"' in html
    assert '<label class="visually-hidden" for="site-search-q">Search stories</label>' in html
