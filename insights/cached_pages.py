"""Which cached pages (core/pagecache.py) reader insights, ratings and qualities empty."""

from __future__ import annotations

from core.pagecache import story_name, watch, watch_m2m
from insights.models import Insight, Quality, Rating


def on_story(insight: Insight) -> list[str]:
    return [story_name(insight.story_id)]


def everywhere(row: object) -> list[str]:
    """Ratings and qualities: offered on every story page."""
    return ["site"]


def qualities_shows(instance: object) -> list[str]:
    return on_story(instance) if isinstance(instance, Insight) else ["site"]


def connect() -> None:
    watch(Insight, on_story)
    watch(Rating, everywhere)
    watch(Quality, everywhere)
    watch_m2m(Insight.qualities.through, qualities_shows)
