"""The /leaderboard/ boards: worked out by a scheduled job, read by the page.

Six boards: the top creators by reads, by insights and by support received, this month and all
time. `leaderboards_refresh` (the `refresh_leaderboards` command, run hourly, or the job the page
queues when it finds no boards at all) works them out and replaces every stored row in one
transaction, so running it twice leaves the same rows; `leaderboard` reads one board for the page
in one query.

How a board is scored and ranked:

- reads: every counted read (`stats.Read`) of the creator's stories; insights: every reader
  insight on them; support: every tip and pledge payment the creator was paid, its gross amount
  in integer cents of settings.SUPPORT_CURRENCY, from the ledger's charge rows, less payments
  refunded since (a refund row for the same tip or pledge payment).
- "this month" counts events from midnight on the first of the current month in the site's time
  zone (TIME_ZONE), on SQLite and PostgreSQL alike, since the boundary is computed here and
  compared with stored UTC times.
- a tie on score goes to whoever reached it first. A creator's score only ever grows by one
  counted event at a time, so the moment they reached their final score is the time of the
  latest event the score counts (MAX(created_at)): the earlier that moment, the higher the
  place. A tie on that too (the same microsecond) goes to the older account (lower id), so the
  order is always the same.
- suspended creators (is_active off) are left out when the boards are worked out, and again when
  the page reads them, in case they were suspended since. Creators who hide their read counts
  are ranked like everyone else; the page shows their place on the reads board without a number.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from core.jobs import job
from insights.models import Insight
from stats.models import LeaderboardEntry, LeaderboardRefresh, Read
from support.models import LedgerEntry
from support.money import format_money

logger = logging.getLogger(__name__)

# Places on each board.
BOARD_SIZE = 10

Metric = LeaderboardEntry.Metric
Period = LeaderboardEntry.Period


def month_start(now: datetime | None = None) -> datetime:
    """Midnight on the first of `now`'s month in the site's time zone, as an aware datetime."""
    today = timezone.localdate(now or timezone.now())
    return timezone.make_aware(datetime.combine(today.replace(day=1), time.min))


def _scores(metric: str) -> QuerySet:
    """Rows of (creator id, score, reached_at) for `metric`, over every active creator."""
    if metric == Metric.READS:
        return (
            Read.objects.filter(story__creator__is_active=True)
            .values(creator_pk=F("story__creator"))
            .annotate(score=Count("pk"), reached_at=Max("created_at"))
        )
    if metric == Metric.INSIGHTS:
        return (
            Insight.objects.filter(story__creator__is_active=True)
            .values(creator_pk=F("story__creator"))
            .annotate(score=Count("pk"), reached_at=Max("created_at"))
        )
    # NULL = NULL is never true in SQL, so a tip's charge only meets its own tip's refund.
    # A payment lost to a dispute went back to the reader like a refunded one.
    taken_back = [LedgerEntry.Kind.REFUND, LedgerEntry.Kind.REVERSAL]
    refunded = LedgerEntry.objects.filter(kind__in=taken_back).filter(
        Q(tip_id=OuterRef("tip_id")) | Q(pledge_payment_id=OuterRef("pledge_payment_id"))
    )
    return (
        LedgerEntry.objects.filter(
            kind=LedgerEntry.Kind.CHARGE,
            currency=settings.SUPPORT_CURRENCY,
            creator__is_active=True,
        )
        .filter(~Exists(refunded))
        .values(creator_pk=F("creator"))
        .annotate(score=Sum("amount"), reached_at=Max("created_at"))
    )


def board_rows(*, metric: str, period: str, now: datetime | None = None) -> list[dict]:
    """The top BOARD_SIZE of one board, best first: dicts of creator_pk, score, reached_at.
    1 query."""
    rows = _scores(metric)
    if period == Period.MONTH:
        # The filter on the events, before grouping: count only this month's.
        rows = rows.filter(created_at__gte=month_start(now))
    return list(rows.order_by("-score", "reached_at", "creator_pk")[:BOARD_SIZE])


def leaderboards_refresh(*, now: datetime | None = None) -> int:
    """Work out every board and replace the stored ones with them; returns the rows stored.
    Safe to run twice: the second run stores the same rows."""
    now = now or timezone.now()
    entries = [
        LeaderboardEntry(
            metric=metric,
            period=period,
            rank=rank,
            creator_id=row["creator_pk"],
            score=row["score"],
            reached_at=row["reached_at"],
            computed_at=now,
        )
        for metric in Metric.values
        for period in Period.values
        for rank, row in enumerate(board_rows(metric=metric, period=period, now=now), start=1)
    ]
    with transaction.atomic():
        # Two runs at once (cron and the page's job) take turns on PostgreSQL here, where they
        # would otherwise both insert place 1; SQLite's IMMEDIATE transactions already do.
        refresh, _ = LeaderboardRefresh.objects.select_for_update().get_or_create(
            pk=1, defaults={"finished_at": now}
        )
        LeaderboardEntry.objects.all().delete()
        LeaderboardEntry.objects.bulk_create(entries)
        refresh.finished_at = now
        refresh.save(update_fields=["finished_at"])
    return len(entries)


@job
def refresh_leaderboards_job() -> None:
    """The page queues this when it finds no boards stored (a new site, or before the first
    scheduled run)."""
    stored = leaderboards_refresh()
    logger.info("Leaderboards refreshed: %s places", stored)


@dataclass(frozen=True)
class Place:
    rank: int  # 1 for the top, counting only the creators shown
    creator: object  # creators.models.User
    score: int
    reached_at: datetime
    show_score: bool  # False on the reads board for a creator who hides their read counts
    score_display: str  # "1,234 reads", "3 insights", "$12.50"


@dataclass(frozen=True)
class Board:
    metric: str
    period: str
    places: list[Place]
    computed_at: datetime | None  # None: never worked out yet

    @property
    def is_ready(self) -> bool:
        return self.computed_at is not None


def score_display(metric: str, score: int) -> str:
    """A score as the page shows it: money like the wallet, counts with thousands separators."""
    if metric == Metric.SUPPORT:
        return format_money(score, settings.SUPPORT_CURRENCY)
    noun = "read" if metric == Metric.READS else "insight"
    return f"{score:,} {noun}{'' if score == 1 else 's'}"


def leaderboard(*, metric: str, period: str) -> Board:
    """One stored board for the page, with its creators. 2 queries, however many places."""
    refresh = LeaderboardRefresh.objects.filter(pk=1).first()
    if refresh is None:
        return Board(metric=metric, period=period, places=[], computed_at=None)
    rows = (
        LeaderboardEntry.objects.filter(metric=metric, period=period, creator__is_active=True)
        .select_related("creator")
        .order_by("rank")
    )
    places = [
        Place(
            rank=position,
            creator=row.creator,
            score=row.score,
            reached_at=row.reached_at,
            show_score=metric != Metric.READS or row.creator.show_read_counts,
            score_display=score_display(metric, row.score),
        )
        for position, row in enumerate(rows, start=1)
    ]
    return Board(metric=metric, period=period, places=places, computed_at=refresh.finished_at)
