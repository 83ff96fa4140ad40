"""The read beacon, and the creator's stats page."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core import ratelimit
from core.charts import BarChart, bar_chart
from core.client_ip import client_ip
from core.jobs import enqueue
from stats.leaderboards import Metric, Period, leaderboard, refresh_leaderboards_job
from stats.models import LeaderboardEntry
from stats.selectors import (
    creator_likes_summary,
    creator_reads_summary,
    insights_over_time,
    likes_per_day,
    reads_per_day,
    reads_per_story,
    subscribers_over_time,
)
from stats.services import read_record, reader_key_for
from stories.models import Story
from support.charts import income_chart
from support.money import format_money
from support.selectors import income_by_month

# What read-tracker.js sends as the browser's id: a random UUID it keeps in localStorage.
BROWSER_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


# Exempt from CSRF so the story page carries no token and stays cacheable; the worst a forged
# request can do is count one read per reader per story per day, which the key caps for
# accounts, and RATE_LIMITS["read"] for browsers (their ids are made up by the client).
@csrf_exempt
@require_POST
def read_beacon(request: HttpRequest, pk: int) -> HttpResponse:
    """POSTed by read-tracker.js once the reader has scrolled through or stayed long enough."""
    story = get_object_or_404(Story.objects.published().select_related("creator"), pk=pk)
    if not request.user.is_authenticated:
        # The browser id is the browser's own word: a few reads of a story a day per address.
        try:
            ratelimit.take("read", address=client_ip(request), per=story.pk)
        except ratelimit.RateLimited:
            return HttpResponse(status=204)
    browser_id = request.POST.get("reader", "")
    key = reader_key_for(
        user=request.user,
        browser_id=browser_id if BROWSER_ID.fullmatch(browser_id) else "",
        address=client_ip(request),
        agent=request.META.get("HTTP_USER_AGENT", "")[:200],
    )
    read_record(story=story, reader_key=key, user=request.user)
    # Counted or not, the answer is the same: the page has nothing to update.
    return HttpResponse(status=204)


def _day_chart(
    rows: list[tuple[date, int]], *, slug: str = "reads", noun: str = "Reads"
) -> BarChart:
    return bar_chart(
        slug=slug,
        title=f"{noun} per day over the last {len(rows)} days",
        rows=rows,
        label=lambda day: date_format(day, "j M"),
        name=lambda day: date_format(day, "D j M Y"),
        key_heading="Day",
        value_heading=noun,
        # Thirty dates don't fit under thirty narrow bars; every sixth does, on a phone too.
        max_labels=5,
    )


def _month_chart(
    rows: list[tuple[date, int]], *, slug: str, title: str, value_heading: str, caption: str = ""
) -> BarChart:
    return bar_chart(
        slug=slug,
        title=title,
        caption=caption,
        rows=rows,
        label=lambda month: date_format(month, "M"),
        name=lambda month: date_format(month, "F Y"),
        key_heading="Month",
        value_heading=value_heading,
    )


@login_required
def creator_stats(request: HttpRequest) -> HttpResponse:
    """/write/stats/: the signed-in creator's reads, likes, subscribers, insights and income."""
    creator = request.user
    today = timezone.localdate()
    currency = settings.SUPPORT_CURRENCY
    daily = reads_per_day(creator=creator, today=today)
    subscribers = subscribers_over_time(creator=creator, today=today)
    insights = insights_over_time(creator=creator, today=today)
    income = income_by_month(creator=creator)
    stories = list(reads_per_story(creator=creator, today=today))
    # The last row is the current month in the ledger's own calendar; the year is its year.
    income_year = income[-1][0].year
    return render(
        request,
        "stats/creator_stats.html",
        {
            "summary": creator_reads_summary(creator=creator, today=today),
            "stories": stories,
            # Issue 18: conversions from stories for supporters, summed from the rows above.
            "pledges_started": sum(story.supporter_pledges for story in stories),
            "shows_pledges": any(
                story.for_supporters or story.supporter_pledges for story in stories
            ),
            "subscribers": subscribers,
            "insights": insights,
            "income_year": income_year,
            "income_this_year": format_money(
                sum(amount for month, amount in income if month.year == income_year), currency
            ),
            "reads_chart": _day_chart(daily),
            # issue 16, reactions: likes per day, beside reads
            "likes": creator_likes_summary(creator=creator, today=today),
            "likes_chart": _day_chart(
                likes_per_day(creator=creator, today=today), slug="likes", noun="Likes"
            ),
            "subscribers_chart": _month_chart(
                subscribers.months,
                slug="subscribers",
                title=f"New subscribers per month over the last {len(subscribers.months)} months",
                caption="New subscribers per month (readers still subscribed)",
                value_heading="New subscribers",
            ),
            "insights_chart": _month_chart(
                insights.months,
                slug="insights",
                title=f"Reader insights per month over the last {len(insights.months)} months",
                value_heading="Insights",
            ),
            "income_chart": income_chart(income, currency),
        },
    )


# How long the page waits before queueing another refresh while no boards are stored: one job
# at a time is enough, however many readers arrive before the worker has run it.
LEADERBOARD_REFRESH_GUARD_SECONDS = 300


def _choice(value: str, choices: type[LeaderboardEntry.Metric | LeaderboardEntry.Period], default):
    """`value` if it names one of `choices`, else `default`: a mistyped or hostile query string
    shows the default board rather than an error."""
    return value if value in choices.values else default


def leaderboard_page(request: HttpRequest) -> HttpResponse:
    """/leaderboard/: one board (?by=reads|insights|support, ?period=month|all) as the last
    `refresh_leaderboards` stored it. 2 queries; never works the boards out itself."""
    metric = _choice(request.GET.get("by", ""), LeaderboardEntry.Metric, Metric.READS)
    period = _choice(request.GET.get("period", ""), LeaderboardEntry.Period, Period.MONTH)
    board = leaderboard(metric=metric, period=period)
    if not board.is_ready and cache.add(
        "stats:leaderboards-refresh-queued", True, LEADERBOARD_REFRESH_GUARD_SECONDS
    ):
        enqueue(refresh_leaderboards_job)
    base = reverse("stats:leaderboard")
    return render(
        request,
        "stats/leaderboard.html",
        {
            "board": board,
            "metric_label": LeaderboardEntry.Metric(metric).label,
            "period_label": LeaderboardEntry.Period(period).label,
            "month": timezone.localdate(),
            "metrics": [
                (label, f"{base}?{urlencode({'period': period, 'by': value})}", value == metric)
                for value, label in LeaderboardEntry.Metric.choices
            ],
            "periods": [
                (label, f"{base}?{urlencode({'period': value, 'by': metric})}", value == period)
                for value, label in LeaderboardEntry.Period.choices
            ],
            "hides_numbers": metric == Metric.READS,
        },
    )
