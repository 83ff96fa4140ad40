"""A reader searches from the header on a phone and a desktop, and sees their words marked."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, build_demo, screenshot


@pytest.fixture
def demo(demo_data, live_server):
    # The footer pages and load_demo, built once per process (conftest.demo_data).
    demo_data("demo", build_demo)
    return live_server


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_reader_searches_from_the_header(demo, page_at, viewport):
    page = page_at(viewport)
    page.goto(demo.url + "/explore/")
    # A combobox once static/js/search-suggest.js has run (its suggestions: test_search_suggest.py).
    header_search = page.locator(".site-header").get_by_role("combobox", name="Search stories")
    assert header_search.is_visible()
    header_search.fill("sleep")
    header_search.press("Enter")
    page.wait_for_url("**/search/?q=sleep")

    assert page.get_by_label("Search stories by title, words, tags or writer").input_value() == (
        "sleep"
    )
    assert re.fullmatch(r"\d+ results? for “sleep”", page.locator(".search-summary").inner_text())
    first = page.locator(".search-result").first
    # The story with the word in its title comes first, the word marked in it.
    assert first.locator(".story-card__title mark").first.inner_text().lower() == "sleep"
    assert first.locator(".search-result__excerpt mark").first.is_visible()
    marked = page.locator(".search-result mark").all_inner_texts()
    assert marked and all(re.fullmatch(r"(?i)sleep\w*", text) for text in marked), marked
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"search-{viewport['width']}")
    assert_accessible(page)

    with page.expect_navigation():
        first.locator(".story-card__title a").click()
    assert page.locator("h1").inner_text().startswith("What I Learned from Tracking My Sleep")


def test_marks_stay_readable_in_the_dark_scheme(demo, page_at):
    page = page_at(DESKTOP)
    page.emulate_media(color_scheme="dark")
    page.goto(demo.url + "/search/?q=river+OR+train")
    assert page.locator(".search-result mark").first.is_visible()
    screenshot(page, "search-1280-dark")
    assert_accessible(page)  # axe checks the marks' contrast too


def test_no_results_and_no_query_point_to_explore(demo, page_at):
    page = page_at(PHONE)
    page.goto(demo.url + "/search/?q=zxqv")
    assert page.locator(".search-summary").inner_text() == "No results for “zxqv”"
    page.get_by_role("link", name="explore every story").click()
    page.wait_for_url("**/explore/")
    page.goto(demo.url + "/search/")
    assert page.get_by_text("Type a few words").is_visible()
    screenshot(page, "search-empty-390")
    assert_accessible(page)
