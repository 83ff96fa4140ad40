"""Explore's keyset pages: every story once, in order, across pages, however many share a
publication time; older and newer both ways; tokens that are not ours give the first page."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from core import keyset
from stories.models import Story
from tests.conftest import make_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(alice, lifehack, settings):
    """23 stories, most published at one of three moments: ties the pages must break."""
    settings.STORIES_PER_PAGE = 5
    moments = [timezone.now() - timedelta(days=d) for d in (1, 2, 3)]
    return [
        make_story(
            creator=alice, community=lifehack, title=f"Shelf {i:02}", published_at=moments[i % 3]
        )
        for i in range(23)
    ]


def pages(client, direction: str, start: str | None):
    """Follow the links in one direction from a page; the pages' stories, in order."""
    params = {direction: start} if start else {}
    seen = []
    while True:
        page = client.get("/explore/", params).context["page"]
        seen.append(list(page.object_list))
        token = page.older if direction == "after" else page.newer
        if not token:
            return seen
        params = {direction: token}
        assert len(seen) < 20, "the pages go round in circles"


def newest_first() -> list[Story]:
    return list(Story.objects.published().order_by(*keyset.ORDER))


def test_older_pages_show_every_story_once_in_order(client, shelf):
    found = pages(client, "after", None)
    assert [len(page) for page in found] == [5, 5, 5, 5, 3]
    assert [story for page in found for story in page] == newest_first()


def test_newer_pages_lead_back_to_the_first_without_a_gap(client, shelf):
    order = newest_first()
    last = pages(client, "after", None)[-1]
    page = client.get("/explore/", {"after": keyset.encode(last[0])}).context["page"]
    shown = list(page.object_list)
    while page.newer:
        page = client.get("/explore/", {"before": page.newer}).context["page"]
        if page.newer:
            # The five stories just newer than the page the reader came from.
            shown = list(page.object_list) + shown
            assert shown == order[len(order) - len(shown) :]
    # Near the top there are fewer than a page's worth: the reader gets the first page.
    assert list(page.object_list) == order[:5]
    assert order[5] in shown  # and nothing between it and the pages they came through


def test_a_story_published_while_paging_is_not_repeated_or_skipped(client, shelf, alice):
    first = client.get("/explore/").context["page"]
    make_story(creator=alice, community=shelf[0].community, title="Just in")
    second = client.get("/explore/", {"after": first.older}).context["page"]
    assert set(first.object_list).isdisjoint(second.object_list)
    assert second.object_list == newest_first()[6:11]  # "Just in" went on top


def test_the_links_carry_tokens_and_the_filters(client, shelf):
    html = client.get("/explore/?community=lifehack").content.decode()
    assert "Older →" in html and "← Newer" not in html
    older = client.get("/explore/").context["page"].older
    html = client.get("/explore/", {"after": older, "community": "lifehack"}).content.decode()
    assert "← Newer" in html and "community=lifehack&amp;before=" in html
    assert "page=" not in html.split('aria-label="Pages"')[1].split("</nav>")[0]


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "!!!",
        "",
        "a" * 500,
        base64.urlsafe_b64encode(b"not-a-date|3").decode(),
        base64.urlsafe_b64encode(b"2024-01-01T00:00:00|3").decode(),  # no time zone
        base64.urlsafe_b64encode(b"2024-01-01T00:00:00+00:00|-4").decode(),
        base64.urlsafe_b64encode(b"2024-01-01T00:00:00+00:00|99999999999999999999999").decode(),
        base64.urlsafe_b64encode(b"2024-01-01T00:00:00+00:00").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe|1").decode(),
        # Valid dates with no UTC time: OverflowError once converted (issue 14).
        base64.urlsafe_b64encode(b"0001-01-01T00:00:00+05:00|1").decode(),
        base64.urlsafe_b64encode(b"9999-12-31T23:59:59-05:00|1").decode(),
    ],
)
@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_token_that_is_not_ours_gives_the_first_page(client, shelf, token, direction):
    response = client.get("/explore/", {direction: token})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == newest_first()[:5]


def test_past_the_end_there_is_still_a_way_back(client, shelf):
    oldest = newest_first()[-1]
    page = client.get("/explore/", {"after": keyset.encode(oldest)}).context["page"]
    assert page.object_list == [] and page.older == ""
    back = client.get("/explore/", {"before": page.newer}).context["page"]
    assert back.object_list == newest_first()[-6:-1]  # the five just newer than the last


def test_a_deep_page_costs_the_queries_of_the_first(client, shelf, django_assert_num_queries):
    deep = keyset.encode(newest_first()[-4])
    # communities for the filter, the page of stories, their tags
    for params in ({}, {"after": deep}, {"before": deep}):
        with django_assert_num_queries(3):
            client.get("/explore/", params)
