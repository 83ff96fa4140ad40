"""The creator's stats page: login, own numbers only, tables beside the charts, fixed queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone

from insights.models import Insight
from stories.models import Story
from subscriptions.models import Subscription
from support.services import support_settings_update, tip_create
from tests.conftest import make_story, make_user
from tests.insights.insights_helpers import default_choices
from tests.stats.conftest import add_reads

URL = "/write/stats/"


def today():
    return timezone.localdate()


def table(html: str, caption: str) -> list[tuple[str, str]]:
    """The (row header, value) pairs of the table with this caption."""
    match = re.search(
        r"<table[^>]*>\s*<caption[^>]*>" + re.escape(caption) + r"</caption>(.*?)</table>",
        html,
        re.S,
    )
    assert match, f"no table captioned {caption!r}"
    return re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td></tr>', match.group(1))


def bar_titles(html: str, slug: str) -> list[tuple[str, str]]:
    """The (name, value) of each bar's hover title in the chart `slug`."""
    match = re.search(rf'aria-labelledby="{slug}-chart-title".*?</svg>', html, re.S)
    assert match, f"no chart {slug!r}"
    return re.findall(r'<g class="bar-chart__slot"><title>(.*?): (.*?)</title>', match.group(0))


@pytest.fixture
def busy_alice(alice, bob, lifehack):
    """Alice with reads in both windows, a subscriber, an insight and a paid tip."""
    story = make_story(creator=alice, community=lifehack, title="Tomatoes in August")
    add_reads(story, today(), 3)
    add_reads(story, today() - timedelta(days=29), 2)
    add_reads(story, today() - timedelta(days=30), 4)
    Subscription.objects.create(subscriber=bob, creator=alice)
    Insight.objects.create(story=story, reader=bob, rating=default_choices().good)
    support_settings_update(creator=alice, accepts_support=True)
    tip_create(creator=alice, supporter=bob, amount=500)
    return alice


def test_url_name():
    assert reverse("stats:creator") == URL


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('creators:login')}?next={URL}"


def test_shows_the_creators_own_numbers(client, busy_alice):
    client.force_login(busy_alice)
    response = client.get(URL)
    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary.total, summary.last_30, summary.previous_30) == (9, 5, 4)
    html = response.content.decode()
    assert "<dt>Total reads</dt><dd>9</dd>" in html
    assert "▲</span> +1 (+25%)" in html
    assert "vs 4 in the 30 days before" in html
    assert "<dt>Subscribers</dt><dd>1 " in html
    assert "<dt>Reader insights</dt><dd>1 " in html
    assert f"<dt>Income in {today().year}</dt><dd>$4.65 " in html  # $5.00 less the 7% fee
    assert 'href="/settings/"' in html


def test_shows_none_of_another_creators_numbers(client, busy_alice, carol, lifehack):
    theirs = make_story(creator=carol, community=lifehack, title="Carol's Secret Garden")
    add_reads(theirs, today(), 50)
    client.force_login(carol)
    response = client.get(URL)
    html = response.content.decode()
    summary = response.context["summary"]
    assert (summary.total, summary.last_30, summary.previous_30) == (50, 50, 0)
    assert "Carol&#x27;s Secret Garden" in html and "Tomatoes in August" not in html
    assert "(new)" in html
    assert "<dt>Subscribers</dt><dd>0 " in html and "<dt>Income in" in html
    assert response.context["income_this_year"] == "$0.00"


def test_every_chart_has_a_table_with_the_same_numbers(client, busy_alice):
    client.force_login(busy_alice)
    html = client.get(URL).content.decode()
    for slug, caption in [
        ("reads", "Reads per day over the last 30 days"),
        ("likes", "Likes per day over the last 30 days"),
        ("subscribers", "New subscribers per month (readers still subscribed)"),
        ("insights", "Reader insights per month over the last 12 months"),
        ("income", "Net income per month (payments less fees and refunds)"),
    ]:
        rows = table(html, caption)
        assert rows == bar_titles(html, slug), slug
        assert len(rows) == (30 if slug in ("reads", "likes") else 12)
    reads = table(html, "Reads per day over the last 30 days")
    assert [value for _, value in reads] == ["2"] + ["0"] * 28 + ["3"]
    assert table(html, "Net income per month (payments less fees and refunds)")[-1][1] == "$4.65"
    # reads, likes (issue 16), subscribers, insights, income
    assert html.count('<svg class="bar-chart__svg" role="img"') == 5
    assert html.count("<summary>Show as a table") == 5


def test_reads_per_story_table(client, busy_alice, lifehack):
    quiet = make_story(creator=busy_alice, community=lifehack, title="Quiet Corners")
    add_reads(quiet, today() - timedelta(days=40), 1)
    make_story(creator=busy_alice, community=lifehack, title="Unfinished", status="draft")
    client.force_login(busy_alice)
    html = client.get(URL).content.decode()
    section = html[html.index('id="stories-title"') :]
    rows = re.findall(
        r'<th scope="row"><a href="([^"]+)">(.*?)</a>.*?</th>.*?'
        r'<td class="stats-stories__number">(\d+)</td>\s*<td class="stats-stories__number">(\d+)',
        section,
        re.S,
    )
    story = Story.objects.get(title="Tomatoes in August")
    assert rows == [
        (story.get_absolute_url(), "Tomatoes in August", "5", "9"),
        (quiet.get_absolute_url(), "Quiet Corners", "0", "1"),
    ]
    assert "Unfinished" not in html
    published = dateformat.format(timezone.localtime(story.published_at), "j M Y")
    assert f'<td class="stats-stories__date">{published}</td>' in section


def test_empty_state_for_a_creator_without_stories(client, alice):
    client.force_login(alice)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "No stats yet" in html and reverse("stories:new") in html
    assert "bar-chart" not in html


def test_drafts_alone_still_show_the_empty_state(client, alice, lifehack):
    make_story(creator=alice, community=lifehack, status=Story.Status.DRAFT)
    client.force_login(alice)
    assert "No stats yet" in client.get(URL).content.decode()


def test_says_whether_readers_see_the_counts(client, busy_alice):
    client.force_login(busy_alice)
    assert "Readers see the read count" in client.get(URL).content.decode()
    busy_alice.show_read_counts = False
    busy_alice.save()
    assert "only you see them" in client.get(URL).content.decode()


def test_dashboard_links_to_stats(client, alice):
    client.force_login(alice)
    assert f'href="{URL}"' in client.get(reverse("stories:dashboard")).content.decode()


@pytest.mark.parametrize("stories", [1, 10])
def test_query_count_does_not_grow_with_stories(
    client, alice, lifehack, django_assert_num_queries, stories
):
    for n in range(stories):
        story = make_story(creator=alice, community=lifehack)
        add_reads(story, today() - timedelta(days=n), n + 1)
        add_reads(story, today() - timedelta(days=n + 30), 1)
        Subscription.objects.create(subscriber=make_user(), creator=alice)
    client.force_login(alice)
    # The user (the session comes from the cache); reads: story counters, the two windows, per
    # day, per story (with its likes); likes (issue 16): total and last 30 days, per day;
    # subscribers: count and months; insights: count and months; income per month.
    with django_assert_num_queries(12):
        response = client.get(URL)
    assert len(response.context["stories"]) == stories
