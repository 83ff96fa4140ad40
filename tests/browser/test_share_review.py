"""Issue 16 in Chromium: the story page's share block (part 2) and the creator's place in the
review queue on the dashboard (part 6), at 390 and 1280 px, with axe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stories.models import Story, StoryTransition
from stories.services import story_publish, story_submit
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, screenshot, scripted
from tests.conftest import make_community, make_story, make_user

PASSWORD = "alice-password-1234"
NETWORKS = ["Email", "X", "Bluesky", "Facebook", "LinkedIn", "WhatsApp", "Mastodon"]
VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])


@pytest.fixture
def site(transactional_db, live_server):
    lifehack = make_community("Lifehack", description="Tips for a better life.")
    alice = make_user("alice", display_name="Alice Walker", password=PASSWORD)
    story = make_story(
        creator=alice,
        community=lifehack,
        title="Tomatoes in winter: a grower's guide",
        body="<p>" + "Grow them indoors, by the brightest window you have. " * 30 + "</p>",
    )
    return {"url": live_server.url, "story": story, "alice": alice, "lifehack": lifehack}


@pytest.fixture
def new_page(browser):
    """A page in a context of its own; `clipboard` grants the clipboard, `init` runs first."""
    contexts = []

    def open_page(viewport, *, clipboard: bool = False, init: str | None = None):
        context = browser.new_context(viewport=viewport, device_scale_factor=1)
        if clipboard:
            context.grant_permissions(["clipboard-read", "clipboard-write"])
        if init:
            context.add_init_script(init)
        contexts.append(context)
        page = scripted(context.new_page())
        page.csp_errors = []
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text and page.csp_errors.append(message.text)
            ),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()


def inside_the_viewport(page, locator, width: int) -> None:
    for i in range(locator.count()):
        box = locator.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5


@VIEWPORTS
def test_the_share_block_copies_the_link_and_offers_every_network(site, new_page, viewport):
    width = viewport["width"]
    story = site["story"]
    page = new_page(viewport, clipboard=True)
    page.goto(site["url"] + story.get_absolute_url())
    block = page.locator('[data-block="share"]')
    block.scroll_into_view_if_needed()
    assert block.get_by_role("heading", name="Share this story").is_visible()

    links = block.get_by_role("list", name="Share on")
    for name in NETWORKS:
        assert links.get_by_text(name, exact=True).is_visible(), name
    inside_the_viewport(page, links.locator("li"), width)
    address = block.get_by_label("Link to this story")
    url = address.input_value()
    assert url.endswith(story.get_absolute_url())

    # No native share sheet in this browser: its button stays hidden.
    has_share = page.evaluate("typeof navigator.share === 'function'")
    assert block.get_by_role("button", name="Share…").is_visible() == has_share

    copy = block.get_by_role("button", name="Copy link")
    assert copy.is_visible()
    # The copy button sits beside the address, on the same line, at both widths.
    copy_box, address_box = copy.bounding_box(), address.bounding_box()
    assert (
        abs(copy_box["y"] + copy_box["height"] / 2 - (address_box["y"] + address_box["height"] / 2))
        < 4
    )
    copy.click()
    status = block.get_by_role("status")
    status.get_by_text("Link copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == url
    screenshot(page, f"share-copied-{width}")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not page.csp_errors


@VIEWPORTS
def test_mastodon_asks_for_the_server_and_refuses_what_is_not_one(site, new_page, viewport):
    width = viewport["width"]
    story = site["story"]
    page = new_page(viewport)
    # The reader's server, answered here: the test never leaves the machine.
    shared = []
    page.route(
        "https://mastodon.example/**",
        lambda route: (shared.append(route.request.url), route.fulfill(body="shared"))[1],
    )
    page.goto(site["url"] + story.get_absolute_url())
    block = page.locator('[data-block="share"]')
    block.scroll_into_view_if_needed()
    server = block.get_by_label("Your Mastodon server")
    assert not server.is_visible()
    block.get_by_text("Mastodon", exact=True).click()
    assert server.is_visible()
    inside_the_viewport(page, block.locator(".share__mastodon-form button"), width)
    screenshot(page, f"share-mastodon-{width}")
    assert_accessible(page)

    server.fill("evil.example/steal?x=1")
    block.get_by_role("button", name="Share", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Share on Mastodon").is_visible()
    assert page.get_by_role("alert").is_visible()
    assert "mastodon.social" in page.locator(".errorlist").inner_text()
    field = page.get_by_label("Your Mastodon server")
    assert field.input_value() == "evil.example/steal?x=1"  # kept as typed
    screenshot(page, f"share-mastodon-error-{width}")
    assert_accessible(page)

    field.fill("@alice@Mastodon.example")
    page.get_by_role("button", name="Share on Mastodon").click()
    page.wait_for_url("https://mastodon.example/**")
    [address] = shared
    assert address.startswith("https://mastodon.example/share?text=Tomatoes%20in%20winter")
    assert not page.csp_errors


def test_the_native_share_sheet_is_offered_where_the_browser_has_one(site, new_page):
    story = site["story"]
    page = new_page(
        PHONE,
        init="navigator.share = (data) => { window.sharedData = data; return Promise.resolve(); };",
    )
    page.goto(site["url"] + story.get_absolute_url())
    block = page.locator('[data-block="share"]')
    button = block.get_by_role("button", name="Share…")
    assert button.is_visible()
    button.click()
    page.wait_for_function("window.sharedData !== undefined")
    shared = page.evaluate("window.sharedData")
    assert shared["url"] == block.get_by_label("Link to this story").input_value()
    assert shared["title"] == story.title


def test_without_javascript_the_address_is_there_to_copy(site, browser):
    story = site["story"]
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site["url"] + story.get_absolute_url())
        block = page.locator('[data-block="share"]')
        assert block.get_by_label("Link to this story").is_visible()
        assert not block.get_by_role("button", name="Copy link").is_visible()
        assert block.get_by_role("link", name="WhatsApp").is_visible()
    finally:
        context.close()


# --- the dashboard ----------------------------------------------------------------------------


def backdate(story: Story, to_status: str, when) -> None:
    step = story.transitions.filter(to_status=to_status).latest("created_at", "pk")
    StoryTransition.objects.filter(pk=step.pk).update(created_at=when)


@VIEWPORTS
def test_the_dashboard_shows_a_submissions_place_and_the_wait(site, new_page, viewport):
    width = viewport["width"]
    alice, lifehack = site["alice"], site["lifehack"]
    staff = make_user("sam", is_staff=True)
    bob = make_user("bob", display_name="Bob Writer")
    now = timezone.now()
    # Reviews of the last month took 2, 3 and 4 days: "about 3 days".
    for days in (2, 3, 4):
        done = make_story(creator=bob, community=lifehack, status=Story.Status.DRAFT)
        story_submit(story=done, actor=bob)
        story_publish(story=done, actor=staff)
        backdate(done, Story.Status.PUBLISHED, now - timedelta(days=1))
        backdate(done, Story.Status.SUBMITTED, now - timedelta(days=1 + days))
    waiting = make_story(creator=bob, community=lifehack, status=Story.Status.DRAFT)
    story_submit(story=waiting, actor=bob)
    backdate(waiting, Story.Status.SUBMITTED, now - timedelta(days=2))
    mine = make_story(
        creator=alice,
        community=lifehack,
        status=Story.Status.DRAFT,
        title="Seed saving for beginners",
    )
    story_submit(story=mine, actor=alice)

    page = new_page(viewport)
    page.goto(site["url"] + "/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.goto(site["url"] + "/write/")
    item = page.locator(".dashboard-item", has_text="Seed saving for beginners")
    place = item.locator(".review-place")
    assert place.is_visible()
    assert place.inner_text() == (
        "Position 2 of 2 in the review queue. Expected wait: about 3 days."
    )
    item_box, place_box = item.bounding_box(), place.bounding_box()
    assert place_box["x"] >= item_box["x"]
    assert place_box["x"] + place_box["width"] <= item_box["x"] + item_box["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"dashboard-in-review-{width}")
    assert_accessible(page)
