"""Stats fixtures: a second creator, reads on chosen days, and support switched on offline."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from django.db.models import F

from creators.models import User
from stats.models import Read
from stories.models import Story
from tests.conftest import make_user

_keys = itertools.count(1)


@pytest.fixture
def carol(db) -> User:
    """Another creator, whose numbers must never show up in alice's."""
    return make_user("carol", display_name="Carol Other")


@pytest.fixture(autouse=True)
def _offline_payments(settings):
    # Income in these tests comes from offline tips: paid at once, a 7% fee, in dollars.
    settings.PAYMENTS_GATEWAY = "offline"
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.PLATFORM_FEE_BASIS_POINTS = 700
    settings.SUPPORT_CURRENCY = "usd"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def add_reads(story: Story, day: date, n: int = 1) -> list[Read]:
    """`n` reads of `story` by different readers on `day`, counted on the story as
    read_record would count them."""
    reads = Read.objects.bulk_create(
        Read(story=story, reader_key=f"test-{next(_keys)}", day=day) for _ in range(n)
    )
    Story.objects.filter(pk=story.pk).update(read_count=F("read_count") + n)
    return reads
