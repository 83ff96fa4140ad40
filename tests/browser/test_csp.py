"""Under the enforced Content-Security-Policy, Chromium refuses nothing the site itself needs:
the admin and its review queue, the editor (it loads and takes text), the story page, the home
page, the wallet and the stats charts."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.core.files.base import ContentFile
from django.urls import reverse

from core import first_paint
from platform_site.pages import ensure_footer_pages
from stories.models import Story
from support.services import support_settings_update, tip_create
from tests.browser.conftest import DESKTOP, screenshot
from tests.conftest import make_community, make_story, make_user, png_bytes
from tests.insights.insights_helpers import add_insight, default_choices

STAFF_PASSWORD = "staff password for the policy"
CREATOR_PASSWORD = "creator password for the policy"

# Run before any script of the page: every refusal the policy makes is kept on the window.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"} ` +
      `at ${event.sourceFile || document.URL}:${event.lineNumber}`
  );
});
"""


@pytest.fixture
def site(transactional_db, live_server, settings):
    settings.PAYMENTS_GATEWAY = "offline"
    settings.STRIPE_SECRET_KEY = ""
    ensure_footer_pages(Site, FlatPage)
    choices = default_choices()
    lifehack = make_community("Lifehack", description="Tips for a better life.")
    make_user("sam", is_staff=True, is_superuser=True, password=STAFF_PASSWORD)
    alice = make_user("alice", display_name="Alice Walker", password=CREATOR_PASSWORD)
    story = make_story(
        creator=alice,
        community=lifehack,
        title="Tomatoes in August",
        body="<h2>Heat</h2><p>Water <strong>early</strong>.</p>",
        hero_alt="Red tomatoes on the vine",
        hero_caption="The first ripe ones",
    )
    story.hero_image.save("tomatoes.png", ContentFile(png_bytes((1200, 675))), save=True)
    make_story(
        creator=alice,
        community=lifehack,
        title="Awaiting review",
        status=Story.Status.SUBMITTED,
        body="<p>Please publish me.</p>",
    )
    reader = make_user("bob")
    add_insight(story, reader, choices.nice)
    support_settings_update(creator=alice, accepts_support=True)
    tip_create(creator=alice, supporter=reader, amount=500, story=story)
    return live_server


