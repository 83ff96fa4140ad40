"""The story page's support box in Chromium (issue 15): compact when closed, one row of
Subscribe, Pledge and Tip; Tip opens the tip form and a tip goes through end to end on the
offline gateway, also with JavaScript switched off, since the disclosure is plain HTML. With
Stripe (switched on through settings; nothing may call it), the creator is told to set up
payouts and readers are not."""

from __future__ import annotations

import pytest
import stripe

from stories.models import Story
from support.models import Tip
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    build_demo,
    screenshot,
)
from tests.conftest import make_user

SEED_TITLE = "How Ketamine Infusion Therapy Differs from Traditional Antidepressant Medication"
PASSWORD = "a reader's long password 7"
# Was about 1,150 px (1280) and 1,400 px (390) signed in, every form open at once.
CLOSED_MAX_HEIGHT = 270


@pytest.fixture
def demo(demo_data, live_server, settings):
    settings.PAYMENTS_GATEWAY = "offline"
    settings.STRIPE_SECRET_KEY = ""
    settings.SUPPORT_CURRENCY = "usd"
    demo_data("demo", build_demo)
    return live_server


@pytest.fixture
def seed_story(demo) -> Story:
    # No load_demo_support: the creator takes support because that is the default now.
    return Story.objects.select_related("community", "creator").get(title=SEED_TITLE)


@pytest.fixture
def no_script_page(browser):
    """page_at's twin with JavaScript off: what works here needs no script."""
    contexts = []

    def open_page(viewport: dict[str, int]):
        context = browser.new_context(
            viewport=viewport, device_scale_factor=1, java_script_enabled=False
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def log_in(page, url: str, username: str = "reader") -> None:
    page.goto(url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda address: "/accounts/login/" not in address)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_signed_in_support_box_is_one_compact_row_and_tip_opens_and_pays(
    demo, seed_story, page_at, viewport
):
    width = viewport["width"]
    creator = seed_story.creator
    make_user("reader", display_name="Rae Reader", password=PASSWORD)
    page = page_at(viewport)
    log_in(page, demo.url)
    page.goto(demo.url + seed_story.get_absolute_url())
    box = page.locator('[data-block="support"]')
    box.scroll_into_view_if_needed()

    # Closed: compact, and Subscribe, Pledge and Tip side by side on one row.
    height = box.bounding_box()["height"]
    assert height < CLOSED_MAX_HEIGHT, f"the closed box is {height:.0f} px tall at {width} px"
    subscribe = box.get_by_role("button", name=f"Subscribe For Free to {creator.name}")
    pledge = box.locator("summary", has_text="Pledge")
    tip = box.locator("summary", has_text="Tip")
    tops = [item.bounding_box()["y"] for item in (subscribe, pledge, tip)]
    lefts = [item.bounding_box()["x"] for item in (subscribe, pledge, tip)]
    assert max(tops) - min(tops) < 2 and lefts == sorted(lefts), (tops, lefts)
    send = box.get_by_role("button", name=f"Send tip to {creator.name}")
    assert not send.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"support-box-closed-{width}")
    screenshot(page, f"support-box-closed-{width}-box", of=box)
    assert_accessible(page)

    # Tip opens the tip form below the row; the row stays where it was.
    tip.click()
    assert send.is_visible()
    assert box.get_by_role("group", name=f"Give a one-off tip to {creator.name}").is_visible()
    assert abs(tip.bounding_box()["y"] - tops[2]) < 2
    assert send.bounding_box()["y"] > tops[2]
    assert not box.get_by_role("button", name="$2.99/month").is_visible()

    # The own amount is asked for once "Other amount" is chosen, not before.
    own = box.get_by_label("Your amount ($1.00–$500.00)")
    assert not own.is_visible()
    box.get_by_label("Other amount").check()
    assert own.is_visible()
    own.fill("7.25")
    box.get_by_label("Message (optional)").fill("For the clear explanations.")
    box.scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"support-box-tip-open-{width}")
    screenshot(page, f"support-box-tip-open-{width}-box", of=box)
    assert_accessible(page)

    send.click()
    page.wait_for_url("**?support=thanks")
    assert f"Thank you! Your $7.25 tip reached {creator.name}." in page.inner_text("body")
    made = Tip.objects.get()
    assert (made.amount, made.status, made.supporter.username) == (725, "succeeded", "reader")
    assert made.story_id == seed_story.pk and made.message == "For the clear explanations."


