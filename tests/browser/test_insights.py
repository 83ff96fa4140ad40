"""A reader adds reader insights to a published story in Chromium and sees the summary change."""

from __future__ import annotations

import pytest

from insights.models import Insight
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, screenshot
from tests.conftest import make_community, make_story, make_user
from tests.insights.insights_helpers import add_insight, default_choices

EMPTY = "Be the first to share your insights about this piece."


@pytest.fixture
def site(transactional_db, live_server):
    # A transactional test's flush also empties what the data migration created; put it back.
    choices = default_choices()
    lifehack = make_community("Lifehack", description="Tips for a better life.")
    alice = make_user("alice", display_name="Alice Walker")
    story = make_story(
        creator=alice,
        community=lifehack,
        title="Tomatoes in winter",
        body="<p>" + "Grow them indoors, by the brightest window you have. " * 40 + "</p>",
    )
    make_user("bob", display_name="Bob Reader", password="bob-password-1234")
    return {"url": live_server.url, "story": story, "choices": choices, "alice": alice}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_reader_adds_an_insight_and_sees_the_summary_update(site, page_at, viewport):
    width = viewport["width"]
    story, choices = site["story"], site["choices"]
    page = page_at(viewport)
    page.goto(site["url"] + story.get_absolute_url())
    block = page.locator('[data-block="insights"]')
    assert block.get_by_role("heading", name="Reader insights").is_visible()
    assert block.get_by_text(EMPTY).is_visible()

    # "How does it work?" opens in place.
    block.get_by_text("How does it work?").click()
    assert block.get_by_text("one overall rating", exact=False).is_visible()
    block.scroll_into_view_if_needed()
    screenshot(page, f"insights-empty-{width}")
    assert_accessible(page)

    # Logging in from the block comes back to the block.
    block.get_by_role("link", name="Log in to add your insights").click()
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill("bob-password-1234")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{story.get_absolute_url()}#insights")

    # The form: ratings with their phrases, qualities, inside labelled fieldsets.
    block = page.locator('[data-block="insights"]')
    assert block.get_by_role("heading", name="Add your insights").is_visible()
    ratings = block.get_by_role("group", name="Overall rating")
    assert ratings.get_by_text("Very well written. Keep up the good work!").is_visible()
    ratings.get_by_label("Outstanding").check()
    qualities = block.get_by_role("group", name="Qualities")
    qualities.get_by_label("Eye opening").check()
    qualities.get_by_label("Excellent storytelling").check()
    screenshot(page, f"insights-form-{width}")
    assert_accessible(page)
    block.get_by_role("button", name="Add my insight").click()
    page.wait_for_load_state()

    # The summary now leads with their rating, and counts their qualities.
    assert "is added" in page.locator(".messages").inner_text()
    block = page.locator('[data-block="insights"]')
    summary = block.locator(".insights__summary")
    assert summary.locator(".insights__leading").inner_text() == "Outstanding"
    assert summary.get_by_text("Excellent work. Looking forward to reading more!").is_visible()
    counted = summary.locator(".insights__quality")
    assert counted.count() == 2
    assert "Eye opening" in counted.first.inner_text() and "1" in counted.first.inner_text()
    assert not block.get_by_text(EMPTY).count()
    insight = Insight.objects.get()
    assert insight.rating == choices.outstanding
    assert {q.name for q in insight.qualities.all()} == {"Eye opening", "Excellent storytelling"}
    block.scroll_into_view_if_needed()
    screenshot(page, f"insights-added-{width}")
    assert_accessible(page)

    # Another reader agrees on "Nice Work": a tie, which goes to the higher position.
    add_insight(story, make_user("carol"), choices.nice, choices.q("Eye opening"))
    page.reload()
    block = page.locator('[data-block="insights"]')
    assert block.locator(".insights__leading").inner_text() == "Outstanding"
    assert "2 readers" in block.locator(".insights__summary").inner_text()
    first = block.locator(".insights__quality").first.inner_text()
    assert "Eye opening" in first and "2" in first

    # They change their mind: the form is filled in, and saving updates the one insight.
    assert block.get_by_label("Outstanding").is_checked()
    assert block.get_by_label("Eye opening").is_checked()
    block.get_by_label("Nice Work").check()
    block.get_by_role("button", name="Update my insight").click()
    page.wait_for_load_state()
    assert "updated" in page.locator(".messages").inner_text()
    block = page.locator('[data-block="insights"]')
    assert block.locator(".insights__leading").inner_text() == "Nice Work"
    assert Insight.objects.count() == 2

    # …and withdraw it.
    block.get_by_role("button", name="Withdraw my insight").click()
    page.wait_for_load_state()
    assert "withdrawn" in page.locator(".messages").inner_text()
    assert Insight.objects.count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