class Watched:
    """A page whose CSP refusals, console errors and uncaught exceptions are all kept."""

    def __init__(self, page) -> None:
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        page.on(
            "console",
            lambda message: self.console.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        policy = response.headers["content-security-policy"] + ";"
        assert f"script-src 'self' {first_paint.CSP_SOURCE};" in policy
        self.page.wait_for_load_state("networkidle")
        self.assert_clean()

    def assert_clean(self) -> None:
        where = urlsplit(self.page.url).path
        violations = self.page.evaluate("window.__cspViolations")
        assert violations == [], f"CSP refused something on {where}: {violations}"
        refused = [line for line in self.console if "Content Security Policy" in line]
        assert refused == [], f"console on {where}: {refused}"
        assert self.errors == [], f"script errors on {where}: {self.errors}"


def watched_page(browser) -> Watched:
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(COLLECT_VIOLATIONS)
    return Watched(context.new_page())


def log_in(watched: Watched, url: str, username: str, password: str) -> None:
    page = watched.page
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")
    watched.assert_clean()


def test_the_admin_and_the_review_queue_work_under_the_policy(site, browser):
    staff = watched_page(browser)
    log_in(staff, site.url + "/admin/login/?next=/admin/", "sam", STAFF_PASSWORD)
    assert urlsplit(staff.page.url).path == "/admin/"
    story = Story.objects.get(title="Tomatoes in August")
    submitted = Story.objects.get(title="Awaiting review")
    for path in (
        "/admin/",
        "/admin/stories/story/",
        f"/admin/stories/story/{story.pk}/change/",
        "/admin/comments/comment/",
        "/admin/support/tip/",
        "/admin/stories/submission/",
    ):
        staff.visit(site.url + path)
    staff.page.get_by_role("link", name="Awaiting review").click()
    staff.page.wait_for_load_state("networkidle")
    assert staff.page.url.endswith(reverse("admin:stories_submission_change", args=[submitted.pk]))
    assert "Please publish me." in staff.page.locator(".review-body").inner_text()
    staff.assert_clean()
    # The preview's own stylesheet applied: its facts are a grid, not a plain list.
    assert staff.page.locator(".review-facts").evaluate("el => getComputedStyle(el).display") == (
        "grid"
    )
    screenshot(staff.page, "csp-admin-review-preview-1280")

    # The change form's scripts ran: the autocomplete widgets became select2 boxes, and the
    # "Save" button still saves.
    staff.visit(site.url + f"/admin/stories/story/{story.pk}/change/")
    staff.page.locator(".select2-container").first.wait_for()
    staff.page.get_by_role("button", name="Save", exact=True).click()
    staff.page.wait_for_load_state("networkidle")
    assert "was changed successfully" in staff.page.locator(".messagelist").inner_text()
    staff.assert_clean()


def test_the_editor_loads_and_takes_text_under_the_policy(site, browser):
    writer = watched_page(browser)
    log_in(writer, site.url + "/accounts/login/?next=/write/new/", "alice", CREATOR_PASSWORD)
    assert urlsplit(writer.page.url).path == "/write/new/"
    page = writer.page
    # No inline import map and no injected <style>: the page has no script or style of its own
    # but the first-paint one, which the policy allows by its hash (nothing was refused below).
    inline = page.locator("script:not([src])")
    assert inline.count() == 1 and inline.text_content() == first_paint.SCRIPT
    assert page.locator("style").count() == 0
    page.get_by_label("Title", exact=True).fill("Written under the policy")
    page.get_by_label("Community").select_option(label="Lifehack")
    body = page.locator(".ProseMirror[contenteditable=true] >> visible=true").first
    body.click()
    page.keyboard.type("Heading first")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+b")
    page.keyboard.type("Bold words")
    page.keyboard.press("Control+b")
    page.keyboard.type(" and plain ones.")
    assert body.locator("strong").inner_text() == "Bold words"
    # Tiptap's base rules come from our stylesheet now, not from an injected <style>.
    assert body.evaluate("el => getComputedStyle(el).whiteSpace") in {"pre-wrap", "break-spaces"}
    writer.assert_clean()
    screenshot(page, "csp-editor-1280")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("networkidle")
    writer.assert_clean()
    story = Story.objects.get(title="Written under the policy")
    assert "<strong>Bold words</strong> and plain ones." in story.body

    # What readers and the creator see: the story with its hero image, home, wallet, stats.
    published = Story.objects.get(title="Tomatoes in August")
    writer.visit(site.url + published.get_absolute_url())
    hero = page.locator("[data-block=hero] img")
    assert hero.evaluate("img => img.complete && img.naturalWidth > 0")
    writer.visit(site.url + "/")
    writer.visit(site.url + "/wallet/")
    assert page.locator(".bar-chart svg").count() >= 1
    writer.visit(site.url + "/write/stats/")
    assert page.locator(".bar-chart svg").count() >= 1
    bar = page.locator(".bar-chart__bar").first
    assert bar.evaluate("el => getComputedStyle(el).fill") != "rgb(0, 0, 0)"  # site.css applied
    screenshot(page, "csp-stats-1280")


def test_an_inline_script_really_is_refused(site, browser):
    # The watcher sees what it is there to see: a script added to the page after load is
    # refused and reported, so the tests above pass because nothing was refused.
    watched = watched_page(browser)
    watched.visit(site.url + "/")
    watched.page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.__ran = true";
        document.body.append(script);
        const div = document.createElement("div");
        div.setAttribute("style", "color: red");
        document.body.append(div);
    }"""
    )
    watched.page.wait_for_function("window.__cspViolations.length >= 2")
    violations = watched.page.evaluate("window.__cspViolations")
    assert any(re.match(r"script-src(-elem)? refused inline", v) for v in violations)
    assert any(re.match(r"style-src(-attr)? refused inline", v) for v in violations)
    assert watched.page.evaluate("window.__ran === undefined")
