"""Challenges in Chromium (issue 17): staff create one in the admin, a creator enters a story
from the challenge's page, staff judge and decide, and the creator's wallet shows the prize;
/challenges/ and the demo's open and decided challenges at 390 and 1280 px, axe clean."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from challenges.models import Challenge, Entry
from stories.models import Story
from support.models import LedgerEntry
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    build_demo,
    screenshot,
    scripted,
)
from tests.conftest import make_community, make_story, make_user

STAFF_PASSWORD = "staff-password-123"
WRITER_PASSWORD = "writer-password-123"


@pytest.fixture
def demo(demo_data, live_server):
    demo_data("demo", build_demo)
    return live_server


@pytest.fixture
def site(transactional_db, live_server):
    return live_server


def log_in(page, url: str, username: str, password: str) -> None:
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def admin_action(page, action: str, row_text: str) -> None:
    """Tick the changelist row holding `row_text` and run `action` on it."""
    page.locator("#result_list tr", has_text=row_text).locator("input.action-select").check()
    page.locator("select[name=action]").select_option(action)
    page.get_by_role("button", name="Go").click()
    page.wait_for_load_state()


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_challenge_pages_render_and_are_accessible(demo, page_at, viewport):
    width = viewport["width"]
    page = page_at(viewport)

    page.goto(demo.url + "/challenges/")
    open_section = page.locator("section", has=page.locator("#open-heading"))
    decided_section = page.locator("section", has=page.locator("#decided-heading"))
    assert open_section.get_by_role("link", name="Small rooms").is_visible()
    assert "Closes in 4 days" in open_section.inner_text()
    assert "$400.00 in prizes" in open_section.inner_text()
    assert decided_section.get_by_role("link", name="The long winter").is_visible()
    # Open first, then decided.
    assert open_section.bounding_box()["y"] < decided_section.bounding_box()["y"]
    no_sideways_scroll(page)
    screenshot(page, f"challenges-list-{width}")
    assert_accessible(page)

    page.goto(demo.url + "/challenges/small-rooms/")
    assert page.locator("[data-countdown]").inner_text().startswith("Closes in 4 days")
    assert page.locator("#entries-heading").text_content() == "Entries (3)"
    assert page.locator(".entry").count() == 3
    no_sideways_scroll(page)
    screenshot(page, f"challenge-open-{width}")
    assert_accessible(page)

    page.goto(demo.url + "/challenges/the-long-winter/")
    winners = page.locator(".winner")
    assert winners.count() == 3
    assert winners.first.locator(".winner__award").inner_text() == "1st place"
    assert winners.first.locator(".winner__reason").is_visible()
    no_sideways_scroll(page)
    screenshot(page, f"challenge-decided-{width}")
    assert_accessible(page)

    # The winning story carries its badge on its page.
    winners.first.locator(".winner__story a").click()
    page.wait_for_load_state()
    assert page.locator(".story__distinction").inner_text() == "1st place: The long winter"

    # The home page shows the open challenge under Top Stories.
    page.goto(demo.url + "/")
    block = page.locator("[data-block=open-challenges]")
    assert block.get_by_role("link", name="Small rooms").is_visible()
    top = page.locator("[data-block=top-stories]").bounding_box()
    assert top["y"] < block.bounding_box()["y"]
    screenshot(page, f"home-open-challenges-{width}")


def test_staff_create_a_creator_enters_staff_decide_and_the_wallet_shows_the_prize(site, browser):
    make_user("sam", password=STAFF_PASSWORD, is_staff=True, is_superuser=True)
    writer = make_user("wren", display_name="Wren Writer", password=WRITER_PASSWORD)
    community = make_community("Weather")

    # 1. Staff create the challenge in the admin, with two prizes.
    staff = scripted(browser.new_context(viewport=DESKTOP).new_page())
    log_in(
        staff,
        site.url + "/admin/login/?next=/admin/challenges/challenge/add/",
        "sam",
        STAFF_PASSWORD,
    )
    staff.wait_for_url("**/admin/challenges/challenge/add/")
    today = timezone.localtime()
    staff.locator("#id_title").fill("Storm season")  # the slug follows (prepopulated)
    staff.locator("#id_brief").fill("<p>Write a storm.</p>")
    staff.locator("#id_rules").fill("Under 1,000 words.")
    for name, day in (
        ("opens_at", today - timedelta(days=1)),
        ("closes_at", today + timedelta(days=3)),
        ("judging_by", today + timedelta(days=10)),
    ):
        staff.locator(f"#id_{name}_0").fill(day.strftime("%Y-%m-%d"))
        staff.locator(f"#id_{name}_1").fill(day.strftime("%H:%M:%S"))
    staff.locator("#id_prizes-0-place").fill("1")
    staff.locator("#id_prizes-0-amount").fill("20000")
    staff.locator("#id_prizes-1-place").fill("2")
    staff.locator("#id_prizes-1-amount").fill("5000")
    staff.locator("input[name=_save]").click()
    staff.wait_for_url("**/admin/challenges/challenge/")
    admin_action(staff, "open_now", "Storm season")
    assert "now open" in staff.locator(".messagelist").inner_text()
    screenshot(staff, "admin-challenge-opened-1280")
    challenge = Challenge.objects.get(slug="storm-season")
    assert challenge.status == Challenge.Status.OPEN

    # 2. The creator, with a story written and submitted since, enters it from the page.
    story = make_story(
        creator=writer,
        community=community,
        title="The barometer falls",
        published_ago=timedelta(hours=1),
    )
    creator = scripted(browser.new_context(viewport=PHONE).new_page())
    log_in(
        creator,
        site.url + "/accounts/login/?next=/challenges/storm-season/",
        "wren",
        WRITER_PASSWORD,
    )
    creator.wait_for_url("**/challenges/storm-season/")
    creator.get_by_label("Your story").select_option(label="The barometer falls")
    creator.get_by_role("button", name="Enter this story").click()
    creator.wait_for_load_state()
    assert creator.locator("#entries-heading").text_content() == "Entries (1)"
    assert (
        creator.locator(".challenge__mine")
        .get_by_role("link", name="The barometer falls")
        .is_visible()
    )
    screenshot(creator, "challenge-entered-390")
    entry = Entry.objects.get(story=story)

    # 3. Staff close it, shortlist and place the entry, and decide.
    staff.goto(site.url + "/admin/challenges/challenge/")
    admin_action(staff, "close_for_judging", "Storm season")
    staff.goto(site.url + f"/admin/challenges/entry/{entry.pk}/change/")
    staff.locator("#id_shortlisted").check()
    staff.locator("#id_shortlist_note").fill("Tense from the first line")
    staff.locator("input[name=_continue]").click()
    staff.wait_for_load_state()
    staff.locator("#id_place").fill("1")
    staff.locator("#id_reason").fill("You can hear the pressure drop.")
    staff.locator("input[name=_save]").click()
    staff.wait_for_load_state()
    staff.goto(site.url + "/admin/challenges/challenge/")
    admin_action(staff, "decide", "Storm season")
    assert "1 prize(s) paid" in staff.locator(".messagelist").inner_text()
    assert LedgerEntry.objects.filter(kind="prize", creator=writer, amount=20000).exists()

    # 4. The creator's wallet shows the prize; the challenge page names the winner.
    creator.goto(site.url + "/wallet/")
    row = creator.locator(".support-table tr", has_text="Prize: 1st place in “Storm season”")
    assert row.is_visible()
    assert "$200.00" in row.inner_text()
    screenshot(creator, "wallet-prize-390")
    creator.goto(site.url + "/challenges/storm-season/")
    assert "You can hear the pressure drop." in creator.locator(".winner").inner_text()
    story.refresh_from_db()
    assert story.distinction == "1st place: Storm season"
    assert Story.objects.get(pk=story.pk).status == Story.Status.PUBLISHED
    for page in (staff, creator):
        page.context.close()
