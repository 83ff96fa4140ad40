"""Support in Chromium with the offline gateway: an anonymous reader tips $5 from the seed story,
a signed-in reader pledges $2.99, and the creator's wallet shows both, the fee and the chart."""

from __future__ import annotations

import pytest

from stories.models import Story
from support.models import Pledge, Tip
from support.services import support_settings_update, tip_create
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


def rows_of(boxes: list[dict]) -> list[list[dict]]:
    """Bounding boxes grouped into rows by their top edge (within 2 px), top row first."""
    rows: list[list[dict]] = []
    for box in sorted(boxes, key=lambda b: (b["y"], b["x"])):
        if rows and abs(rows[-1][0]["y"] - box["y"]) <= 2:
            rows[-1].append(box)
        else:
            rows.append([box])
    return rows


def bottom(box: dict) -> float:
    return box["y"] + box["height"]


@pytest.mark.parametrize(
    ("viewport", "columns"), [(PHONE, 2), (DESKTOP, 4)], ids=["390px", "1280px"]
)
def test_wallet_layout(demo, seed_story, page_at, viewport, columns):
    """Issue 15: the eight tiles fill every row, the month table waits behind "Show as a table"
    as on the stats page, and the Filter button lines up with the filter's input boxes."""
    width = viewport["width"]
    creator = seed_story.creator
    tip_create(creator=creator, amount=500, email="anon@example.com", message="Thanks!")
    creator.set_password(PASSWORD)
    creator.save()
    page = page_at(viewport)
    log_in(page, demo.url, creator.username, PASSWORD)
    page.goto(demo.url + "/wallet/")

    # Tiles: full rows of two (phone) or four (desktop), no orphan row, even heights per row.
    tiles = page.locator(".wallet-figures > div")
    assert tiles.count() == 8
    rows = rows_of([tiles.nth(i).bounding_box() for i in range(tiles.count())])
    assert [len(row) for row in rows] == [columns] * (8 // columns)
    for row in rows:
        assert max(b["height"] for b in row) - min(b["height"] for b in row) <= 1
        assert round(row[-1]["x"] + row[-1]["width"]) <= width

    # The chart shows; its month table is one click away, as on the stats page.
    assert page.locator(".wallet svg.bar-chart__svg").is_visible()
    disclosure = page.locator(".wallet .bar-chart__details")
    assert disclosure.count() == 1
    table = disclosure.locator("table.chart-table")
    assert not table.is_visible()
    screenshot(page, f"wallet-layout-{width}")
    disclosure.get_by_text("Show as a table").click()
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 12
    disclosure.scroll_into_view_if_needed()
    screenshot(page, f"wallet-layout-table-open-{width}")

    # The Filter button and the input boxes share their bottom edge and height; on a phone the
    # form stacks: Kind, then From | To, then the button across the column.
    for query in ["", "?kind=nonsense&start=not+a+date&end=9999-12-31"]:
        response = page.goto(demo.url + "/wallet/" + query)
        assert response.status == 200
        form = page.locator("form.support-filters")
        button = form.get_by_role("button", name="Filter").bounding_box()
        inputs = [form.get_by_label(name).bounding_box() for name in ["Kind", "From", "To"]]
        if width == DESKTOP["width"]:
            assert len({round(box["y"]) for box in [*inputs, button]}) == 1
            for box in inputs:
                assert abs(bottom(button) - bottom(box)) <= 2
                assert abs(button["height"] - box["height"]) <= 2
        else:
            kind, start, end = inputs
            assert bottom(kind) < start["y"] and abs(start["y"] - end["y"]) <= 1
            assert bottom(end) < button["y"]
            assert abs(button["width"] - kind["width"]) <= 1
            assert abs(button["height"] - start["height"]) <= 2
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert "Enter a valid date." in form.inner_text()
    form.scroll_into_view_if_needed()
    screenshot(page, f"wallet-layout-filter-errors-{width}")
    assert_accessible(page)
