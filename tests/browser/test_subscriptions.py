"""A reader subscribes from the seed story in Chromium: log in, come back subscribed, read the
Feed, leave from the Subscriptions page; each page at both widths and without axe violations."""

from __future__ import annotations

import pytest

from stories.models import Story
from subscriptions.tokens import make_token
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, build_demo, screenshot
from tests.conftest import make_user

SEED_TITLE = "How Ketamine Infusion Therapy Differs from Traditional Antidepressant Medication"
PASSWORD = "a reader's long password 7"


@pytest.fixture
def demo(demo_data, live_server):
    # The footer pages and load_demo, built once per process (conftest.demo_data).
    demo_data("demo", build_demo)
    return live_server


@pytest.fixture
def seed_story(demo) -> Story:
    return Story.objects.select_related("community", "creator").get(title=SEED_TITLE)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_subscribe_from_the_story_through_log_in_and_back(demo, seed_story, page_at, viewport):
    reader = make_user("reader", display_name="Rae Reader", password=PASSWORD)
    width = viewport["width"]
    page = page_at(viewport)
    page.goto(demo.url + seed_story.get_absolute_url())
    box = page.locator('[data-block="support"]')
    assert box.is_visible()
    assert "Enjoyed the story?" in box.inner_text()
    box.get_by_role("button", name="Subscribe For Free").click()
    # The anonymous button is a GET form (the story page carries no CSRF token, so it can be
    # stored once for every anonymous reader); the page it leads to asks to confirm.
    page.wait_for_url("**/subscribe/**")
    page.get_by_role("button", name="Subscribe For Free").click()

    page.wait_for_url("**/accounts/login/**")
    assert "Log in or sign up to subscribe to Amelia Wilson" in page.inner_text("body")
    page.get_by_label("Username").fill("reader")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.wait_for_url(f"**{seed_story.get_absolute_url()}")
    box = page.locator('[data-block="support"]')
    assert "Subscribed" in box.inner_text()
    assert box.get_by_role("button", name="Unsubscribe from Amelia Wilson").is_visible()
    assert seed_story.creator.subscribers.filter(subscriber=reader).exists()
    box.scroll_into_view_if_needed()
    screenshot(page, f"story-subscribed-{width}")
    assert_accessible(page)

    # The Feed is in the header's account menu (issue 15): open it, then follow the link.
    page.locator(".account-menu > summary").click()
    page.locator(".account-menu").get_by_role("link", name="Feed", exact=True).click()
    page.wait_for_url("**/feed/")
    assert page.get_by_role("link", name=SEED_TITLE).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"feed-{width}")
    assert_accessible(page)

    page.get_by_role("link", name="Whom you subscribe to").click()
    page.wait_for_url("**/subscriptions/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"subscriptions-{width}")
    assert_accessible(page)
    page.get_by_role("button", name="Unsubscribe from Amelia Wilson").click()
    page.wait_for_url("**/subscriptions/")
    assert "You don’t subscribe to anyone yet." in page.inner_text("body")
    assert_accessible(page)


def test_profile_empty_feed_and_email_unsubscribe_pages_are_accessible(demo, seed_story, page_at):
    reader = make_user("reader", password=PASSWORD)
    creator = seed_story.creator
    token = make_token(subscriber_id=reader.pk, creator_id=creator.pk)
    page = page_at(PHONE)
    page.goto(demo.url + creator.get_absolute_url())
    assert "subscriber" in page.locator('[data-block="profile-subscribe"]').inner_text()
    assert_accessible(page)
    page.goto(demo.url + f"/subscriptions/unsubscribe/{token}/")
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    page.goto(demo.url + "/subscriptions/unsubscribe/broken-token/")
    assert_accessible(page)
    page.goto(demo.url + "/accounts/login/?next=/feed/")
    page.get_by_label("Username").fill("reader")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/feed/")
    assert page.get_by_role("link", name="Find stories on Explore").is_visible()
    screenshot(page, "feed-empty-390")
    assert_accessible(page)
