"""Discovery in Chromium: a read counts only once the reader reads, and the home page leads
with Top Stories and their reasons."""

from __future__ import annotations

import pytest
from django.utils import timezone

from stats.models import Read
from stories.models import Story
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, build_demo, screenshot

SEED_TITLE = "How Ketamine Infusion Therapy Differs from Traditional Antidepressant Medication"


@pytest.fixture
def demo(demo_data, live_server):
    # The footer pages and load_demo, built once per process (conftest.demo_data).
    demo_data("demo", build_demo)
    return live_server


def beacon_answer(read_url: str):
    """A predicate for page.expect_response: the server's answer to the read beacon."""
    return lambda response: response.request.method == "POST" and response.url.endswith(read_url)


def scroll_through(page) -> None:
    # Wheel turns as a reader's; the tracker listens to the scroll events they make.
    for _ in range(30):
        page.mouse.wheel(0, 600)


def test_a_read_counts_after_scrolling_through_and_only_once(demo, page_at):
    story = Story.objects.select_related("community").get(title=SEED_TITLE)
    page = page_at(PHONE)
    beacons = []
    page.on("request", lambda request: beacons.append(request.url))
    page.goto(demo.url + story.get_absolute_url())
    # Opening the page and looking at the top is not reading it: the page settles (no request
    # for half a second) and has sent no beacon.
    page.wait_for_load_state("networkidle")
    read_url = page.get_attribute("[data-read-url]", "data-read-url")
    assert read_url and not [url for url in beacons if url.endswith(read_url)]
    assert Read.objects.filter(story=story).count() == 0
    # Scrolling down through the story is: the beacon goes, and once the server has answered
    # the read is counted.
    with page.expect_response(beacon_answer(read_url)) as sent:
        scroll_through(page)
    assert sent.value.status == 204
    assert Read.objects.filter(story=story).count() == 1
    # The same browser reading it again today sends the beacon again, and is not a second read.
    # Back to the top first: a reload restores the scroll position, and at the bottom the wheel
    # would scroll nothing.
    page.evaluate("window.scrollTo(0, 0)")
    with page.expect_response(beacon_answer(read_url)) as sent:
        page.reload()
        scroll_through(page)
    assert sent.value.status == 204
    assert Read.objects.filter(story=story).count() == 1
    story.refresh_from_db()
    assert story.read_count == 1


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_home_leads_with_top_stories_and_their_reasons(demo, page_at, viewport):
    page = page_at(viewport)
    page.goto(demo.url + "/")
    top = page.locator('[data-block="top-stories"]')
    assert top.is_visible()
    assert top.locator(".story-card").count() == 3
    reasons = top.locator(".story-card__pick")
    assert reasons.first.inner_text().startswith("Why we picked it:")
    latest = page.locator('[data-block="latest"]')
    assert top.bounding_box()["y"] < latest.bounding_box()["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"home-{viewport['width']}")
    assert_accessible(page)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_keep_reading_and_trending_look_right(demo, page_at, viewport):
    story = Story.objects.select_related("community").get(title=SEED_TITLE)
    others = Story.objects.published().filter(community=story.community).exclude(pk=story.pk)
    for i, other in enumerate(others[:3]):
        Read.objects.bulk_create(
            Read(story=other, reader_key=f"b-test-{other.pk}-{n}", day=timezone.localdate())
            for n in range(3 - i)
        )
    page = page_at(viewport)
    page.goto(demo.url + story.community.get_absolute_url())
    assert page.locator('[data-block="trending"] li').count() == 3
    screenshot(page, f"community-trending-{viewport['width']}")
    assert_accessible(page)
    page.goto(demo.url + story.get_absolute_url())
    keep = page.locator('[data-block="keep-reading"]')
    keep.scroll_into_view_if_needed()
    assert keep.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"keep-reading-{viewport['width']}", of=keep)
    assert_accessible(page)
