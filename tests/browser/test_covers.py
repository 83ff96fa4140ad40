"""Cards line up in Chromium: a hero, a body image and a drawn cover take the same box, on a
phone and on a desk, on a list page and under a story in Keep reading."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.files.storage import default_storage
from django.db.models import Count, Q

from core.images import process_upload
from creators.models import User
from stories.models import Story
from stories.uploads import upload_save
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, build_demo, screenshot
from tests.conftest import png_bytes

PICTURE_COLOURS = ["#2a9d8f", "#e9c46a", "#264653", "#f4a261"]


@pytest.fixture
def demo(demo_data, live_server):
    demo_data("demo", build_demo)
    return live_server


def give(story: Story, kind: str, n: int) -> None:
    """Make `story` a story with a hero (as the demo has it), a body image, or neither."""
    if kind == "hero":
        return
    story.hero_image = None
    if kind == "body":
        # Taller than wide, unlike the heroes: the card's box must not follow the image.
        clean = process_upload(png_bytes((900, 1200), PICTURE_COLOURS[n % len(PICTURE_COLOURS)]))
        name = upload_save(user_id=story.creator_id, image=clean, suffix=".jpg")
        story.body = f'<figure><img src="{default_storage.url(name)}" alt="A square"></figure>'
        story.body += "<p>Words after the picture.</p>"
    story.save()


@pytest.fixture
def mixed(demo) -> Story:
    """The demo with Explore's first page in all three kinds, hero, body image and none, and
    a story whose Keep reading lists one of each; returns that story."""
    kinds = ["hero", "body", "none"]
    newest = Story.objects.published().order_by("-published_at")[:9]
    for n, story in enumerate(newest):
        give(story, kinds[n % 3], n)
    creator = (
        User.objects.annotate(n=Count("stories", filter=Q(stories__status="published")))
        .filter(n__gte=4)
        .order_by("-n", "pk")
        .first()
    )
    *others, reading = Story.objects.published().filter(creator=creator)[:4]
    for n, story in enumerate(others):
        give(Story.objects.get(pk=story.pk), kinds[n], n)
    return Story.objects.select_related("community").get(pk=reading.pk)


def load_every_picture(page, selector: str) -> None:
    """Scroll each picture into view (they load lazily) and wait until every one has loaded."""
    for box in page.locator(selector).all():
        box.scroll_into_view_if_needed()
    page.wait_for_function(
        "s => [...document.querySelectorAll(s + ' img')].every(i => i.complete && i.naturalWidth)",
        arg=selector,
    )
    page.evaluate("window.scrollTo(0, 0)")


def boxes_of(page, selector: str) -> list[dict]:
    return [
        {**box.bounding_box(), "cover": "cover" in (box.get_attribute("class") or "").split()}
        for box in page.locator(selector).all()
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_explore_cards_have_equal_picture_boxes_with_and_without_a_hero(
    mixed, demo, page_at, viewport
):
    page = page_at(viewport)
    page.goto(demo.url + "/explore/")
    selector = ".story-list .story-card__image"
    load_every_picture(page, selector)
    boxes = boxes_of(page, selector)
    sources = page.eval_on_selector_all(selector + " img", "images => images.map(i => i.src)")
    kinds = Counter(src.split("/media/")[1].split("/")[0] for src in sources)
    kinds["cover"] = sum(box["cover"] for box in boxes)
    assert min(kinds["heroes"], kinds["story-images"], kinds["cover"]) >= 2, kinds
    heights = {round(box["height"]) for box in boxes}
    widths = {round(box["width"]) for box in boxes}
    assert len(heights) == 1 and len(widths) == 1, (heights, widths)
    # 16:9, whatever the picture's own shape (the body images are taller than wide).
    assert abs(boxes[0]["width"] * 9 / 16 - boxes[0]["height"]) <= 1
    # On a desk, three to a row, and the rows' words start at one height.
    columns = 3 if viewport is DESKTOP else 1
    assert len({round(box["x"]) for box in boxes}) == columns
    titles = page.locator(".story-list .story-card__community").all()
    tops = Counter(round(title.bounding_box()["y"]) for title in titles)
    assert all(count == columns for count in list(tops.values())[:-1]), tops
    # The drawn cover shows its letter and community in white, inside the box.
    cover = page.locator(".story-list .cover").first
    assert cover.locator(".cover__initial").is_visible()
    assert cover.locator(".cover__name").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"covers-explore-{viewport['width']}")
    assert_accessible(page)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_keep_reading_gives_every_story_the_same_thumbnail(mixed, demo, page_at, viewport):
    page = page_at(viewport)
    page.goto(demo.url + mixed.get_absolute_url())
    block = page.locator('[data-block="keep-reading"]')
    selector = '[data-block="keep-reading"] .story-link__image'
    load_every_picture(page, selector)
    boxes = boxes_of(page, selector)
    assert any(box["cover"] for box in boxes) and not all(box["cover"] for box in boxes)
    assert {(round(box["width"]), round(box["height"])) for box in boxes} == {(96, 64)}
    # Every title starts at the same distance from the edge, picture or not.
    lefts = {round(link.bounding_box()["x"]) for link in block.locator(".story-link__title").all()}
    assert len(lefts) == 1, lefts
    block.scroll_into_view_if_needed()
    screenshot(page, f"covers-keep-reading-{viewport['width']}")
    assert_accessible(page)


def test_covers_stay_readable_in_the_dark_scheme(mixed, demo, page_at):
    page = page_at(PHONE)
    page.emulate_media(color_scheme="dark")
    page.goto(demo.url + "/explore/")
    page.locator(".story-list .cover").first.scroll_into_view_if_needed()
    screenshot(page, "covers-explore-390-dark")
    assert_accessible(page)
