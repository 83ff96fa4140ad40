"""The image most likely to be a page's Largest Contentful Paint (the first card, the story's
hero) is fetched at once with fetchpriority="high"; every other card image waits (lazy)."""

from __future__ import annotations

import re

import pytest

from stories import services as stories
from tests.conftest import make_story, png_bytes

pytestmark = pytest.mark.django_db

IMG = re.compile(r"<img\b[^>]*>")


def card_images(html: str) -> list[str]:
    return [tag for tag in IMG.findall(html) if 'class="' not in tag and "srcset=" in tag]


def with_hero(story):
    from django.core.files.base import ContentFile

    story.hero_image = ContentFile(png_bytes((1200, 675)), name="hero.png")
    story.hero_alt = "A field"
    story.save()
    return story


@pytest.fixture
def three(alice, lifehack):
    return [
        with_hero(make_story(creator=alice, community=lifehack, title=f"Story {n}"))
        for n in range(5)
    ]


def assert_first_eager_rest_lazy(images: list[str], row: int = 3) -> None:
    """The first image high priority; the rest of the first row eager (on a wide screen any
    of them may be the LCP) but low priority (on a phone they sit under the first, and must
    not slow it down); every later one lazy."""
    assert len(images) > row
    first, *rest = images
    assert 'fetchpriority="high"' in first and "loading=" not in first
    for tag in rest[: row - 1]:
        assert "loading=" not in tag and 'fetchpriority="low"' in tag
    for tag in rest[row - 1 :]:
        assert 'loading="lazy"' in tag and "fetchpriority" not in tag


@pytest.mark.parametrize("url", ["/explore/", "/lifehack/", "/search/?q=story"])
def test_first_card_image_is_eager_and_high_priority(client, three, url):
    assert_first_eager_rest_lazy(card_images(client.get(url).content.decode()))


def test_home_without_picks_gives_priority_to_the_lead_only(client, three):
    images = card_images(client.get("/").content.decode())
    assert 'fetchpriority="high"' in images[0] and "loading=" not in images[0]
    assert all('loading="lazy"' in tag for tag in images[1:])


def test_home_with_picks_gives_priority_to_the_first_pick(client, three, sam):
    for story in three:
        stories.story_pick(story=story, actor=sam, reason="A fine one.")
    html = client.get("/").content.decode()
    images = card_images(html)
    assert_first_eager_rest_lazy(images)
    assert sum('fetchpriority="high"' in tag for tag in images) == 1


def test_story_hero_is_eager_and_high_priority(client, three):
    html = client.get(three[0].get_absolute_url()).content.decode()
    hero = re.search(r'<figure class="story__hero".*?(<img\b[^>]*>)', html, re.S).group(1)
    assert 'fetchpriority="high"' in hero and "loading=" not in hero