def test_without_javascript_tip_still_opens_and_pays(demo, seed_story, no_script_page):
    creator = seed_story.creator
    make_user("reader", password=PASSWORD)
    page = no_script_page(PHONE)
    log_in(page, demo.url)
    page.goto(demo.url + seed_story.get_absolute_url())
    box = page.locator('[data-block="support"]')
    send = box.get_by_role("button", name=f"Send tip to {creator.name}")
    assert not send.is_visible()
    box.locator("summary", has_text="Tip").click()
    box.get_by_label("Other amount").check()
    box.get_by_label("Your amount ($1.00–$500.00)").fill("3")
    send.click()
    page.wait_for_url("**?support=thanks")
    assert Tip.objects.get().amount == 300


def test_pledge_and_tip_close_each_other(demo, seed_story, page_at):
    make_user("reader", password=PASSWORD)
    page = page_at(DESKTOP)
    log_in(page, demo.url)
    page.goto(demo.url + seed_story.get_absolute_url())
    box = page.locator('[data-block="support"]')
    box.locator("summary", has_text="Pledge").click()
    assert box.get_by_role("button", name="$2.99/month").is_visible()
    box.locator("summary", has_text="Tip").click()
    assert not box.get_by_role("button", name="$2.99/month").is_visible()
    assert box.locator("details[open]").count() == 1
    # Pressed again, Tip closes: the box is back to its row.
    box.locator("summary", has_text="Tip").click()
    assert box.locator("details[open]").count() == 0
    assert box.bounding_box()["height"] < CLOSED_MAX_HEIGHT


class NoStripeCalls(stripe.HTTPClient):
    """Pages only read what we stored: any call to Stripe fails the test."""

    name = "byline-no-calls"

    def request(self, *args, **kwargs):
        raise AssertionError("a page called Stripe")

    def request_stream(self, *args, **kwargs):
        raise AssertionError("a page called Stripe")

    def close(self) -> None:
        pass


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_with_stripe_the_creator_is_told_to_set_up_payouts_and_readers_are_not(
    demo, seed_story, page_at, viewport, settings, monkeypatch
):
    settings.PAYMENTS_GATEWAY = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_byline_browser_only"
    monkeypatch.setattr(stripe, "default_http_client", NoStripeCalls())
    width = viewport["width"]
    creator = seed_story.creator
    creator.set_password(PASSWORD)
    creator.save()
    page = page_at(viewport)
    log_in(page, demo.url, creator.username)
    notice = page.locator('[data-block="payout-notice"]')

    page.goto(demo.url + "/write/")
    assert notice.inner_text() == "Readers can’t support you yet: set up payouts."
    assert notice.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"payout-notice-dashboard-{width}")
    assert_accessible(page)
    page.goto(demo.url + seed_story.get_absolute_url())
    assert page.locator('[data-block="support"] [data-block="payout-notice"]').is_visible()
    page.goto(demo.url + "/write/new/")
    assert notice.is_visible()
    notice.get_by_role("link", name="set up payouts").click()
    page.wait_for_url("**/settings/support/#payouts")
    assert page.get_by_role("button", name="Set up payouts").is_visible()
    screenshot(page, f"payout-settings-{width}")
    assert_accessible(page)

    # A reader sees neither the notice nor a way to pay that would fail.
    make_user("reader", password=PASSWORD)
    page = page_at(viewport)
    log_in(page, demo.url)
    page.goto(demo.url + seed_story.get_absolute_url())
    box = page.locator('[data-block="support"]')
    assert box.get_by_role("button", name=f"Subscribe For Free to {creator.name}").is_visible()
    assert page.locator('[data-block="payout-notice"]').count() == 0
    assert box.locator("summary").count() == 0
