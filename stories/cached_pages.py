"""Which cached pages (core/pagecache.py) a change to a story, community or tag empties."""

from __future__ import annotations

from django.apps import apps
from taggit.models import Tag

from core.pagecache import creator_name, story_name, watch, watch_m2m
from stories.models import Community, Story


def story_shows(story: Story) -> list[str]:
    names = [story_name(story.pk)]
    # A story that has never been public is on no page but its creator's own preview, which
    # is never stored; every autosave of a draft need not empty the listings.
    if story.published_at is not None:
        names += ["listing", creator_name(story.creator_id)]
    return names


def tagging_shows(instance: object) -> list[str]:
    if isinstance(instance, Story):
        return story_shows(instance)
    return ["listing", "site"]  # tag.<manager>.add(story, …)


def everywhere(instance: object) -> list[str]:
    """Communities and tags: on cards and story pages site-wide."""
    return ["site"]


def connect() -> None:
    # Proxies of Story (the review queue's Submission) send signals under their own name. The
    # read beacon counts with QuerySet.update(), on purpose: a read is not worth emptying the
    # pages for, and the count on a stored page is at most PAGE_CACHE_SECONDS old.
    for model in apps.get_models():
        if issubclass(model, Story):
            watch(model, story_shows)
    watch_m2m(Story.tags.through, tagging_shows)
    watch(Community, everywhere)
    watch(Tag, everywhere)
