"""Fixtures for the note tests: alice's story that bob reads and notes, and a note factory."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from creators.models import User
from notes.models import Note
from stories.models import Story
from tests.conftest import make_story, make_user

BODY = (
    "<p>Tomatoes ripen best in <em>late</em> August, when the nights are warm.</p>"
    "<p>Pick them in the morning &amp; keep them out of the fridge.</p>"
)


@pytest.fixture
def note_story(alice, lifehack) -> Story:
    """Alice's published story, which bob reads and sends notes about."""
    return make_story(creator=alice, community=lifehack, title="Tomatoes in August", body=BODY)


@pytest.fixture
def carol(db) -> User:
    return make_user("carol", display_name="Carol Critic")


def make_note(
    *,
    story: Story,
    reader: User,
    body: str = "A typo in the second line.",
    quote: str = "ripen best in late August",
    ago: timedelta = timedelta(minutes=5),
    **fields,
) -> Note:
    """A note as if sent `ago`, bypassing the services (no rate limit, no emails)."""
    return Note.objects.create(
        story=story,
        reader=reader,
        creator=story.creator,
        body=body,
        quote=quote,
        created_at=timezone.now() - ago,
        **fields,
    )
