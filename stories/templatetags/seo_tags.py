"""Head tags for public pages: canonical URLs, feed links, and a story's link-preview data."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.core.paginator import Page
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.encoding import escape_uri_path
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from core.links import absolute
from stories.models import Story
from stories.seo import article_data, hero_meta, summary

register = template.Library()

# What json_script escapes: inside <script>, "</script>" or "<!--" in a string would end or
# change the element, whatever the JSON means.
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def json_ld(value: Any) -> SafeString:
    """``value`` as JSON that is safe to put between <script type="application/ld+json"> tags."""
    text = json.dumps(value, cls=DjangoJSONEncoder).translate(_JSON_ESCAPES)
    return mark_safe(text)  # every character that could end the element is escaped above


@register.simple_tag(takes_context=True)
def canonical_url(context: template.Context, *keep: str) -> str:
    """This page's address under SITE_URL.

    ``keep`` names the query parameters that choose what a list shows (explore's filters);
    the page number of a paginated list is kept from past the first page.
    """
    request = context["request"]
    params: list[tuple[str, str | int]] = [
        (name, request.GET[name]) for name in keep if request.GET.get(name)
    ]
    page = context.get("page")
    # The page shown, not the one asked for: a malformed ?page= falls back to a valid one.
    if isinstance(page, Page) and page.number > 1:
        params.append(("page", page.number))
    query = urlencode(params)
    return absolute(escape_uri_path(request.path)) + (f"?{query}" if query else "")


@register.inclusion_tag("partials/_feed_links.html", takes_context=True)
def feed_links(
    context: template.Context, scope: str = "site", key: str = "", label: str = ""
) -> dict[str, str]:
    """<link rel="alternate"> to the RSS and Atom feeds of the site, a community, tag or creator."""
    args = [key] if key else []
    return {
        "label": label or context.get("SITE_NAME", ""),
        "rss": reverse(f"feeds:{scope}_rss", args=args),
        "atom": reverse(f"feeds:{scope}_atom", args=args),
    }


@register.simple_tag
def story_meta(story: Story) -> dict[str, Any]:
    """Everything stories/_story_meta.html writes into a public story's <head>."""
    canonical = absolute(story.get_absolute_url())
    image = hero_meta(story)
    tags = [tag.name for tag in story.tags.all()]  # prefetched by the story view
    return {
        "canonical": canonical,
        "description": summary(story),
        "image": image,
        "tags": tags,
        "published": story.published_at.isoformat() if story.published_at else "",
        "modified": story.updated_at.isoformat() if story.updated_at else "",
        "author_url": absolute(story.creator.get_absolute_url()),
        "article": article_data(story, canonical=canonical, image=image, tags=tags),
    }


@register.simple_tag
def absolute_url(path: str) -> str:
    """``{% absolute_url story.get_absolute_url %}``: the full address, as printed under a story."""
    return absolute(path)
