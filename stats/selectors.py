"""Reads for the creator's stats page: reads, likes, subscribers and insights, counted by the
database.

Every function runs a fixed number of queries (noted on each) however many stories, reads or
subscribers the creator has. A day is a date in the site's time zone, as `read_record` stores
it; `today` defaults to timezone.localdate() and is there so tests can pin the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from creators.models import User
from insights.models import Insight
from reactions.models import Like
from stats.models import Read
from stories.models import Story
from subscriptions.models import Subscription
from support.models import Pledge

# "Last 30 days" is today and the 29 days before it; "the 30 before" are the 30 days before that.
WINDOW_DAYS = 30

# Trending on a community page: the TRENDING most read stories of the last TRENDING_DAYS days.
TRENDING = 5
TRENDING_DAYS = 7


def trending_stories(
    *, community, limit: int = TRENDING, days: int = TRENDING_DAYS, today: date | None = None
) -> list[Story]:
    """The community's most read published stories since `days` ago, most read first (one
    query); each carries `recent_reads`."""
    since = (today or timezone.localdate()) - timedelta(days=days - 1)
    return list(
        Story.objects.published()
        .filter(community=community, reads__day__gte=since)
        .select_related("creator")
        .annotate(recent_reads=Count("reads"))
        .order_by("-recent_reads", "-published_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class ReadsSummary:
    total: int  # every read ever counted on the creator's stories
    last_30: int
    previous_30: int

    @property
    def change(self) -> int:
        """Reads in the last 30 days less reads in the 30 before: signed."""
        return self.last_30 - self.previous_30

    @property
    def percent(self) -> int | None:
        """The change as a whole percent of the previous 30 days; None when those had no reads,
        where a percentage means nothing."""
        if self.previous_30 == 0:
            return None
        return round(100 * self.change / self.previous_30)

    @property
    def direction(self) -> str:
        """ "up", "down" or "flat": which arrow the page shows."""
        if self.change > 0:
            return "up"
        return "down" if self.change < 0 else "flat"

    @property
    def change_display(self) -> str:
        """ "+12", "−3" (a real minus sign) or "0"."""
        return _signed(self.change)

    @property
    def percent_display(self) -> str:
        """ "+25%", "−10%"; "new" when the previous 30 days had no reads and these have some,
        "–" when neither had any."""
        if self.percent is None:
            return "new" if self.last_30 else "–"
        return f"{_signed(self.percent)}%"


def _signed(number: int) -> str:
    if number > 0:
        return f"+{number}"
    return f"−{-number}" if number < 0 else "0"


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def creator_reads_summary(*, creator: User, today: date | None = None) -> ReadsSummary:
    """Total reads, reads in the last 30 days and in the 30 before. 2 queries.

    The total is the stories' own counters, so it includes stories no longer published.
    """
    today = _today(today)
    recent_start = today - timedelta(days=WINDOW_DAYS - 1)
    previous_start = recent_start - timedelta(days=WINDOW_DAYS)
    total = Story.objects.filter(creator=creator).aggregate(total=Coalesce(Sum("read_count"), 0))[
        "total"
    ]
    windows = Read.objects.filter(
        story__creator=creator, day__gte=previous_start, day__lte=today
    ).aggregate(
        last=Count("pk", filter=Q(day__gte=recent_start)),
        previous=Count("pk", filter=Q(day__lt=recent_start)),
    )
    return ReadsSummary(total=total, last_30=windows["last"], previous_30=windows["previous"])


def reads_per_day(
    *, creator: User, today: date | None = None, days: int = WINDOW_DAYS
) -> list[tuple[date, int]]:
    """Reads of the creator's stories on each of the last `days` days, oldest first and today
    last; days without reads are 0. 1 query."""
    today = _today(today)
    start = today - timedelta(days=days - 1)
    counts = dict(
        Read.objects.filter(story__creator=creator, day__gte=start, day__lte=today)
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("day", "n")
    )
    return [(day, counts.get(day, 0)) for day in (start + timedelta(days=n) for n in range(days))]


def reads_per_story(*, creator: User, today: date | None = None) -> QuerySet[Story]:
    """The creator's published stories, each annotated with `recent_reads` (last 30 days) beside
    its total `read_count` and `like_count`, and `supporter_pledges` started from it (issue
    18); most read first. Loads only what the stats table
    shows. 1 query."""
    today = _today(today)
    recent = (
        Read.objects.filter(
            story=OuterRef("pk"),
            day__gte=today - timedelta(days=WINDOW_DAYS - 1),
            day__lte=today,
        )
        .order_by()
        .values("story")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # Issue 18: pledges readers started from the story's supporters card (support records the
    # story on the pledge), counted once their first month was paid.
    pledged = (
        Pledge.objects.filter(story=OuterRef("pk"), billing_anchor__isnull=False)
        .order_by()
        .values("story")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Story.objects.published()
        .filter(creator=creator)
        .select_related("community")
        .only(
            "title",
            "slug",
            "published_at",
            "read_count",
            "like_count",
            "for_supporters",
            "community__slug",
        )
        .annotate(
            recent_reads=Coalesce(Subquery(recent, output_field=IntegerField()), 0),
            supporter_pledges=Coalesce(Subquery(pledged, output_field=IntegerField()), 0),
        )
        .order_by("-read_count", "-recent_reads", "-published_at", "-pk")
    )


def _month_starts(today: date, months: int) -> list[date]:
    """The first day of each of the last `months` calendar months, the current one last."""
    index = today.year * 12 + today.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def _per_month(rows: QuerySet, starts: list[date]) -> list[tuple[date, int]]:
    """Zero-filled counts from a queryset that has `created_at`, grouped by local month."""
    zone = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(starts[0], time.min), zone)
    counts = {
        month.astimezone(zone).date(): n
        for month, n in rows.filter(created_at__gte=since)
        .annotate(month=TruncMonth("created_at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("month", "n")
    }
    return [(start, counts.get(start, 0)) for start in starts]


@dataclass(frozen=True)
class MonthlyCounts:
    total: int  # all time, as of now
    months: list[tuple[date, int]]  # (first day of the month, count), oldest first

    @property
    def this_month(self) -> int:
        return self.months[-1][1] if self.months else 0


def subscribers_over_time(
    *, creator: User, today: date | None = None, months: int = 12
) -> MonthlyCounts:
    """The creator's subscribers now, and how many of them subscribed in each of the last
    `months` months (zero-filled). Unsubscribing deletes the subscription, so a month counts
    only the readers who are still subscribed. 2 queries."""
    subscriptions = Subscription.objects.filter(creator=creator)
    return MonthlyCounts(
        total=subscriptions.count(),
        months=_per_month(subscriptions, _month_starts(_today(today), months)),
    )


def insights_over_time(
    *, creator: User, today: date | None = None, months: int = 12
) -> MonthlyCounts:
    """Reader insights on the creator's stories: all of them, and those given in each of the
    last `months` months (zero-filled). 2 queries."""
    insights = Insight.objects.filter(story__creator=creator)
    return MonthlyCounts(
        total=insights.count(),
        months=_per_month(insights, _month_starts(_today(today), months)),
    )


# --- likes (issue 16, reactions) ----------------------------------------------------------------


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


@dataclass(frozen=True)
class LikesSummary:
    total: int  # every like the creator's stories have now
    last_30: int


def creator_likes_summary(*, creator: User, today: date | None = None) -> LikesSummary:
    """Likes on the creator's stories: all of them, and those given in the last 30 days (by
    the site's calendar). An un-like removes its like, so these are the likes that stand.
    1 query."""
    today = _today(today)
    since = _local_midnight(today - timedelta(days=WINDOW_DAYS - 1))
    counts = Like.objects.filter(story__creator=creator).aggregate(
        total=Count("pk"), last=Count("pk", filter=Q(created_at__gte=since))
    )
    return LikesSummary(total=counts["total"], last_30=counts["last"])


def likes_per_day(
    *, creator: User, today: date | None = None, days: int = WINDOW_DAYS
) -> list[tuple[date, int]]:
    """Likes given to the creator's stories on each of the last `days` days (the site's
    calendar), oldest first and today last; days without likes are 0. 1 query."""
    today = _today(today)
    start = today - timedelta(days=days - 1)
    zone = timezone.get_current_timezone()
    counts = dict(
        Like.objects.filter(
            story__creator=creator,
            created_at__gte=_local_midnight(start),
            created_at__lt=_local_midnight(today + timedelta(days=1)),
        )
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("day", "n")
    )
    return [(day, counts.get(day, 0)) for day in (start + timedelta(days=n) for n in range(days))]
