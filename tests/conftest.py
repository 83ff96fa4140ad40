"""Shared fixtures: named personas (alice writes, bob reads, sam is staff) and small factories."""

from __future__ import annotations

import io
import itertools
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from creators.models import User
from stories.models import Community, Story

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploads in tests never land in the developer's media folder.
    settings.MEDIA_ROOT = tmp_path / "media"
    # Background jobs run in the request after commit, so a test sees what they did.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    # Stored pages, their version stamps and rate-limit counters live in the cache, which
    # outlives each test's database.
    cache.clear()
    # Pages and fragments are stored only in the tests about them (test_pagecache.py): whether
    # one is stored depends on how long ago the data was written (pagecache.SETTLE_SECONDS),
    # and other tests' pinned query counts must not depend on how fast the machine is.
    settings.PAGE_CACHE_SECONDS = 0


def png_bytes(size: tuple[int, int] = (64, 48), color: str = "orange") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def make_user(username: str | None = None, **fields) -> User:
    username = username or f"user{next(_counter)}"
    fields.setdefault("password", "pw-for-tests-only")
    return User.objects.create_user(username=username, **fields)


def make_community(name: str | None = None, **fields) -> Community:
    name = name or f"Community {next(_counter)}"
    fields.setdefault("slug", name.lower().replace(" ", "-"))
    return Community.objects.create(name=name, **fields)


def make_story(
    *,
    creator: User,
    community: Community,
    title: str | None = None,
    status: str = Story.Status.PUBLISHED,
    tags: list[str] | None = None,
    published_ago: timedelta = timedelta(days=1),
    **fields,
) -> Story:
    fields.setdefault("body", "<p>Some words about something.</p>")
    if status == Story.Status.PUBLISHED:
        fields.setdefault("published_at", timezone.now() - published_ago)
    story = Story.objects.create(
        creator=creator,
        community=community,
        title=title or f"Story {next(_counter)}",
        status=status,
        **fields,
    )
    if tags:
        story.tags.add(*tags)
    return story


@pytest.fixture
def alice(db) -> User:
    return make_user("alice", display_name="Alice Walker", bio="Writes about gardens.")


@pytest.fixture
def bob(db) -> User:
    return make_user("bob", display_name="Bob Reader")


@pytest.fixture
def sam(db) -> User:
    return make_user("sam", display_name="Sam Staff", is_staff=True)


@pytest.fixture
def lifehack(db) -> Community:
    return make_community("Lifehack", description="Tips for a better life.")


@pytest.fixture
def hero_file() -> ContentFile:
    return ContentFile(png_bytes((1200, 675)), name="hero.png")
