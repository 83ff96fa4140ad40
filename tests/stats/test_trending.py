"""Trending on a community page: the stats app's block, the most read stories of the last week."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stats.selectors import trending_stories
from stories.models import Story
from tests.conftest import make_community, make_story
from tests.stories.test_discovery import add_reads

pytestmark = pytest.mark.django_db


def test_trending_counts_the_last_seven_days_only(client, alice, lifehack):
    old_hit = make_story(creator=alice, community=lifehack, title="Old hit")
    fresh = make_story(creator=alice, community=lifehack, title="Fresh favourite")
    make_story(creator=alice, community=lifehack, title="Quiet one")
    add_reads(old_hit, 50, days_ago=7)  # just outside the window
    add_reads(old_hit, 2, days_ago=6)  # the window's first day
    add_reads(fresh, 5, days_ago=0)
    html = client.get(lifehack.get_absolute_url()).content.decode()
    block = html[html.index('data-block="trending"') :]
    block = block[: block.index("</section>")]
    assert block.index("Fresh favourite") < block.index("Old hit")
    assert "5 reads in 7 days" in block and "2 reads in 7 days" in block
    assert "Quiet one" not in block


def test_trending_is_per_community_and_public_only(client, alice, lifehack):
    other = make_community("Other")
    elsewhere = make_story(creator=alice, community=other, title="Elsewhere")
    hidden = make_story(creator=alice, community=lifehack, title="Hidden now")
    add_reads(elsewhere, 3)
    add_reads(hidden, 3)
    Story.objects.filter(pk=hidden.pk).update(status=Story.Status.DRAFT)
    html = client.get(lifehack.get_absolute_url()).content.decode()
    assert 'data-block="trending"' not in html


def test_trending_hides_counts_of_a_creator_who_hides_them(client, alice, lifehack):
    story = make_story(creator=alice, community=lifehack, title="Private numbers")
    add_reads(story, 4)
    alice.show_read_counts = False
    alice.save()
    html = client.get(lifehack.get_absolute_url()).content.decode()
    assert "Private numbers" in html and "4 reads" not in html


def test_trending_is_one_query_and_counts_by_day(alice, lifehack, django_assert_num_queries):
    story = make_story(creator=alice, community=lifehack, title="Counted")
    add_reads(story, 3, days_ago=1)
    today = timezone.localdate()
    with django_assert_num_queries(1):
        found = trending_stories(community=lifehack, today=today)
    assert [(s.title, s.recent_reads) for s in found] == [("Counted", 3)]
    # A week later those reads are outside the window.
    assert trending_stories(community=lifehack, today=today + timedelta(days=7)) == []
