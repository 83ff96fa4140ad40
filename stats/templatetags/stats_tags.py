"""Stats blocks for pages other apps own: ``{% trending_block community %}`` on a community page
(one query), so `stories` shows what is read without knowing about reads."""

from __future__ import annotations

from django import template

from stats.selectors import TRENDING, TRENDING_DAYS, trending_stories

register = template.Library()


@register.inclusion_tag("stats/_trending.html")
def trending_block(community) -> dict[str, object]:
    """The community's most read stories of the last TRENDING_DAYS days, most read first."""
    return {
        "trending": trending_stories(community=community, limit=TRENDING),
        "trending_days": TRENDING_DAYS,
    }
