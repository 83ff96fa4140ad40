"""How review is going, for the creators waiting on it: a submission's place in the review
queue and the wait recent reviews suggest (the dashboard, the submission email, the admin).

Both come from what the lifecycle already records: every submit and every decision is a
StoryTransition with its time, so nothing new is stored.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from stories.models import Story, StoryTransition, Submission

Status = Story.Status

# The reviews the expected wait is worked out from: those decided this long ago at most.
WINDOW = timedelta(days=30)
# The expected wait is an estimate over a month of reviews; one more review barely moves it,
# so it is kept this long rather than worked out on every dashboard.
WAIT_CACHE_KEY = "stories:review:typical-wait"
WAIT_CACHE_SECONDS = 10 * 60

# What a reviewer decides; a creator withdrawing a story (submitted → draft) decides nothing.
DECISIONS = (Status.PUBLISHED, Status.CHANGES_REQUESTED)

NO_HISTORY = "no recent reviews to estimate from"


@dataclass(frozen=True)
class QueuePlace:
    position: int  # 1-based, oldest submission first
    total: int
    is_edit: bool = False


def review_times(*, now: datetime | None = None) -> list[timedelta]:
    """How long each review decided in the last 30 days took, submit to decision: one query.

    A decision's submit is the latest "→ submitted" step of the same story (and of its edit,
    for changes to a published story) before it, so a story withdrawn and sent again counts
    from when it was sent again.
    """
    now = now or timezone.now()
    submitted = (
        StoryTransition.objects.filter(
            story=OuterRef("story"),
            is_edit=OuterRef("is_edit"),
            to_status=Status.SUBMITTED,
            created_at__lte=OuterRef("created_at"),
        )
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    rows = (
        StoryTransition.objects.filter(
            from_status=Status.SUBMITTED,
            to_status__in=DECISIONS,
            created_at__gte=now - WINDOW,
            created_at__lte=now,
        )
        .annotate(submitted_at=Subquery(submitted))
        .values_list("created_at", "submitted_at")
        .order_by()
    )
    return [decided - sent for decided, sent in rows if sent is not None]


def median_review_time(*, now: datetime | None = None) -> timedelta | None:
    """The median of the last 30 days' submit-to-decision times, or None without any."""
    times = review_times(now=now)
    return statistics.median(times) if times else None


def typical_wait() -> timedelta | None:
    """median_review_time(), kept in the cache for a few minutes (at most one query)."""
    stored = cache.get(WAIT_CACHE_KEY)
    if stored is None:
        median = median_review_time()
        stored = {"seconds": None if median is None else median.total_seconds()}
        cache.set(WAIT_CACHE_KEY, stored, WAIT_CACHE_SECONDS)
    seconds = stored["seconds"]
    return None if seconds is None else timedelta(seconds=seconds)


def wait_in_words(wait: timedelta | None) -> str:
    """ "usually within a day" under 24 hours, else "about N days" (rounded half up)."""
    if wait is None:
        return NO_HISTORY
    if wait < timedelta(days=1):
        return "usually within a day"
    days = int(wait / timedelta(days=1) + 0.5)
    return "about a day" if days == 1 else f"about {days} days"


def expected_wait() -> str:
    """What a creator is told to expect, in words."""
    return wait_in_words(typical_wait())


def queue_places() -> dict[int, QueuePlace]:
    """Every story awaiting review (new, or changes to a published one) by id: one query."""
    rows = list(Submission.objects.awaiting_review().values_list("pk", "status"))
    total = len(rows)
    return {
        pk: QueuePlace(position=n, total=total, is_edit=status == Status.PUBLISHED)
        for n, (pk, status) in enumerate(rows, start=1)
    }


def is_in_review(story: Story) -> bool:
    """Whether the story, or its pending edit, is awaiting review (no query if the edit is
    fetched with it)."""
    if story.status == Status.SUBMITTED:
        return True
    edit = getattr(story, "pending_edit", None)
    return (
        story.status == Status.PUBLISHED
        and edit is not None
        and edit.status == edit.Status.SUBMITTED
    )


def age_in_words(age: timedelta) -> str:
    """How long something has waited, for staff: "5 minutes", "3 hours", "2 days"."""
    minutes = max(int(age.total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    if hours < 24:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days = hours // 24
    return f"{days} day{'s' if days != 1 else ''}"
