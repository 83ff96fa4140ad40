"""Likes in the creator's stats (issue 16): per day in the site's calendar, per story, and the
totals; only the creator's own stories, in a fixed number of queries."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from reactions.models import Like
from reactions.services import like_add, like_remove
from stats.selectors import creator_likes_summary, likes_per_day, reads_per_story
from stories.models import Story
from tests.conftest import make_story, make_user
from tests.stats.conftest import add_reads

pytestmark = pytest.mark.django_db

TODAY = date(2025, 3, 14)
URL = "/write/stats/"


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def likes_on(story: Story, moment: datetime, n: int = 1) -> None:
    """`n` likes of `story` by new readers at `moment`, counted as the service counts them."""
    for _ in range(n):
        like = like_add_at(story, moment)
        assert like


def like_add_at(story: Story, moment: datetime) -> Like:
    reader = make_user()
    like_add(story=story, reader=reader)
    like = Like.objects.get(story=story, reader=reader)
    like.created_at = moment
    like.save(update_fields=["created_at"])
    return like


def noon(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


def test_likes_per_day_are_zero_filled_and_only_the_creators(alice, lifehack):
    carol = make_user("carol")
    mine = make_story(creator=alice, community=lifehack)
    theirs = make_story(creator=carol, community=lifehack)
    likes_on(mine, noon(TODAY), 2)
    likes_on(mine, noon(ago(2)), 3)
    likes_on(mine, noon(ago(3)))  # before the window of three days
    likes_on(mine, noon(TODAY + timedelta(days=1)))  # after "today": not counted
    likes_on(theirs, noon(TODAY), 5)
    assert likes_per_day(creator=alice, today=TODAY, days=3) == [
        (ago(2), 3),
        (ago(1), 0),
        (TODAY, 2),
    ]
    days = likes_per_day(creator=alice, today=TODAY)
    assert len(days) == 30 and days[-1] == (TODAY, 2) and sum(n for _, n in days) == 6


def test_a_day_is_the_sites_calendar_day(alice, lifehack, settings):
    story = make_story(creator=alice, community=lifehack)
    # 23:30 in UTC on the 13th is already the 14th in Auckland (UTC+13 in March).
    likes_on(story, datetime(2025, 3, 13, 23, 30, tzinfo=ZoneInfo("UTC")))
    with timezone.override(ZoneInfo("Pacific/Auckland")):
        assert likes_per_day(creator=alice, today=TODAY, days=2) == [(ago(1), 0), (TODAY, 1)]
    with timezone.override(ZoneInfo("UTC")):
        assert likes_per_day(creator=alice, today=TODAY, days=2) == [(ago(1), 1), (TODAY, 0)]


def test_an_unlike_takes_its_like_out_of_the_day(alice, bob, lifehack):
    story = make_story(creator=alice, community=lifehack)
    like_add(story=story, reader=bob)
    today = timezone.localdate()
    assert likes_per_day(creator=alice, today=today, days=1) == [(today, 1)]
    like_remove(story=story, reader=bob)
    assert likes_per_day(creator=alice, today=today, days=1) == [(today, 0)]


def test_the_summary_counts_all_likes_and_the_last_30_days(alice, lifehack):
    story = make_story(creator=alice, community=lifehack)
    likes_on(story, noon(TODAY), 2)
    likes_on(story, noon(ago(29)), 1)  # the first day of the window
    likes_on(story, noon(ago(30)), 4)  # the day before it
    summary = creator_likes_summary(creator=alice, today=TODAY)
    assert (summary.total, summary.last_30) == (7, 3)


def test_likes_take_one_query_each(alice, lifehack, django_assert_num_queries):
    for n in range(5):
        likes_on(make_story(creator=alice, community=lifehack), noon(ago(n)), n + 1)
    with django_assert_num_queries(1):
        likes_per_day(creator=alice, today=TODAY)
    with django_assert_num_queries(1):
        creator_likes_summary(creator=alice, today=TODAY)


def test_reads_per_story_carry_the_like_count(alice, bob, lifehack, django_assert_num_queries):
    story = make_story(creator=alice, community=lifehack)
    like_add(story=story, reader=bob)
    with django_assert_num_queries(1):
        rows = list(reads_per_story(creator=alice))
        assert [s.like_count for s in rows] == [1]


def test_the_stats_page_shows_likes(client, alice, bob, lifehack):
    story = make_story(creator=alice, community=lifehack, title="Tomatoes in August")
    other = make_story(creator=alice, community=lifehack, title="Quiet Corners")
    add_reads(story, timezone.localdate(), 3)
    like_add(story=story, reader=bob)
    like_add(story=story, reader=make_user())
    like_add(story=other, reader=bob)
    client.force_login(alice)
    html = client.get(URL).content.decode()
    assert re.search(r"<dt>Likes</dt><dd>3 <span[^>]*>3 in the last 30 days", html)
    assert 'aria-labelledby="likes-chart-title"' in html
    assert "Likes per day over the last 30 days" in html
    rows = re.findall(
        r'<th scope="row"><a href="[^"]+">(.*?)</a>.*?'
        r'<td class="stats-stories__number stats-stories__likes">(\d+)</td>',
        html[html.index('id="stories-title"') :],
        re.S,
    )
    assert rows == [("Tomatoes in August", "2"), ("Quiet Corners", "1")]
