"""Reading comments for the story page: one page of threads in two queries, however many."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from comments.models import Comment
from stories.models import Story

# Top-level comments; their replies come with them. Twenty keep the page quick to render however
# busy the story (a hot story has hundreds of thousands), and "More comments" pages on.
COMMENTS_PER_PAGE = 20


@dataclass
class Thread:
    """A top-level comment and its shown replies, oldest reply first."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)

    @property
    def removed(self) -> bool:
        """Shown only as a "comment removed" placeholder, kept for the replies under it."""
        return not (self.comment.is_shown and self.comment.author.is_active)


@dataclass
class CommentPage:
    threads: list[Thread]
    number: int
    has_next: bool
    oldest_first: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def story_comment_page(*, story: Story, oldest_first: bool = False, number: int = 1) -> CommentPage:
    """One page of a story's comment threads: two queries, whatever the number of comments.

    A top-level comment that is not shown (hidden, removed, deleted, or by a suspended account)
    stays in the list only while it has shown replies, as their placeholder.
    """
    number = max(1, number)
    start = (number - 1) * COMMENTS_PER_PAGE
    order = ("created_at", "pk") if oldest_first else ("-created_at", "-pk")
    shown_replies = Comment.objects.shown().filter(parent=OuterRef("pk"))
    top_level = (
        Comment.objects.filter(story=story, parent__isnull=True)
        .filter(Q(status=Comment.Status.VISIBLE, author__is_active=True) | Exists(shown_replies))
        .order_by(*order)
    )
    # Query 1: the page's top-level comments, and one more to know whether a next page exists.
    rows = list(top_level.select_related("author")[start : start + COMMENTS_PER_PAGE + 1])
    has_next = len(rows) > COMMENTS_PER_PAGE
    threads = {comment.pk: Thread(comment) for comment in rows[:COMMENTS_PER_PAGE]}
    # Query 2: their replies. The page is named by a subquery rather than a list of ids so
    # this query runs even on an empty page, and the story page's count never changes.
    page_ids = top_level.values("pk")[start : start + COMMENTS_PER_PAGE]
    replies = (
        Comment.objects.shown()
        .filter(story=story, parent__in=page_ids)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    for reply in replies:
        # A comment posted between the two queries can shift the page by one; skip strays.
        if reply.parent_id in threads:
            threads[reply.parent_id].replies.append(reply)
    return CommentPage(
        threads=list(threads.values()),
        number=number,
        has_next=has_next,
        oldest_first=oldest_first,
    )
