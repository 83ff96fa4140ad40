"""Fixtures for the comment tests (named `comment_*`, apart from the shared personas)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from comments.models import Comment
from creators.models import User
from stories.models import Story
from tests.conftest import make_story


@pytest.fixture
def comment_cache():
    """An empty cache before and after, so one test's rate-limit counters never leak."""
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def comment_story(alice, lifehack) -> Story:
    """Alice's published story, where bob reads and comments."""
    return make_story(creator=alice, community=lifehack, title="Tomatoes in August")


def make_comment(
    *,
    story: Story,
    author: User,
    body: str = "A thoughtful comment.",
    parent: Comment | None = None,
    ago: timedelta = timedelta(minutes=5),
    **fields,
) -> Comment:
    """A comment as if posted `ago`, bypassing the services (no rate limit, no emails)."""
    return Comment.objects.create(
        story=story,
        author=author,
        body=body,
        parent=parent,
        created_at=timezone.now() - ago,
        **fields,
    )
