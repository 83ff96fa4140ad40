"""Which cached pages (core/pagecache.py) a comment empties: its story's."""

from __future__ import annotations

from comments.models import Comment
from core.pagecache import story_name, watch


def on_story(comment: Comment) -> list[str]:
    return [story_name(comment.story_id)]


def connect() -> None:
    watch(Comment, on_story)
