"""Likes and saves in Chromium (issue 16): an anonymous reader likes the seed story through log
in and comes back with it liked, un-likes it at the end, saves it, finds it in the library with
a story taken down since, and removes it; each page at both widths and without axe violations."""

from __future__ import annotations

import pytest

from reactions.models import Like, SavedStory
from stories.models import Story
from stories.services import story_unpublish
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, build_demo, screenshot
from tests.conftest import make_user

SEED_TITLE = "How Ketamine Infusion Therapy Differs from Traditional Antidepressant Medication"
PASSWORD = "a reader's long password 7"


@pytest.fixture
def demo(demo_data, live_server):
    demo_data("demo", build_demo)
    return live_server


@pytest.fixture
def seed_story(demo) -> Story:
    return Story.objects.select_related("community", "creator").get(title=SEED_TITLE)


def like_count(page, place: str) -> str:
    return page.locator(f"#reactions-{place} .reactions__count").get_attribute("data-like-count")


def box(locator):
    found = locator.bounding_box()
    assert found, "not laid out"
    return found


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_like_through_log_in_unlike_save_and_the_library(demo, seed_story, page_at, viewport):
    width = viewport["width"]
    reader = make_user("reader", display_name="Rae Reader", password=PASSWORD)
    # A story saved earlier and taken down since: the library says so and nothing breaks.
    gone = Story.objects.published().exclude(pk=seed_story.pk).first()
    SavedStory.objects.create(story=gone, reader=reader)
    story_unpublish(story=gone, actor=make_user(is_staff=True), reason="Off topic.")
    url = demo.url + seed_story.get_absolute_url()

    page = page_at(viewport)
    page.goto(url)
    top = page.locator("#reactions-top")
    assert like_count(page, "top") == "0"
    screenshot(page, f"reactions-anonymous-{width}")
    assert_accessible(page)

    # The anonymous heart is a GET form (the stored page carries no CSRF token); the page it
    # leads to asks to confirm, then to log in, and the like is made on the way back.
    top.get_by_role("button", name="Like").click()
    page.wait_for_url("**/like/**")
    assert "Next you log in or sign up" in page.inner_text("body")
    screenshot(page, f"reactions-like-confirm-{width}")
    assert_accessible(page)
    page.get_by_role("button", name="Like").click()
    page.wait_for_url("**/accounts/login/**")
    assert "Log in or sign up to like this story" in page.inner_text("body")
    page.get_by_label("Username").fill("reader")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{seed_story.get_absolute_url()}#reactions-top")
    assert Like.objects.filter(story=seed_story, reader=reader).exists()
    top = page.locator("#reactions-top")
    end = page.locator("#reactions-end")
    assert top.get_by_role("button", name="Like").get_attribute("aria-pressed") == "true"
    assert end.get_by_role("button", name="Like").get_attribute("aria-pressed") == "true"
    assert like_count(page, "top") == "1" and like_count(page, "end") == "1"
    assert "1 like" in end.inner_text()
    assert "You like “" in page.locator(".messages").inner_text()

    # By the byline: beside it on a desk, on a row of its own on a phone; never wider than
    # the screen.
    byline, buttons = box(page.locator(".byline__text")), box(top)
    if width >= 1000:
        assert buttons["x"] > byline["x"] + byline["width"]
        assert buttons["y"] < byline["y"] + byline["height"]
    else:
        assert buttons["y"] >= byline["y"] + byline["height"] - 1
    assert buttons["x"] + buttons["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.goto(url)  # without the message, at the top
    screenshot(page, f"reactions-liked-{width}")
    assert_accessible(page)

    # A second click, at the end this time, un-likes.
    page.locator("#reactions-end").get_by_role("button", name="Like").click()
    page.wait_for_url("**#reactions-end")
    end = page.locator("#reactions-end")
    assert end.get_by_role("button", name="Like").get_attribute("aria-pressed") == "false"
    assert like_count(page, "end") == "0"
    assert not Like.objects.filter(reader=reader).exists()

    # Save for later, then find it in the library beside the story that is gone.
    end.get_by_role("button", name="Save for later").click()
    page.wait_for_url("**#reactions-end")
    end = page.locator("#reactions-end")
    assert end.get_by_role("button", name="Save for later").get_attribute("aria-pressed") == "true"
    end.scroll_into_view_if_needed()
    screenshot(page, f"reactions-saved-end-{width}")
    assert_accessible(page)

    # The library is in the header's account menu.
    page.locator(".account-menu > summary").click()
    page.get_by_role("link", name="Library", exact=True).click()
    page.wait_for_url("**/library/")
    items = page.locator(".library-item")
    assert items.count() == 2
    assert items.first.get_by_role("link", name=SEED_TITLE).is_visible()
    assert "No longer available" in items.nth(1).inner_text()
    assert items.nth(1).get_by_role("link").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"reactions-library-{width}")
    assert_accessible(page)

    # Remove both: the one that is gone too.
    items.first.get_by_role("button", name="Remove").click()
    page.wait_for_url("**/library/")
    assert "Removed from your library." in page.locator(".messages").inner_text()
    page.locator(".library-item").first.get_by_role("button", name="Remove").click()
    page.wait_for_url("**/library/")
    assert page.locator(".library-item").count() == 0
    assert "Nothing saved yet" in page.inner_text("main")
    assert not SavedStory.objects.filter(reader=reader).exists()

    # A card's bookmark is the same for everyone: it leads to a page that saves.
    newest = Story.objects.published().exclude(pk__in=[seed_story.pk, gone.pk]).first()
    page.goto(demo.url + "/explore/")
    card = page.locator(".story-card", has_text=newest.title)
    card.get_by_role("button", name=f"Save “{newest.title}” for later").click()
    page.wait_for_url("**/save/**")
    screenshot(page, f"reactions-save-confirm-{width}")
    assert_accessible(page)
    page.get_by_role("button", name="Save for later").click()
    page.wait_for_url("**/explore/")
    assert "is saved in your library" in page.locator(".messages").inner_text()
    assert SavedStory.objects.filter(story=newest, reader=reader).exists()
    screenshot(page, f"reactions-explore-{width}")
    assert_accessible(page)
