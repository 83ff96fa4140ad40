"""Stats arithmetic: the 30-day windows, the change, per-day and per-story reads, months."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from insights.models import Insight
from stats.selectors import (
    ReadsSummary,
    creator_reads_summary,
    insights_over_time,
    reads_per_day,
    reads_per_story,
    subscribers_over_time,
)
from stories.models import Story
from subscriptions.models import Subscription
from tests.conftest import make_story, make_user
from tests.insights.insights_helpers import default_choices
from tests.stats.conftest import add_reads

# A Tuesday in February, so twelve months reach back into the year before.
TODAY = date(2026, 2, 10)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def moment(year: int, month: int, day: int, *args: int) -> datetime:
    return timezone.make_aware(datetime(year, month, day, *args))


# --- the summary's windows -------------------------------------------------------------------


def test_day_29_ago_is_in_the_last_30_and_day_30_ago_in_the_30_before(alice, lifehack):
    story = make_story(creator=alice, community=lifehack)
    add_reads(story, ago(0), 1)
    add_reads(story, ago(29), 2)
    add_reads(story, ago(30), 4)
    add_reads(story, ago(59), 8)
    summary = creator_reads_summary(creator=alice, today=TODAY)
    assert (summary.last_30, summary.previous_30) == (1 + 2, 4 + 8)


def test_day_60_ago_and_tomorrow_are_in_neither_window_but_in_the_total(alice, lifehack):
    story = make_story(creator=alice, community=lifehack)
    add_reads(story, ago(60), 5)
    add_reads(story, ago(-1), 3)
    summary = creator_reads_summary(creator=alice, today=TODAY)
    assert (summary.last_30, summary.previous_30) == (0, 0)
    assert summary.total == 8


def test_total_is_every_story_counter_including_unpublished_ones(alice, lifehack):
    published = make_story(creator=alice, community=lifehack)
    withdrawn = make_story(creator=alice, community=lifehack, status=Story.Status.DRAFT)
    Story.objects.filter(pk=published.pk).update(read_count=40)
    Story.objects.filter(pk=withdrawn.pk).update(read_count=2)
    assert creator_reads_summary(creator=alice, today=TODAY).total == 42


def test_other_creators_reads_are_not_counted(alice, carol, lifehack):
    mine = make_story(creator=alice, community=lifehack)
    theirs = make_story(creator=carol, community=lifehack)
    add_reads(mine, ago(1), 2)
    add_reads(theirs, ago(1), 7)
    add_reads(theirs, ago(40), 7)
    summary = creator_reads_summary(creator=alice, today=TODAY)
    assert (summary.total, summary.last_30, summary.previous_30) == (2, 2, 0)
    assert sum(n for _, n in reads_per_day(creator=alice, today=TODAY)) == 2
    assert [s.pk for s in reads_per_story(creator=alice, today=TODAY)] == [mine.pk]


def test_a_creator_without_stories_has_zeros(alice):
    summary = creator_reads_summary(creator=alice, today=TODAY)
    assert (summary.total, summary.last_30, summary.previous_30) == (0, 0, 0)
    assert summary.percent is None and summary.percent_display == "–"


def test_summary_takes_two_queries(alice, lifehack, django_assert_num_queries):
    for _ in range(3):
        add_reads(make_story(creator=alice, community=lifehack), ago(3), 2)
    # The stories' counters summed; the two windows counted in one pass over the reads.
    with django_assert_num_queries(2):
        creator_reads_summary(creator=alice, today=TODAY)


# --- the change and its percentage ---------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "previous", "change", "percent", "direction", "change_text", "percent_text"),
    [
        (15, 10, 5, 50, "up", "+5", "+50%"),
        (5, 10, -5, -50, "down", "−5", "−50%"),
        (1, 3, -2, -67, "down", "−2", "−67%"),
        (7, 7, 0, 0, "flat", "0", "0%"),
        (0, 4, -4, -100, "down", "−4", "−100%"),
        (12, 4, 8, 200, "up", "+8", "+200%"),
        # Nothing before: no percentage to take, never a division by zero.
        (3, 0, 3, None, "up", "+3", "new"),
        (0, 0, 0, None, "flat", "0", "–"),
    ],
)
def test_change_and_percent(last, previous, change, percent, direction, change_text, percent_text):
    summary = ReadsSummary(total=last + previous, last_30=last, previous_30=previous)
    assert summary.change == change
    assert summary.percent == percent
    assert summary.direction == direction
    assert summary.change_display == change_text
    assert summary.percent_display == percent_text


def test_change_from_the_database(alice, lifehack):
    story = make_story(creator=alice, community=lifehack)
    add_reads(story, ago(5), 6)
    add_reads(story, ago(35), 4)
    summary = creator_reads_summary(creator=alice, today=TODAY)
    assert (summary.change, summary.percent, summary.percent_display) == (2, 50, "+50%")


# --- reads per day -------------------------------------------------------------------------


def test_reads_per_day_is_zero_filled_oldest_first_ending_today(alice, lifehack):
    story = make_story(creator=alice, community=lifehack)
    add_reads(story, ago(0), 3)
    add_reads(story, ago(29), 1)
    add_reads(story, ago(30), 9)  # a day too old for the chart
    add_reads(story, ago(12), 2)
    days = reads_per_day(creator=alice, today=TODAY)
    assert len(days) == 30
    assert days[0] == (ago(29), 1)
    assert days[-1] == (TODAY, 3)
    assert dict(days)[ago(12)] == 2
    assert [day for day, _ in days] == [ago(n) for n in range(29, -1, -1)]
    assert sum(n for _, n in days) == 6


def test_reads_per_day_sums_stories_and_takes_other_lengths(alice, lifehack):
    first = make_story(creator=alice, community=lifehack)
    second = make_story(creator=alice, community=lifehack)
    add_reads(first, ago(2), 2)
    add_reads(second, ago(2), 5)
    assert reads_per_day(creator=alice, today=TODAY, days=3) == [
        (ago(2), 7),
        (ago(1), 0),
        (TODAY, 0),
    ]


def test_reads_per_day_takes_one_query(alice, lifehack, django_assert_num_queries):
    for n in range(5):
        add_reads(make_story(creator=alice, community=lifehack), ago(n), n + 1)
    with django_assert_num_queries(1):
        reads_per_day(creator=alice, today=TODAY)


# --- reads per story ------------------------------------------------------------------------


def test_reads_per_story_lists_published_stories_most_read_first(alice, lifehack):
    quiet = make_story(creator=alice, community=lifehack, title="Quiet")
    popular = make_story(creator=alice, community=lifehack, title="Popular")
    unread = make_story(creator=alice, community=lifehack, title="Unread")
    draft = make_story(creator=alice, community=lifehack, status=Story.Status.DRAFT)
    submitted = make_story(creator=alice, community=lifehack, status=Story.Status.SUBMITTED)
    add_reads(quiet, ago(3), 2)
    add_reads(popular, ago(29), 4)  # the last day of the window
    add_reads(popular, ago(30), 6)  # the day before it: in the total only
    Story.objects.filter(pk=draft.pk).update(read_count=99)  # taken down after many reads
    rows = list(reads_per_story(creator=alice, today=TODAY))
    assert [s.title for s in rows] == ["Popular", "Quiet", "Unread"]
    assert [(s.read_count, s.recent_reads) for s in rows] == [(10, 4), (2, 2), (0, 0)]
    assert draft.pk not in {s.pk for s in rows} and submitted.pk not in {s.pk for s in rows}
    assert unread.pk == rows[-1].pk


def test_reads_per_story_takes_one_query_whatever_the_number_of_stories(
    alice, lifehack, django_assert_num_queries
):
    for n in range(10):
        add_reads(make_story(creator=alice, community=lifehack), ago(n), n + 1)
    # Stories, their community's slug for the link, and a subquery for the recent reads.
    with django_assert_num_queries(1):
        rows = list(reads_per_story(creator=alice, today=TODAY))
        links = [story.get_absolute_url() for story in rows]
    assert len(rows) == len(links) == 10
    assert [s.recent_reads for s in rows] == list(range(10, 0, -1))


# --- months: subscribers and insights ----------------------------------------------------


def test_subscribers_per_month_are_zero_filled_across_the_new_year(alice, carol):
    joined = [
        moment(2025, 2, 28, 23, 59),  # the month before the first of the twelve: total only
        moment(2025, 3, 1, 0, 0),  # the first instant of the first month
        moment(2025, 12, 31, 23, 59),
        moment(2026, 1, 1, 0, 0),
        moment(2026, 2, 9, 12, 0),
        moment(2026, 2, 10, 8, 0),
    ]
    for when in joined:
        Subscription.objects.create(subscriber=make_user(), creator=alice, created_at=when)
    Subscription.objects.create(subscriber=make_user(), creator=carol, created_at=joined[-1])
    result = subscribers_over_time(creator=alice, today=TODAY)
    assert result.total == 6
    assert len(result.months) == 12
    assert result.months[0] == (date(2025, 3, 1), 1)
    assert dict(result.months) == {
        date(2025, 3, 1): 1,
        **{date(2025, m, 1): 0 for m in range(4, 12)},
        date(2025, 12, 1): 1,
        date(2026, 1, 1): 1,
        date(2026, 2, 1): 2,
    }
    assert result.this_month == 2


def test_unsubscribing_takes_the_reader_out_of_the_count(alice, bob):
    subscription = Subscription.objects.create(
        subscriber=bob, creator=alice, created_at=moment(2026, 2, 3)
    )
    assert subscribers_over_time(creator=alice, today=TODAY).total == 1
    subscription.delete()
    result = subscribers_over_time(creator=alice, today=TODAY)
    assert (result.total, result.this_month) == (0, 0)


def test_months_can_be_fewer(alice, bob):
    Subscription.objects.create(subscriber=bob, creator=alice, created_at=moment(2026, 1, 20))
    result = subscribers_over_time(creator=alice, today=TODAY, months=3)
    assert result.months == [(date(2025, 12, 1), 0), (date(2026, 1, 1), 1), (date(2026, 2, 1), 0)]


def test_insights_per_month_count_only_the_creators_stories(alice, carol, lifehack):
    choices = default_choices()
    mine = make_story(creator=alice, community=lifehack)
    theirs = make_story(creator=carol, community=lifehack)
    for when, story in [
        (moment(2024, 6, 1), mine),  # long ago: in the total only
        (moment(2025, 11, 15), mine),
        (moment(2026, 2, 1), mine),
        (moment(2026, 2, 10, 9), mine),
        (moment(2026, 2, 5), theirs),
    ]:
        Insight.objects.create(
            story=story, reader=make_user(), rating=choices.good, created_at=when
        )
    result = insights_over_time(creator=alice, today=TODAY)
    assert result.total == 4
    assert len(result.months) == 12 and result.months[-1] == (date(2026, 2, 1), 2)
    assert dict(result.months)[date(2025, 11, 1)] == 1
    assert sum(n for _, n in result.months) == 3


def test_months_take_two_queries_each(alice, lifehack, django_assert_num_queries):
    choices = default_choices()
    story = make_story(creator=alice, community=lifehack)
    for n in range(1, 6):
        reader = make_user()
        Subscription.objects.create(subscriber=reader, creator=alice, created_at=moment(2025, n, 2))
        Insight.objects.create(
            story=story, reader=reader, rating=choices.nice, created_at=moment(2025, n, 2)
        )
    # The count now, and the counts grouped by month.
    with django_assert_num_queries(2):
        subscribers_over_time(creator=alice, today=TODAY)
    with django_assert_num_queries(2):
        insights_over_time(creator=alice, today=TODAY)
