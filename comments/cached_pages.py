"""Which cached pages (core/pagecache.py) comments and reader insights empty."""

from __future__ import annotations

from comments.models import Comment, Insight, Quality, Rating
from core.pagecache import story_name, watch, watch_m2m


def on_story(row: Comment | Insight) -> list[str]:
    return [story_name(row.story_id)]


def everywhere(row: object) -> list[str]:
    """Insight ratings and qualities: offered on every story page."""
    return ["site"]


def qualities_shows(instance: object) -> list[str]:
    return on_story(instance) if isinstance(instance, Insight) else ["site"]


def connect() -> None:
    watch(Comment, on_story)
    watch(Insight, on_story)
    watch(Rating, everywhere)
    watch(Quality, everywhere)
    watch_m2m(Insight.qualities.through, qualities_shows)
