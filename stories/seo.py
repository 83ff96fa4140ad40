"""What search engines, link previews and feed readers are told about a story."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.text import Truncator
from django.utils.translation import get_language, to_locale

from core.images import variant_name
from core.links import absolute
from stories.access import free_text
from stories.models import HERO_WIDTHS, Story

# Search engines show about 160 characters of a description.
EXCERPT_CHARS = 160


@dataclass(frozen=True)
class ImageMeta:
    url: str
    width: int
    height: int
    alt: str


def summary(story: Story) -> str:
    """The story in a line of plain text: its subtitle, else the start of its body (of its
    free part, for a story for supporters: link previews are read by everyone)."""
    return story.subtitle or Truncator(free_text(story)).chars(EXCERPT_CHARS)


def hero_meta(story: Story) -> ImageMeta | None:
    """The largest display size of the hero image, with its size, as link previews want it.

    The size is worked out from the original's, which the model keeps, so no file is opened.
    """
    if not story.hero_image or not story.hero_width or not story.hero_height:
        return None
    largest = max(HERO_WIDTHS)
    width, height = story.hero_width, story.hero_height
    if width > largest:
        width, height = largest, _scaled_height(width, height, largest)
    url = story.hero_image.storage.url(variant_name(story.hero_image.name, largest))
    return ImageMeta(
        url=absolute(url), width=width, height=height, alt=story.hero_alt or story.hero_caption
    )


def _scaled_height(width: int, height: int, to_width: int) -> int:
    """The height Pillow's thumbnail() gives an image scaled to ``to_width`` (save_variants).

    Pillow picks whichever of the floor and ceiling keeps the aspect ratio closest.
    """
    aspect = width / height
    exact = to_width / aspect
    candidates = (math.floor(exact), math.ceil(exact))
    return max(min(candidates, key=lambda n: 0 if n == 0 else abs(aspect - to_width / n)), 1)


def language_tag() -> str:
    """The page's language as BCP 47 ("en-US"), which schema.org's inLanguage expects."""
    return to_locale(get_language() or settings.LANGUAGE_CODE).replace("_", "-")


def article_data(
    story: Story, *, canonical: str, image: ImageMeta | None, tags: list[str]
) -> dict[str, Any]:
    """schema.org ``Article`` data for the story's page, ready for json.dumps."""
    creator = story.creator
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": story.title,
        "description": summary(story),
        "datePublished": story.published_at.isoformat() if story.published_at else None,
        "dateModified": story.updated_at.isoformat() if story.updated_at else None,
        "author": {
            "@type": "Person",
            "name": creator.name,
            "url": absolute(creator.get_absolute_url()),
        },
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": absolute("/"),
        },
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "wordCount": story.word_count,
        "keywords": tags,
        "articleSection": story.community.name,
        "inLanguage": language_tag(),
    }
    if story.for_supporters:
        # Search engines' word for a story whose rest is for paying readers (issue 18).
        data["isAccessibleForFree"] = False
    if image:
        data["image"] = [image.url]
    return {key: value for key, value in data.items() if value is not None}
