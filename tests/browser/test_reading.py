"""A reader opens the seed story and the other public pages in Chromium, on a phone and a desk."""

from __future__ import annotations

import pytest

from stories.models import Story
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, build_demo, screenshot

SEED_TITLE = "How Ketamine Infusion Therapy Differs from Traditional Antidepressant Medication"

# The seed page's blocks, top to bottom (../shared/seed/story-page.txt).
SEED_ORDER = ["community", "title", "hero", "byline", "body", "tags", "about", "written-by"]


@pytest.fixture
def demo(demo_data, live_server):
    # The footer pages and load_demo, built once per process (conftest.demo_data).
    demo_data("demo", build_demo)
    return live_server


@pytest.fixture
def seed_story(demo) -> Story:
    return Story.objects.select_related("community").get(title=SEED_TITLE)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_seed_story_shows_every_block_in_the_seed_order(demo, seed_story, page_at, viewport):
    page = page_at(viewport)
    response = page.goto(demo.url + seed_story.get_absolute_url())
    assert response.status == 200
    tops = []
    for block in SEED_ORDER:
        locator = page.locator(f'[data-block="{block}"]')
        assert locator.is_visible(), f"{block} is not visible"
        tops.append(locator.bounding_box()["y"])
    assert tops == sorted(tops), f"blocks out of order: {dict(zip(SEED_ORDER, tops, strict=False))}"
    footer = page.locator("footer.site-footer")
    assert footer.bounding_box()["y"] > tops[-1]
    for text in [
        "Find us on social media",
        "Explore",
        "Contact",
        "Privacy Policy",
        "Terms of Use",
        "Support",
        "All Rights Reserved",
    ]:
        assert footer.get_by_text(text, exact=False).first.is_visible()
    hero = page.locator('[data-block="hero"] img')
    assert hero.evaluate("img => img.complete && img.naturalWidth > 0"), "hero image did not load"
    assert page.locator('[data-block="hero"] figcaption').inner_text() == (
        "ketamine infusion treatment orange county"
    )
    byline = page.locator('[data-block="byline"]').inner_text()
    assert "By Amelia Wilson" in byline and "Published about a year ago" in byline
    assert "3 min read" in byline
    # Nothing is wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"seed-story-{viewport['width']}")
    assert_accessible(page)


PAGES = {
    "home": "/",
    "explore": "/explore/",
    "explore-page-2": "/explore/?page=2",
    "community": "/lifehack/",
    "tag": "/lifehack/tag/health/",
    "profile": "/authors/ameliawilson/",
    "terms": "/terms/",
    "not-found": "/lifehack/no-such-story/",
}


@pytest.mark.parametrize("name", PAGES)
def test_public_pages_render_accessibly_at_both_widths(demo, page_at, name):
    for viewport in (PHONE, DESKTOP):
        page = page_at(viewport)
        response = page.goto(demo.url + PAGES[name])
        assert response.status == (404 if name == "not-found" else 200)
        assert page.locator("h1").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        # Lazy images below the fold are not loaded yet; fetch every one to prove it exists.
        for src in page.evaluate("[...document.images].map(i => i.currentSrc || i.src)"):
            image = page.request.get(src)
            assert image.ok and image.headers["content-type"].startswith("image/"), src
        screenshot(page, f"{name}-{viewport['width']}")
        assert_accessible(page)


def test_a_reader_finds_the_seed_story_from_explore(demo, seed_story, page_at):
    page = page_at(DESKTOP)
    page.goto(demo.url + "/explore/")
    page.get_by_label("Community").select_option("lifehack")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/explore/?community=lifehack")
    while not page.get_by_role("link", name=SEED_TITLE).count():
        page.get_by_role("link", name="Older →").click()
    page.get_by_role("link", name=SEED_TITLE).click()
    page.wait_for_url("**" + seed_story.get_absolute_url())
    page.get_by_role("link", name="health").first.click()
    # Waits for the tag page to load: the click returns before it has drawn its list.
    page.wait_for_url("**/lifehack/tag/health/")
    assert page.get_by_role("link", name=SEED_TITLE).is_visible()
