"""read_record: once per reader per story per day, never the creator's own, only public stories."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from stats.models import Read
from stats.services import read_record, reader_key_for
from stories.models import Story
from tests.conftest import make_story


@pytest.fixture
def story(alice, lifehack) -> Story:
    return make_story(creator=alice, community=lifehack, title="Tomatoes in August")


def read_count(story: Story) -> int:
    return Story.objects.get(pk=story.pk).read_count


def test_a_read_is_recorded_and_counted_on_the_story(story, bob):
    assert read_record(story=story, reader_key=reader_key_for(user=bob), user=bob) is True
    read = Read.objects.get()
    assert (read.story_id, read.reader_key, read.reader_id) == (story.pk, f"u{bob.pk}", bob.pk)
    assert read_count(story) == 1


def test_the_same_reader_the_same_day_counts_once(story, bob):
    key = reader_key_for(user=bob)
    assert read_record(story=story, reader_key=key, user=bob) is True
    assert read_record(story=story, reader_key=key, user=bob) is False
    assert Read.objects.count() == 1
    assert read_count(story) == 1


def test_a_new_day_counts_again(story, bob, monkeypatch):
    key = reader_key_for(user=bob)
    monkeypatch.setattr("stats.services.timezone.localdate", lambda: date(2026, 3, 1))
    assert read_record(story=story, reader_key=key, user=bob) is True
    monkeypatch.setattr(
        "stats.services.timezone.localdate", lambda: date(2026, 3, 1) + timedelta(days=1)
    )
    assert read_record(story=story, reader_key=key, user=bob) is True
    assert sorted(Read.objects.values_list("day", flat=True)) == [
        date(2026, 3, 1),
        date(2026, 3, 2),
    ]
    assert read_count(story) == 2


def test_other_readers_and_other_stories_count_separately(story, alice, bob, lifehack):
    other = make_story(creator=alice, community=lifehack)
    browser = reader_key_for(browser_id="0b7a1c52-9d7e-4c55-a0b1-3f0e8d2c6a11")
    assert read_record(story=story, reader_key=reader_key_for(user=bob), user=bob)
    assert read_record(story=story, reader_key=browser, user=AnonymousUser())
    assert read_record(story=other, reader_key=browser, user=None)
    assert (read_count(story), read_count(other)) == (2, 1)
    assert Read.objects.get(story=other).reader is None


def test_the_creators_own_read_is_not_counted(story, alice):
    assert read_record(story=story, reader_key=reader_key_for(user=alice), user=alice) is False
    assert not Read.objects.exists()
    assert read_count(story) == 0


@pytest.mark.parametrize(
    "status", [Story.Status.DRAFT, Story.Status.SUBMITTED, Story.Status.CHANGES_REQUESTED]
)
def test_a_story_that_is_not_public_is_not_counted(alice, bob, lifehack, status):
    story = make_story(creator=alice, community=lifehack, status=status)
    assert read_record(story=story, reader_key=reader_key_for(user=bob), user=bob) is False
    assert not Read.objects.exists()
    assert read_count(story) == 0


def test_a_suspended_creators_story_is_not_counted(story, alice, bob):
    alice.is_active = False
    alice.save()
    story = Story.objects.select_related("creator").get(pk=story.pk)
    assert read_record(story=story, reader_key=reader_key_for(user=bob), user=bob) is False
    assert read_count(story) == 0


def test_browser_keys_name_no_one_and_differ_by_browser():
    first = reader_key_for(browser_id="a1b2c3d4-0000-4000-8000-000000000001")
    second = reader_key_for(browser_id="a1b2c3d4-0000-4000-8000-000000000002")
    by_address = reader_key_for(address="203.0.113.7", agent="Firefox")
    assert first != second and first.startswith("b") and len(first) == 41
    assert "203.0.113.7" not in by_address
    assert by_address == reader_key_for(address="203.0.113.7", agent="Firefox")
