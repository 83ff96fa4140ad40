"""Issue 21, reading, in Chromium: the reader's settings (kept in the browser, on <html> before
the first paint), the phone bar, Listen, the reading progress bar and the printed story."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import pytest

from stories.models import Story
from subscriptions.models import Subscription
from tests.browser.conftest import (
    CHROMIUM,
    DESKTOP,
    PHONE,
    assert_accessible,
    build_demo,
    screenshot,
    scripted,
)
from tests.browser.test_csp import COLLECT_VIOLATIONS
from tests.conftest import make_user

SEED_TITLE = "How Ketamine Infusion Therapy Differs from Traditional Antidepressant Medication"
PASSWORD = "the creator's long password 21"
DARK_BG = "rgb(23, 22, 20)"  # --color-bg of the dark scheme
LIGHT_BG = "rgb(255, 253, 249)"

# Before the page's <body> exists, what <html> says: reader-prefs.js must have run by then,
# or the first paint would show the default theme and size (a flash of the wrong style).
RECORD_FIRST_PAINT = """
new MutationObserver((changes, observer) => {
  if (!document.body) return;
  observer.disconnect();
  const html = document.documentElement;
  window.__atBodyStart = {
    theme: html.getAttribute("data-theme"),
    size: html.getAttribute("data-text-size"),
    font: html.getAttribute("data-font"),
  };
}).observe(document, { childList: true, subtree: true });
"""


@pytest.fixture
def demo(demo_data, live_server, settings):
    settings.PAYMENTS_GATEWAY = "offline"
    settings.STRIPE_SECRET_KEY = ""
    demo_data("demo", build_demo)
    return live_server


@pytest.fixture
def seed_story(demo) -> Story:
    # The demo's creators take support by default: Subscribe, Pledge and Tip are all offered.
    return Story.objects.select_related("community", "creator").get(title=SEED_TITLE)


def background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def prose_style(page) -> dict[str, str]:
    return page.evaluate(
        """() => { const style = getComputedStyle(document.querySelector('.story__body'));
        return { size: parseFloat(style.fontSize), family: style.fontFamily }; }"""
    )


def scroll_by(page, pixels: int, turns: int = 1) -> None:
    # Wheel turns as a reader's: the scripts listen to the scroll events they make.
    for _ in range(turns):
        page.mouse.wheel(0, pixels)
    # The scroll handlers run on the next animation frame.
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


# --- reader settings ----------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_reader_settings_are_kept_in_the_browser_and_applied_before_the_first_paint(
    demo, seed_story, page_at, viewport
):
    width = viewport["width"]
    page = page_at(viewport)
    page.add_init_script(RECORD_FIRST_PAINT)
    page.goto(demo.url + seed_story.get_absolute_url())
    default = prose_style(page)
    assert "Charter" in default["family"] or "serif" in default["family"]
    assert background(page) == LIGHT_BG
    assert page.evaluate("window.__atBodyStart") == {
        "theme": "system",
        "size": "standard",
        "font": "serif",
    }

    # The "Aa" disclosure by the story: real radio groups, by keyboard alone.
    tools = page.locator('[data-block="tools"]')
    settings_form = tools.get_by_role("form", name="Reading settings")
    assert not settings_form.is_visible()
    tools.locator("summary").focus()
    page.keyboard.press("Enter")
    assert settings_form.is_visible()
    size = settings_form.get_by_role("group", name="Text size")
    standard = size.get_by_role("radio", name="Standard")
    assert standard.is_checked()
    standard.focus()
    page.keyboard.press("ArrowDown")  # the next radio of the group: Large
    assert size.get_by_role("radio", name="Large", exact=True).is_checked()
    assert page.evaluate("document.documentElement.dataset.textSize") == "large"
    assert prose_style(page)["size"] == pytest.approx(default["size"] * 1.15, abs=0.1)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"reader-settings-open-{width}")
    assert_accessible(page)

    # Larger, sans and dark, by pointer.
    settings_form.get_by_label("Larger").check()
    settings_form.get_by_label("Sans").check()
    settings_form.get_by_label("Dark").check()
    assert background(page) == DARK_BG
    larger = prose_style(page)
    assert larger["size"] == pytest.approx(default["size"] * 1.3, abs=0.1)
    assert "Charter" not in larger["family"] and "system-ui" in larger["family"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)  # the dark scheme with the panel open
    settings_form.get_by_label("Dark").focus()
    page.keyboard.press("Escape")  # closed again, focus back on its toggle
    assert not settings_form.is_visible()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    screenshot(page, f"reader-settings-dark-larger-{width}")

    # Kept in this browser: another page has them from its first paint on, and the footer's
    # copy of the controls shows them.
    page.goto(demo.url + "/")
    assert page.evaluate("window.__atBodyStart") == {
        "theme": "dark",
        "size": "larger",
        "font": "sans",
    }
    assert background(page) == DARK_BG
    footer = page.locator("footer .reader-settings")
    footer.locator("summary").click()
    assert footer.get_by_role("radio", name="Dark").is_checked()
    assert footer.get_by_role("radio", name="Larger").is_checked()
    # Changed there, and back on the story it holds.
    footer.get_by_role("radio", name="Light").check()
    assert background(page) == LIGHT_BG
    page.goto(demo.url + seed_story.get_absolute_url())
    assert page.evaluate("window.__atBodyStart")["theme"] == "light"
    assert background(page) == LIGHT_BG


def test_the_system_theme_follows_the_device_unless_the_reader_chose(demo, seed_story, page_at):
    page = page_at(DESKTOP)
    page.emulate_media(color_scheme="dark")
    page.goto(demo.url + seed_story.get_absolute_url())
    assert background(page) == DARK_BG  # "System" on a dark device
    tools = page.locator('[data-block="tools"]')
    tools.locator("summary").click()
    tools.get_by_label("Light").check()
    assert background(page) == LIGHT_BG  # chosen light beats the device's dark
    page.reload()
    assert background(page) == LIGHT_BG
    page.emulate_media(color_scheme="light")
    tools.locator("summary").click()
    tools.get_by_label("Dark").check()
    assert background(page) == DARK_BG  # chosen dark on a light device
    screenshot(page, "reader-settings-dark-1280")
    assert_accessible(page)


def test_the_settings_stay_hidden_without_a_script_to_keep_them(demo, seed_story, browser):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(demo.url + seed_story.get_absolute_url())
        assert page.locator(".story__title").is_visible()
        assert page.locator(".reader-settings").count() == 2  # the story's and the footer's
        assert not page.locator(".reader-settings").first.is_visible()
        assert not page.locator(".reader-settings").last.is_visible()
    finally:
        context.close()


# --- the phone bar ------------------------------------------------------------------------------


def test_the_phone_bar_hides_while_reading_down_and_never_covers_the_text(
    demo, seed_story, page_at
):
    page = page_at(PHONE)
    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto(demo.url + seed_story.get_absolute_url())
    bar = page.get_by_role("navigation", name="Support this story")
    creator = seed_story.creator.name
    assert bar.is_visible()
    names = [
        f"Subscribe to {creator} for free",
        f"Pledge monthly to {creator}",
        f"Tip {creator}",
        "Like",
        "Share this story",
    ]
    for name in names:
        item = bar.get_by_role("button", name=name).or_(bar.get_by_role("link", name=name))
        assert item.is_visible(), name
        assert item.bounding_box()["height"] >= 44, name  # a finger's target
    height = PHONE["height"]
    box = bar.bounding_box()
    assert box["y"] + box["height"] == pytest.approx(height, abs=1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "phone-bar-390")
    screenshot(page, "phone-bar-390-bar", of=bar)
    assert_accessible(page)

    def bar_away() -> bool:
        return "phone-bar--away" in (bar.get_attribute("class") or "")

    def bar_on_screen() -> bool:
        # Its transition has ended where it is headed.
        page.wait_for_function(
            "() => document.querySelector('[data-phone-bar]').getAnimations().length === 0"
        )
        return bar.bounding_box()["y"] < height

    # Reading down: the bar goes, so the lines passing the bottom of the screen, where the read
    # beacon watches the body (read-tracker.js), are not under it.
    scroll_by(page, 300, turns=3)
    assert bar_away() and not bar_on_screen()
    body = page.locator('[data-block="body"]')
    passed_bottom = body.evaluate(
        "b => { const r = b.getBoundingClientRect(); return r.top + r.height * 0.8 <= innerHeight }"
    )
    assert not passed_bottom  # still reading the body, with the bar away

    # Scrolling up brings it back.
    scroll_by(page, -200)
    assert not bar_away() and bar_on_screen()

    # Focus moving into a bar that is away brings it back too (keyboard, screen reader).
    scroll_by(page, 300, turns=2)
    assert bar_away()
    bar.get_by_role("link", name=f"Tip {creator}").focus()
    assert not bar_away() and bar_on_screen()

    # At the end of the page it is back, and under the page's last line, not over it.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    scroll_by(page, 100)
    assert not bar_away() and bar_on_screen()
    last_line = page.locator(".site-footer__copyright").bounding_box()
    assert last_line["y"] + last_line["height"] <= bar.bounding_box()["y"]
    screenshot(page, "phone-bar-end-390")
    assert page.evaluate("window.__cspViolations") == []

    # A smaller phone: every item still inside the screen, nothing to scroll sideways.
    page.set_viewport_size({"width": 360, "height": 740})
    for item in bar.locator(".phone-bar__item").all():
        box = item.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_phone_bar_leads_to_the_support_box_and_shares(demo, seed_story, page_at):
    page = page_at(PHONE)
    # Jumps without smooth scrolling, so each click's scroll has ended when it returns.
    page.emulate_media(reduced_motion="reduce")
    page.goto(demo.url + seed_story.get_absolute_url())
    bar = page.get_by_role("navigation", name="Support this story")
    creator = seed_story.creator.name

    # Tip opens the support box's own tip panel and puts focus on it.
    tip_panel = page.locator("#support-tip")
    assert tip_panel.get_attribute("open") is None
    bar.get_by_role("link", name=f"Tip {creator}").click()
    assert tip_panel.get_attribute("open") is not None
    assert page.evaluate("document.activeElement.closest('details')?.id") == "support-tip"
    assert tip_panel.get_by_role("group", name=f"Give a one-off tip to {creator}").is_visible()
    screenshot(page, "phone-bar-tip-390")

    # Pledge: the pledge panel (one panel open at a time, as in the box).
    bar.get_by_role("link", name=f"Pledge monthly to {creator}").click()
    assert page.locator("#support-pledge").get_attribute("open") is not None
    assert page.locator("#support-tip").get_attribute("open") is None

    # Share without a share sheet: the share block, its link focused to copy.
    bar.get_by_role("link", name="Share this story").click()
    assert page.evaluate("document.activeElement.id") == "share-url"

    # Subscribe sends the support box's own form: for an anonymous reader its GET, to the page
    # that asks them to confirm (and then to log in).
    action = page.locator("#subscribe-form").get_attribute("action")
    scroll_by(page, -100)  # the jumps went down the page, so the bar is away: a flick up
    bar.get_by_role("button", name=f"Subscribe to {creator} for free").click()
    page.wait_for_url(lambda address: urlsplit(address).path == action)
    assert page.get_by_role("heading", level=1).is_visible()


def test_a_signed_in_reader_subscribes_from_the_phone_bar(demo, seed_story, page_at):
    make_user("rae", display_name="Rae Reader", password=PASSWORD)
    page = page_at(PHONE)
    page.goto(demo.url + "/accounts/login/")
    page.get_by_label("Username").fill("rae")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda address: "/accounts/login/" not in address)
    page.goto(demo.url + seed_story.get_absolute_url())
    bar = page.get_by_role("navigation", name="Support this story")
    creator = seed_story.creator
    subscribe = bar.get_by_role("button", name=f"Subscribe to {creator.name} for free")
    with page.expect_navigation():
        subscribe.click()  # the support box's POST form, with its CSRF token
    assert Subscription.objects.filter(subscriber__username="rae", creator=creator).exists()
    # Subscribed: the box says so, and the bar offers no Subscribe any more.
    assert page.locator('[data-block="support"]').get_by_text("Subscribed").is_visible()
    assert bar.is_visible()
    assert not subscribe.is_visible()
    assert bar.get_by_role("link", name=f"Tip {creator.name}").is_visible()
    assert_accessible(page)


def test_the_phone_bar_is_for_phones_and_offers_the_creator_no_self_support(
    demo, seed_story, page_at
):
    page = page_at(DESKTOP)
    page.goto(demo.url + seed_story.get_absolute_url())
    assert page.locator("[data-phone-bar]").count() == 1
    assert not page.locator("[data-phone-bar]").is_visible()  # a desk has the support box

    creator = seed_story.creator
    creator.set_password(PASSWORD)
    creator.save()
    page = page_at(PHONE)
    page.goto(demo.url + "/accounts/login/")
    page.get_by_label("Username").fill(creator.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda address: "/accounts/login/" not in address)
    page.goto(demo.url + seed_story.get_absolute_url())
    bar = page.get_by_role("navigation", name="Support this story")
    assert bar.get_by_role("link", name="Share this story").is_visible()
    for word in ("Subscribe", "Pledge", "Tip", "Like"):
        assert not bar.get_by_text(word).is_visible(), word
    assert_accessible(page)


# --- listen -------------------------------------------------------------------------------------

VOICES = """wait => new Promise(done => {
  if (speechSynthesis.getVoices().length) return done(speechSynthesis.getVoices().length);
  speechSynthesis.addEventListener("voiceschanged", () => done(speechSynthesis.getVoices().length));
  setTimeout(() => done(speechSynthesis.getVoices().length), wait);
})"""


@pytest.fixture(scope="module")
def voiced_browser(browser):
    """Headed Chromium on a display, kept for the module: speech-dispatcher, which it starts,
    takes seconds to list its voices the first time."""
    if not os.environ.get("DISPLAY"):
        yield None
        return
    headed = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=False,
        args=["--no-sandbox", "--disable-gpu", "--enable-speech-dispatcher"],
    )
    yield headed
    headed.close()


@pytest.fixture
def voiced_page(browser, voiced_browser):
    """A page in a Chromium that may have voices. Headless Chromium has none; on a display
    (`xvfb-run`) a headed one asks speech-dispatcher, Linux's speech service, for its voices
    (espeak-ng's, where installed). Without a display: the usual headless browser."""
    headed = voiced_browser
    contexts = []

    def open_page(viewport: dict[str, int]):
        context = (headed or browser).new_context(viewport=viewport, device_scale_factor=1)
        contexts.append(context)
        return scripted(context.new_page())

    yield open_page, bool(headed)
    for context in contexts:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_listen_reads_the_story_where_the_browser_has_a_voice(
    demo, seed_story, voiced_page, viewport
):
    width = viewport["width"]
    open_page, headed = voiced_page
    page = open_page(viewport)
    page.goto(demo.url + seed_story.get_absolute_url())
    listen = page.locator("[data-listen]")
    # speech-dispatcher may take seconds to start and list its voices.
    voices = page.evaluate(VOICES, 15000 if headed else 2000)
    if not voices:
        # No voice to read with (Chromium without speech-dispatcher): no button that can't work.
        assert listen.get_attribute("hidden") is not None
        assert not page.get_by_role("button", name="Listen").is_visible()
        return

    toggle = listen.get_by_role("button", name="Listen")
    assert toggle.is_visible()
    assert not listen.get_by_role("button", name="Stop").is_visible()
    toggle.click()
    assert listen.get_attribute("data-state") == "playing"
    assert listen.locator('[data-listen-icon="pause"]').is_visible()
    assert not listen.locator('[data-listen-icon="play"]').is_visible()
    reading = page.locator('[data-block="body"] .is-being-read')
    assert reading.count() == 1
    first = page.locator('[data-block="body"] p').first
    assert "is-being-read" in (first.get_attribute("class") or "")
    screenshot(page, f"listen-playing-{width}")
    assert_accessible(page)

    # Pause keeps the place; Resume reads on from there.
    listen.get_by_role("button", name="Pause").click()
    assert listen.get_attribute("data-state") == "paused"
    assert reading.count() == 1
    listen.get_by_label("Speed").select_option("1.5")
    listen.get_by_role("button", name="Resume").click()
    assert listen.get_attribute("data-state") == "playing"
    # Stop ends it: nothing highlighted, back to Listen.
    listen.get_by_role("button", name="Stop").click()
    assert listen.get_attribute("data-state") == "idle"
    assert reading.count() == 0
    assert listen.get_by_role("button", name="Listen").is_visible()
    assert not page.evaluate("speechSynthesis.speaking")


# --- the reading progress bar -------------------------------------------------------------------


def test_the_progress_bar_follows_the_body_and_respects_reduced_motion(demo, seed_story, page_at):
    page = page_at(DESKTOP)
    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto(demo.url + seed_story.get_absolute_url())
    progress = page.locator("[data-reading-progress]")
    assert progress.get_attribute("aria-hidden") == "true"  # decoration: no announcement

    def done() -> float:
        return float(progress.evaluate("p => p.style.getPropertyValue('--reading-progress')"))

    assert done() == 0
    body = page.locator('[data-block="body"]').bounding_box()
    page.evaluate(f"window.scrollTo(0, {body['y'] + body['height'] / 2})")
    scroll_by(page, 1)
    assert 0.2 < done() < 0.9
    page.evaluate(f"window.scrollTo(0, {body['y'] + body['height']})")
    scroll_by(page, 1)
    assert done() == 1
    bar = page.locator(".reading-progress__bar")
    page.wait_for_function(
        "() => document.querySelector('.reading-progress__bar').getAnimations().length === 0"
    )
    assert bar.bounding_box()["width"] == pytest.approx(DESKTOP["width"], abs=1)
    assert bar.bounding_box()["y"] == 0
    assert bar.evaluate("b => getComputedStyle(b).transitionDuration") != "0s"
    # Moved through CSSOM, which the policy allows: nothing was refused.
    assert page.evaluate("window.__cspViolations") == []

    page.emulate_media(reduced_motion="reduce")
    assert bar.evaluate("b => getComputedStyle(b).transitionDuration") == "0s"
    assert page.locator("[data-phone-bar]").evaluate(
        "b => getComputedStyle(b).transitionDuration"
    ) in ("0s", "")


# --- print --------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_printed_story_is_the_article_alone_with_its_address(
    demo, seed_story, page_at, viewport
):
    width = viewport["width"]
    page = page_at(viewport)
    page.goto(demo.url + seed_story.get_absolute_url())
    address = page.locator('[data-block="address"]')
    assert not address.is_visible()  # on screen the browser shows the address
    page.emulate_media(media="print")
    for block in ("title", "hero", "byline", "body", "address"):
        assert page.locator(f'[data-block="{block}"]').is_visible(), block
    assert page.locator('[data-block="hero"] figcaption').is_visible()
    byline = page.locator('[data-block="byline"]').inner_text()
    assert "By Amelia Wilson" in byline and "Published" in byline
    assert address.inner_text().endswith(seed_story.get_absolute_url())
    assert re.search(r"https?://", address.inner_text())
    for hidden in (
        "header.site-header",
        "footer.site-footer",
        "[data-phone-bar]",
        "[data-reading-progress]",
        '[data-block="tools"]',
        '[data-block="share"]',
        '[data-block="support"]',
        '[data-block="reactions-top"]',
        '[data-block="reactions-end"]',
        '[data-block="written-by"]',
        "#comments, [data-block='comments']",
    ):
        located = page.locator(hidden)
        assert located.count() == 0 or not located.first.is_visible(), hidden
    assert background(page) == "rgb(255, 255, 255)"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"print-{width}")


def test_the_printed_story_is_black_on_white_whatever_the_theme(demo, seed_story, page_at):
    page = page_at(DESKTOP)
    page.goto(demo.url + seed_story.get_absolute_url())
    tools = page.locator('[data-block="tools"]')
    tools.locator("summary").click()
    tools.get_by_label("Dark").check()
    tools.get_by_label("Larger").check()
    assert background(page) == DARK_BG
    page.emulate_media(media="print")
    assert background(page) == "rgb(255, 255, 255)"
    color = page.evaluate("getComputedStyle(document.querySelector('.story__body')).color")
    assert color == "rgb(0, 0, 0)"
