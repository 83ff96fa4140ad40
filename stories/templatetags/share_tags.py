"""The story page's share block (stories/_share.html): its links, from the story alone."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from stories.models import Story
from stories.share import share_links, story_share_url

register = template.Library()


@register.simple_tag
def story_share(story: Story) -> dict[str, Any]:
    """What the share block shows. No query: the story page has the story and its community."""
    url = story_share_url(story)
    return {
        "url": url,
        "title": story.title,
        "links": share_links(title=story.title, url=url),
        "mastodon": reverse(
            "stories:share_mastodon",
            kwargs={"community_slug": story.community.slug, "story_slug": story.slug},
        ),
    }
