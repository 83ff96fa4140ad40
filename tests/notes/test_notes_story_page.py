"""The note UI on the story page: static markup in the stored fragment, no query, and gone
(from stored pages too) as soon as the creator turns notes off."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core import pagecache
from notes.services import notes_accept
from stories.models import Story

pytestmark = pytest.mark.django_db

HIT = pagecache.CACHE_HEADER
INVITE = "Send the author a note"
BUTTON = "data-note-button"
SCRIPT = "js/story-notes"


def shows_note_ui(html: str) -> bool:
    found = [INVITE in html, BUTTON in html, SCRIPT in html]
    assert all(found) or not any(found), found  # all three, or none
    return all(found)


def test_the_story_page_invites_a_note_and_carries_the_selection_button(client, note_story):
    html = client.get(note_story.get_absolute_url()).content.decode()
    assert shows_note_ui(html)
    url = reverse("notes:new", kwargs={"story_id": note_story.pk})
    assert f'<a href="{url}">{INVITE}</a>' in html
    # Hidden until a passage is selected; a link, so it works as one.
    assert f'<a class="note-button" href="{url}" {BUTTON} data-max-quote="600" hidden>' in html
    # At the end of the story's text, before the card about its creator.
    assert html.index('data-block="body"') < html.index(INVITE) < html.index("About the Creator")


def test_no_note_ui_when_the_creator_takes_no_notes(client, alice, note_story):
    notes_accept(user=alice, accepts=False)
    assert not shows_note_ui(client.get(note_story.get_absolute_url()).content.decode())


def test_no_note_ui_on_a_preview_or_a_draft(client, alice, note_story):
    client.force_login(alice)
    Story.objects.filter(pk=note_story.pk).update(status=Story.Status.DRAFT)
    assert not shows_note_ui(client.get(note_story.get_absolute_url()).content.decode())
    preview = client.get(reverse("stories:preview", args=[note_story.pk]))
    assert preview.status_code == 200
    assert not shows_note_ui(preview.content.decode())


# --- queries and stored pages ---------------------------------------------------------------


@pytest.fixture
def page_cache(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 300
    # As in tests/core/test_pagecache.py: nothing else reads the test database, so a change
    # may be stored as soon as it is made.
    monkeypatch.setattr(pagecache, "SETTLE_SECONDS", 0)
    pagecache.local.clear()
    pagecache.known_stamps.clear()


def stored(client: Client, url: str) -> str:
    for _ in range(3):
        response = client.get(url)
        if response[HIT] == "hit":
            return response.content.decode()
    raise AssertionError(f"{url} was not stored")


@pytest.mark.parametrize("accepts", [True, False])
def test_the_note_ui_costs_no_query(
    client, alice, bob, note_story, accepts, django_assert_num_queries
):
    notes_accept(user=alice, accepts=accepts)
    url = note_story.get_absolute_url()
    # The pins of tests/stories/test_views.py, whether the note UI is there or not.
    with django_assert_num_queries(10):
        html = client.get(url).content.decode()
    assert shows_note_ui(html) is accepts
    client.force_login(bob)
    with django_assert_num_queries(14):
        html = client.get(url).content.decode()
    assert shows_note_ui(html) is accepts


def test_stored_pages_keep_the_note_ui_and_lose_it_when_notes_are_turned_off(
    page_cache, client, alice, bob, note_story, django_assert_num_queries
):
    url = note_story.get_absolute_url()
    # Anonymous readers get the stored page, note UI and all, without a query.
    assert shows_note_ui(stored(client, url))
    with django_assert_num_queries(0):
        assert shows_note_ui(client.get(url).content.decode())
    # Signed-in readers: the pinned cost once the fragments are stored (test_pagecache.py).
    reader = Client()
    reader.force_login(bob)
    reader.get(url)
    with django_assert_num_queries(5):
        assert shows_note_ui(reader.get(url).content.decode())

    notes_accept(user=alice, accepts=False)
    assert not shows_note_ui(client.get(url).content.decode())
    assert not shows_note_ui(stored(client, url))
    assert not shows_note_ui(reader.get(url).content.decode())

    notes_accept(user=alice, accepts=True)
    assert shows_note_ui(client.get(url).content.decode())
    assert shows_note_ui(reader.get(url).content.decode())


def test_the_anonymous_page_with_the_note_ui_carries_no_token_or_cookie(client, note_story):
    response = client.get(note_story.get_absolute_url())
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert not response.cookies
