"""Support in Chromium with the offline gateway: an anonymous reader tips $5 from the seed story,
a signed-in reader pledges $2.99, and the creator's wallet shows both, the fee and the chart."""

from __future__ import annotations

import pytest

from stories.models import Story
from support.models import Pledge, Tip
from support.services import support_settings_update
from tests.browser.conftest import (
    DEMO_PASSWORD,
    DESKTOP,
    PHONE,
    assert_accessible,
    build_demo,
    screenshot,
)
from tests.conftest import make_user

SEED_TITLE = "How Ketamine Infusion Therapy Differs from Traditional Antidepressant Medication"
PASSWORD = "a reader's long password 7"
CREATOR_PASSWORD = DEMO_PASSWORD


@pytest.fixture
def demo(demo_data, live_server, settings):
    settings.PAYMENTS_GATEWAY = "offline"
    settings.STRIPE_SECRET_KEY = ""
    settings.PLATFORM_FEE_BASIS_POINTS = 700
    settings.SUPPORT_CURRENCY = "usd"
    # The footer pages and load_demo, built once per process (conftest.demo_data).
    demo_data("demo", build_demo)
    return live_server


@pytest.fixture
def seed_story(demo) -> Story:
    story = Story.objects.select_related("community", "creator").get(title=SEED_TITLE)
    support_settings_update(
        creator=story.creator, accepts_support=True, pledge_amounts=[299, 500, 999]
    )
    return story


def log_in(page, url: str, username: str, password: str) -> None:
    page.goto(url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_tip_pledge_and_wallet(demo, seed_story, page_at, viewport):
    width = viewport["width"]
    creator = seed_story.creator
    story_url = demo.url + seed_story.get_absolute_url()

    # An anonymous reader tips $5.
    page = page_at(viewport)
    page.goto(story_url)
    box = page.locator('[data-block="support"]')
    # The tip form opens from the support box's row (a <details>; tests/browser/
    # test_support_box.py measures the box).
    box.locator("summary", has_text="Tip").click()
    assert "Test mode:" in box.inner_text()
    box.get_by_label("$5", exact=True).check()
    box.scroll_into_view_if_needed()
    screenshot(page, f"support-tip-form-{width}")
    assert_accessible(page)
    # The story page asks anonymous readers only for the amount (a GET form: the page carries
    # no CSRF token); the tip page asks for the email, with the amount already chosen.
    box.get_by_role("button", name=f"Continue to tip {creator.name}").click()
    page.wait_for_url("**/support/tip/**")
    assert page.get_by_label("$5", exact=True).is_checked()
    page.get_by_label("Email for your receipt").fill("anon@example.com")
    page.get_by_label("Message (optional)").fill("Thank you for this!")
    assert_accessible(page)
    page.get_by_role("button", name=f"Send tip to {creator.name}").click()
    page.wait_for_url("**?support=thanks")
    assert f"Thank you! Your $5.00 tip reached {creator.name}." in page.inner_text("body")
    assert Tip.objects.get().amount == 500
    assert_accessible(page)

    # A signed-in reader pledges $2.99.
    make_user("reader", display_name="Rae Reader", password=PASSWORD)
    page = page_at(viewport)
    log_in(page, demo.url, "reader", PASSWORD)
    page.goto(story_url)
    box = page.locator('[data-block="support"]')
    box.locator("summary", has_text="Pledge").click()
    box.get_by_role("button", name="$2.99/month").click()
    page.wait_for_url("**?support=pledged")
    assert "You now pledge $2.99 a month" in page.inner_text("body")
    assert Pledge.objects.get().amount == 299
    assert creator.subscribers.filter(subscriber__username="reader").exists()
    page.goto(demo.url + "/supporting/")
    assert "$2.99 a month" in page.inner_text("body")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"supporting-{width}")
    assert_accessible(page)

    # The creator's wallet shows both, the fee and the chart.
    creator.set_password(PASSWORD)
    creator.save()
    page = page_at(viewport)
    log_in(page, demo.url, creator.username, PASSWORD)
    page.goto(demo.url + "/wallet/")
    text = page.inner_text("body")
    assert "Platform fee (7%)" in text
    assert "$0.35" in text and "$0.21" in text  # 7% of $5.00 and of $2.99
    assert "Anonymous" in text and "Thank you for this!" in text and "Rae Reader" in text
    assert page.locator("svg.bar-chart__svg rect.bar-chart__bar").count() == 12
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"wallet-{width}")
    assert_accessible(page)
