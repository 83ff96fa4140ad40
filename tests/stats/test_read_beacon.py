"""The read beacon: what read-tracker.js posts once a reader has read, and what it counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from stats.models import Read
from stories.models import Story
from tests.conftest import make_story

pytestmark = pytest.mark.django_db

BROWSER = "3f1d2c4b-5a69-4e78-9abc-def012345678"
OTHER_BROWSER = "0b7e4a2f-1c3d-4e5f-8a9b-0c1d2e3f4a5b"


@pytest.fixture
def story(alice, lifehack) -> Story:
    return make_story(creator=alice, community=lifehack, title="Gardens at night")


def beacon(client, story: Story, **data):
    return client.post(reverse("stats:read", args=[story.pk]), data, REMOTE_ADDR="203.0.113.7")


def reads(story: Story) -> int:
    story.refresh_from_db()
    assert story.read_count == Read.objects.filter(story=story).count()
    return story.read_count


def test_a_bare_page_view_is_not_a_read(client, story):
    assert client.get(story.get_absolute_url()).status_code == 200
    assert reads(story) == 0


def test_the_story_page_carries_the_beacon_the_same_for_every_reader(client, story, bob):
    anonymous = client.get(story.get_absolute_url()).content.decode()
    client.force_login(bob)
    signed_in = client.get(story.get_absolute_url()).content.decode()
    for html in (anonymous, signed_in):
        assert f'data-read-url="{reverse("stats:read", args=[story.pk])}"' in html
        assert 'data-read-seconds="60"' in html  # one minute's reading time
        assert "js/read-tracker.js" in html


def test_counting_sets_no_cookie_and_needs_no_token(story):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("stats:read", args=[story.pk]), {"reader": BROWSER})
    assert response.status_code == 204
    assert not response.cookies
    assert reads(story) == 1


def test_an_anonymous_browser_counts_once_a_day(client, story):
    assert beacon(client, story, reader=BROWSER).status_code == 204
    assert beacon(client, story, reader=BROWSER).status_code == 204
    assert reads(story) == 1
    beacon(client, story, reader=OTHER_BROWSER)
    assert reads(story) == 2


def test_the_same_browser_counts_again_the_next_day(client, story):
    beacon(client, story, reader=BROWSER)
    Read.objects.update(day=timezone.localdate() - timedelta(days=1))
    beacon(client, story, reader=BROWSER)
    assert reads(story) == 2


def test_a_browser_without_storage_is_known_by_address_and_agent(client, story):
    beacon(client, story)
    beacon(client, story, reader="not a valid id!")
    assert reads(story) == 1
    client.post(reverse("stats:read", args=[story.pk]), REMOTE_ADDR="198.51.100.9")
    assert reads(story) == 2
    # The key is a hash: no address is stored.
    assert all(
        "203.0.113.7" not in key for key in Read.objects.values_list("reader_key", flat=True)
    )


def test_a_forged_forwarded_header_does_not_make_a_new_reader(client, story, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    url = reverse("stats:read", args=[story.pk])
    for forged in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        client.post(url, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=forged)
    assert reads(story) == 1


def test_behind_our_proxy_readers_are_told_apart_by_the_address_it_saw(client, story, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    url = reverse("stats:read", args=[story.pk])
    # Every request reaches the app from the load balancer; it appended each reader's address.
    client.post(url, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    client.post(url, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert reads(story) == 1
    client.post(url, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert reads(story) == 2


def test_a_signed_in_reader_counts_once_whatever_the_browser(client, story, bob):
    client.force_login(bob)
    beacon(client, story, reader=BROWSER)
    beacon(client, story, reader=OTHER_BROWSER)
    assert reads(story) == 1
    assert Read.objects.get().reader == bob


def test_the_creator_reading_their_own_story_is_not_counted(client, story, alice):
    client.force_login(alice)
    assert beacon(client, story, reader=BROWSER).status_code == 204
    assert reads(story) == 0


@pytest.mark.parametrize("status", [Story.Status.DRAFT, Story.Status.SUBMITTED])
def test_a_story_that_is_not_public_is_not_found(client, alice, lifehack, status):
    draft = make_story(creator=alice, community=lifehack, status=status)
    assert beacon(client, draft, reader=BROWSER).status_code == 404
    assert Read.objects.count() == 0


def test_a_suspended_creators_story_is_not_counted(client, story, alice):
    alice.is_active = False
    alice.save()
    assert beacon(client, story, reader=BROWSER).status_code == 404


def test_an_unknown_story_is_not_found(client):
    assert client.post(reverse("stats:read", args=[999999])).status_code == 404


def test_get_is_refused(client, story):
    assert client.get(reverse("stats:read", args=[story.pk])).status_code == 405
    assert reads(story) == 0


def test_a_preview_carries_no_beacon(client, alice, lifehack):
    draft = make_story(creator=alice, community=lifehack, status=Story.Status.DRAFT)
    client.force_login(alice)
    html = client.get(reverse("stories:preview", args=[draft.pk])).content.decode()
    assert "data-read-url" not in html
    assert "read-tracker.js" not in html


def test_made_up_browser_ids_from_one_address_count_a_handful(client, story, settings):
    # Issue 14: 200 beacons with random ids counted 200 reads.
    import uuid

    for _ in range(50):
        assert beacon(client, story, reader=str(uuid.uuid4())).status_code == 204
    cap = int(settings.RATE_LIMITS["read"]["address"][0].split("/")[0])
    assert reads(story) == cap <= 5


def test_the_cap_is_per_story_and_leaves_signed_in_readers_alone(
    client, story, alice, bob, sam, lifehack
):
    import uuid

    other = make_story(creator=alice, community=lifehack, title="Gardens at dawn")
    for _ in range(20):
        beacon(client, story, reader=str(uuid.uuid4()))
    assert beacon(client, other, reader=BROWSER).status_code == 204
    assert reads(other) == 1  # another story from the same address still counts
    before = reads(story)
    for reader in (bob, sam):
        client.force_login(reader)
        beacon(client, story, reader=str(uuid.uuid4()))
    assert reads(story) == before + 2
