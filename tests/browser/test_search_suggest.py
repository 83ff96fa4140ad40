"""A reader types in the header's search box and picks a suggestion with the keyboard."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, build_demo, screenshot

CAMINO = "Walking the Camino Portugués with Bad Knees"


@pytest.fixture
def demo(demo_data, live_server):
    demo_data("demo", build_demo)
    return live_server


def open_suggestions(page, typed: str):
    box = page.locator(".site-header").get_by_role("combobox", name="Search stories")
    box.click()
    box.press_sequentially(typed, delay=40)
    listbox = page.get_by_role("listbox", name="Suggestions")
    listbox.wait_for(state="visible")
    return box, listbox


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_reader_picks_a_suggestion_with_the_keyboard(demo, page_at, viewport):
    page = page_at(viewport)
    page.goto(demo.url + "/explore/")
    heading_top = page.locator("main h1").bounding_box()["y"]

    box, listbox = open_suggestions(page, "portu")
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-controls") == listbox.get_attribute("id")
    stories = listbox.get_by_role("group", name="Stories").get_by_role("option")
    tags = listbox.get_by_role("group", name="Tags").get_by_role("option")
    assert stories.first.locator(".site-search__label").inner_text() == CAMINO
    assert "portugal" in tags.locator(".site-search__label").all_inner_texts()
    # The list lies over the page: nothing under the header moved, and nothing is cut off.
    assert page.locator("main h1").bounding_box()["y"] == heading_top
    box_right = listbox.bounding_box()["x"] + listbox.bounding_box()["width"]
    assert box_right <= viewport["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"search-suggest-{viewport['width']}")
    assert_accessible(page)

    box.press("ArrowDown")
    first = stories.first
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    box.press("ArrowDown")
    assert first.get_attribute("aria-selected") == "false"
    box.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    with page.expect_navigation():
        box.press("Enter")
    assert page.locator("h1").inner_text() == CAMINO


def test_accents_are_folded_and_escape_closes_the_list(demo, page_at):
    page = page_at(PHONE)
    page.goto(demo.url + "/")
    box, listbox = open_suggestions(page, "pastei")
    assert listbox.get_by_role("option").first.locator(".site-search__label").inner_text() == (
        "Pastéis de Nata, Attempt Number Eleven"
    )
    box.press("Escape")
    assert listbox.is_hidden()
    assert box.get_attribute("aria-expanded") == "false"
    assert box.input_value() == "pastei"  # Escape closed the list, and left what was typed
    # Without a chosen suggestion, Enter searches, as the form does without the script.
    with page.expect_navigation():
        box.press("Enter")
    assert "/search/?q=pastei" in page.url


def test_writers_and_a_click_in_the_dark_scheme(demo, page_at):
    page = page_at(DESKTOP)
    page.emulate_media(color_scheme="dark")
    page.goto(demo.url + "/explore/")
    box, listbox = open_suggestions(page, "eleanor h")
    writer = listbox.get_by_role("group", name="Writers").get_by_role("option").first
    assert writer.locator(".site-search__label").inner_text() == "Eleanor Hart"
    assert writer.locator(".site-search__detail").inner_text() == "@eleanorhart"
    writer.hover()
    assert writer.get_attribute("aria-selected") == "true"
    screenshot(page, "search-suggest-1280-dark")
    assert_accessible(page)
    with page.expect_navigation():
        writer.click()
    assert page.url.endswith("/authors/eleanorhart/")


def test_nothing_to_suggest_shows_no_list(demo, page_at):
    page = page_at(DESKTOP)
    page.goto(demo.url + "/explore/")
    box = page.locator(".site-header").get_by_role("combobox", name="Search stories")
    box.click()
    with page.expect_response(lambda r: "/search/suggest/?q=zxqv" in r.url) as answered:
        box.press_sequentially("zxqv", delay=40)
    assert answered.value.json()["suggestions"] == []
    assert page.get_by_role("listbox", name="Suggestions").is_hidden()
    assert box.get_attribute("aria-expanded") == "false"
