"""What the story page does to a sanitised body as it shows it."""

from __future__ import annotations

from django import template

from stories.body_images import with_webp_sources

register = template.Library()


@register.filter
def webp_pictures(html: str) -> str:
    """The body with its uploaded images offered as WebP first (body_images.with_webp_sources).

    Marks nothing safe: the template still says ``|safe`` of the sanitised body, as before.
    """
    return with_webp_sources(html or "")
