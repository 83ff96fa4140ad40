"""Issue 15 in Chromium: signed in, the header is one line at 390 and 1280 px with every account
link in one menu (keyboard-operable, axe-clean); the menu leads to /supporting/, where the
amount field is a real field, a refused amount keeps what was typed, and cancelling a pledge
looks unlike changing it and asks first."""

from __future__ import annotations

import pytest

from creators.models import User
from support.models import Pledge
from support.services import pledge_create, support_settings_update
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, build_demo, screenshot
from tests.conftest import make_user

PASSWORD = "a reader's long password 7"
CREATORS = ("ameliawilson", "danielokafor")


@pytest.fixture
def reader(demo_data, live_server, settings) -> User:
    """A reader of the demo who pledges $5.00 a month to two of its creators."""
    settings.PAYMENTS_GATEWAY = "offline"
    settings.STRIPE_SECRET_KEY = ""
    settings.SUPPORT_CURRENCY = "usd"
    # The footer pages and load_demo, built once per process (conftest.demo_data).
    demo_data("demo", build_demo)
    reader = make_user("reader", display_name="Rae Reader", password=PASSWORD)
    for username in CREATORS:
        creator = User.objects.get(username=username)
        support_settings_update(creator=creator, accepts_support=True)
        pledge_create(supporter=reader, creator=creator, amount=500)
    return reader


def log_in(page, url: str) -> None:
    page.goto(url + "/accounts/login/")
    page.get_by_label("Username").fill("reader")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def box(locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not on the page"
    return found


def assert_one_row(page) -> None:
    """The logo, the search box, Explore and the menu's button share one row: each one's
    vertical middle lies within every other's top and bottom, and the header is one row high."""
    header = page.locator(".site-header")
    items = [
        header.locator(".site-logo"),
        header.locator(".site-search"),
        header.get_by_role("link", name="Explore", exact=True),
        header.locator(".bell"),
        header.locator(".account-menu > summary"),
    ]
    boxes = [box(item) for item in items]
    for one in boxes:
        middle = one["y"] + one["height"] / 2
        for other in boxes:
            assert other["y"] <= middle <= other["y"] + other["height"], (one, other)
    assert box(header)["height"] <= 64  # 3.5rem row and its border: no second line
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def computed(locator, *names: str) -> dict[str, str]:
    return locator.evaluate(
        "(element, names) => Object.fromEntries("
        "names.map((name) => [name, getComputedStyle(element).getPropertyValue(name)]))",
        list(names),
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_account_menu_and_the_supporting_page(reader, live_server, page_at, viewport):
    width = viewport["width"]
    page = page_at(viewport)
    log_in(page, live_server.url)
    page.goto(live_server.url + "/explore/")
    header = page.locator(".site-header")
    menu = header.locator(".account-menu")
    toggle = menu.locator("summary")

    # Closed: one row, and the account links are out of sight.
    assert_one_row(page)
    assert not menu.get_by_role("button", name="Log out").is_visible()
    screenshot(page, f"account-menu-closed-{width}")

    # From the keyboard: the bell, Tab, the menu's button with a visible focus ring, Enter.
    header.locator(".bell").focus()
    page.keyboard.press("Tab")
    assert toggle.evaluate("(element) => element === document.activeElement")
    assert toggle.evaluate("(element) => element.matches(':focus-visible')")
    ring = computed(toggle, "outline-style", "outline-width")
    assert ring["outline-style"] != "none" and ring["outline-width"] != "0px"
    page.keyboard.press("Enter")
    assert menu.get_attribute("open") is not None
    assert menu.get_by_role("button", name="Log out").is_visible()
    supporting = menu.get_by_role("link", name="Supporting", exact=True)
    assert supporting.is_visible()
    for name in ("Feed", "Write", "Dashboard", "Settings"):
        assert menu.get_by_role("link", name=name, exact=True).is_visible()
    # Open, the panel lies over the page inside the screen; the header is still one row.
    panel = box(menu.locator(".account-menu__panel"))
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= width
    assert_one_row(page)
    screenshot(page, f"account-menu-open-{width}")
    assert_accessible(page)
    # Enter on the button again closes it.
    toggle.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("open") is None
    toggle.click()

    # Supporting, from the menu.
    supporting.click()
    page.wait_for_url("**/supporting/")
    amelia = User.objects.get(username="ameliawilson")
    field = page.get_by_label(f"New monthly amount for {amelia.name}")
    change = page.get_by_role("button", name=f"Change amount for {amelia.name}")
    cancel = page.locator("summary", has_text=f"Cancel pledge to {amelia.name}")
    # The field is a field: a readable size, not a sliver, its label above it.
    field_box = box(field)
    assert field_box["width"] >= 150 and field_box["height"] >= 40
    assert computed(field, "font-size")["font-size"] == "16px"  # phones do not zoom in
    assert box(page.locator(f"label[for='{field.get_attribute('id')}']"))["y"] < field_box["y"]
    # Cancel looks unlike Change.
    looks = ("background-color", "color", "box-shadow", "text-decoration-line")
    assert computed(cancel, *looks) != computed(change, *looks)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"account-menu-supporting-{width}")
    assert_accessible(page)

    # A refused amount comes back as typed, with the reason beside it.
    field.fill("abc")
    change.click()
    page.wait_for_load_state()
    field = page.get_by_label(f"New monthly amount for {amelia.name}")
    assert field.input_value() == "abc"
    assert field.get_attribute("aria-invalid") == "true"
    assert "Enter the amount in digits" in page.locator(".support-change .errorlist").inner_text()
    assert_accessible(page)

    # Cancelling asks first and says what happens; then it is done.
    page.locator("summary", has_text=f"Cancel pledge to {amelia.name}").click()
    confirm = page.locator(".support-cancel[open] .support-cancel__confirm")
    assert "You won’t be charged again" in confirm.inner_text()
    screenshot(page, f"account-menu-supporting-cancel-{width}")
    assert_accessible(page)
    confirm.get_by_role("button", name=f"Yes, cancel my pledge to {amelia.name}").click()
    page.wait_for_url("**/supporting/")
    assert f"Your pledge to {amelia.name} is cancelled" in page.inner_text("body")
    assert Pledge.objects.get(creator=amelia).cancel_at_period_end
    assert Pledge.objects.get(creator__username="danielokafor").amount == 500

    # Log out is in the menu, and still a POST that works.
    toggle = page.locator(".account-menu > summary")
    toggle.click()
    page.locator(".account-menu").get_by_role("button", name="Log out").click()
    page.wait_for_url(live_server.url + "/")
    assert "You’re logged out." in page.inner_text("body")
    assert page.locator(".account-menu").count() == 0
    assert page.locator(".site-header").get_by_role("link", name="Log in").is_visible()
