"""Reading reader insights: the story page's summary and the creator's per-story breakdown.

Both are computed in a fixed number of queries however many insights there are: the story page
in two (ratings with their counts, qualities with theirs), the creator's dashboard in two (their
insights with rating and reader, then the qualities those insights name).

Insights by suspended readers are left out of every count, as their comments are hidden.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from creators.models import User
from insights.models import Insight, Quality, Rating

QualityLink = Insight.qualities.through


def counted_insights(*, story_id: int) -> QuerySet[Insight]:
    """The insights of a story that count: those of readers whose account is active."""
    return Insight.objects.filter(story_id=story_id, reader__is_active=True)


def leading_order(rating: Rating, count: int) -> tuple[int, int]:
    """Sort key, biggest first: the most chosen rating; a tie goes to the higher position."""
    return (count, rating.position)


# --- the story page ---------------------------------------------------------------------------


@dataclass
class StorySummary:
    """What the insights block shows: every rating and quality with its count for one story.

    Each rating and quality carries `count` (readers who chose it) and `mine` (whether the
    viewer's own insight has it).
    """

    ratings: list[Rating]
    qualities: list[Quality]

    @property
    def total(self) -> int:
        """Readers who left an insight: each insight has exactly one rating."""
        return sum(r.count for r in self.ratings)

    @property
    def leading(self) -> Rating | None:
        chosen = [r for r in self.ratings if r.count]
        return max(chosen, key=lambda r: leading_order(r, r.count)) if chosen else None

    @property
    def counted_qualities(self) -> list[Quality]:
        """Qualities readers chose, most chosen first, then in the staff's order."""
        chosen = [q for q in self.qualities if q.count]
        return sorted(chosen, key=lambda q: (-q.count, q.position, q.pk))

    @property
    def has_own(self) -> bool:
        return any(r.mine for r in self.ratings)

    @property
    def own_rating(self) -> Rating | None:
        return next((r for r in self.ratings if r.mine), None)

    @property
    def rating_choices(self) -> list[Rating]:
        """What the form offers: active ratings, and the viewer's own even if it was retired."""
        return [r for r in self.ratings if r.is_active or r.mine]

    @property
    def quality_choices(self) -> list[Quality]:
        return [q for q in self.qualities if q.is_active or q.mine]


def story_insights_summary(*, story_id: int, viewer: User | None = None) -> StorySummary:
    """Ratings and qualities with their counts on one story, and which are the viewer's.

    Two queries whatever the number of insights: the counts are correlated subqueries that
    start from the story's own insights (an index on story), never from every insight a
    rating or quality has across the site.
    """
    counted = counted_insights(story_id=story_id)
    rating_count = (
        counted.filter(rating=OuterRef("pk")).order_by().values("rating").annotate(n=Count("pk"))
    )
    quality_count = (
        QualityLink.objects.filter(quality=OuterRef("pk"), insight__in=counted.values("pk"))
        .order_by()
        .values("quality")
        .annotate(n=Count("pk"))
    )
    ratings = Rating.objects.annotate(
        count=Coalesce(Subquery(rating_count.values("n"), output_field=IntegerField()), 0)
    )
    qualities = Quality.objects.annotate(
        count=Coalesce(Subquery(quality_count.values("n"), output_field=IntegerField()), 0)
    )
    if viewer is not None and viewer.is_authenticated:
        own = Insight.objects.filter(story_id=story_id, reader=viewer)
        ratings = ratings.annotate(mine=Exists(own.filter(rating=OuterRef("pk"))))
        qualities = qualities.annotate(
            mine=Exists(
                QualityLink.objects.filter(
                    quality=OuterRef("pk"), insight__story_id=story_id, insight__reader=viewer
                )
            )
        )
    else:
        ratings = ratings.annotate(mine=Value(False))
        qualities = qualities.annotate(mine=Value(False))
    return StorySummary(ratings=list(ratings), qualities=list(qualities))


# --- the creator's dashboard ------------------------------------------------------------------


@dataclass
class Tally:
    """One rating or quality on one story, and the readers who chose it (newest first)."""

    choice: Rating | Quality
    readers: list[User] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.readers)


@dataclass
class StoryInsights:
    """One story's insights as its creator sees them: who chose which rating and quality."""

    readers: list[User] = field(default_factory=list)
    ratings: list[Tally] = field(default_factory=list)
    qualities: list[Tally] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.readers)

    @property
    def leading(self) -> Tally | None:
        return self.ratings[0] if self.ratings else None


def creator_insight_breakdown(*, creator: User) -> dict[int, StoryInsights]:
    """Story id → its insights by rating and by quality, for every story of the creator.

    Two queries for all the creator's stories together; stories without insights are absent.
    Ratings come most chosen first (a tie to the higher position), qualities most chosen first
    (a tie in the staff's order).
    """
    insights = (
        Insight.objects.filter(story__creator=creator, reader__is_active=True)
        .select_related("rating", "reader")
        .only(
            "story_id",
            "updated_at",
            "rating__name",
            "rating__phrase",
            "rating__position",
            "rating__is_active",
            # What `User.name` and the profile link read.
            "reader__username",
            "reader__display_name",
            "reader__first_name",
            "reader__last_name",
        )
        .order_by("-updated_at", "-pk")
    )
    by_story: dict[int, StoryInsights] = defaultdict(StoryInsights)
    ratings: dict[tuple[int, int], Tally] = {}
    reader_of: dict[int, tuple[int, User]] = {}
    for insight in insights:
        story = by_story[insight.story_id]
        story.readers.append(insight.reader)
        key = (insight.story_id, insight.rating_id)
        if key not in ratings:
            ratings[key] = Tally(choice=insight.rating)
            story.ratings.append(ratings[key])
        ratings[key].readers.append(insight.reader)
        reader_of[insight.pk] = (insight.story_id, insight.reader)

    links = (
        QualityLink.objects.filter(insight__story__creator=creator, insight__reader__is_active=True)
        .select_related("quality")
        .only("insight_id", "quality__name", "quality__position", "quality__is_active")
        # The insights' own order, so each quality lists its readers newest first too.
        .order_by("-insight__updated_at", "-insight_id")
    )
    qualities: dict[tuple[int, int], Tally] = {}
    for link in links:
        if link.insight_id not in reader_of:  # written between the two queries
            continue
        story_id, reader = reader_of[link.insight_id]
        key = (story_id, link.quality_id)
        if key not in qualities:
            qualities[key] = Tally(choice=link.quality)
            by_story[story_id].qualities.append(qualities[key])
        qualities[key].readers.append(reader)

    for story in by_story.values():
        story.ratings.sort(key=lambda t: leading_order(t.choice, t.count), reverse=True)
        story.qualities.sort(key=lambda t: (-t.count, t.choice.position, t.choice.pk))
    return dict(by_story)
