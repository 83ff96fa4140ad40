"""Which cached pages (core/pagecache.py) a like empties: its story's, where the count shows.

Cards show the count too, from the story's own row; like the read count, a card on a stored
listing catches up when the listing next changes or within PAGE_CACHE_SECONDS: a like is not
worth emptying every listing of the site for. Saves show on no shared page: the story page's
"saved" state is each reader's own (reactions_tags), and /library/ is never stored.
"""

from __future__ import annotations

from core.pagecache import story_name, watch
from reactions.models import Like


def on_story(like: Like) -> list[str]:
    return [story_name(like.story_id)]


def connect() -> None:
    watch(Like, on_story)
