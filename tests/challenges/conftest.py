"""Challenge fixtures: a challenge open now with prizes, and helpers to judge and decide."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from challenges.models import Challenge, Prize
from stories.models import Story
from tests.conftest import make_story

_n = itertools.count(1)


def make_challenge(
    *,
    status: str = Challenge.Status.OPEN,
    opens_at=None,
    closes_in: timedelta = timedelta(days=3),
    prizes: tuple[int, ...] = (10000, 5000),
    **fields,
) -> Challenge:
    now = timezone.now()
    opens_at = opens_at or now - timedelta(days=2)
    closes_at = fields.pop("closes_at", now + closes_in)
    n = next(_n)
    challenge = Challenge.objects.create(
        title=fields.pop("title", f"Challenge {n}"),
        slug=fields.pop("slug", f"challenge-{n}"),
        brief=fields.pop("brief", "<p>Write about <strong>rain</strong>.</p>"),
        rules=fields.pop("rules", "Up to 2,000 words.\nOriginal work only."),
        opens_at=opens_at,
        closes_at=closes_at,
        judging_by=fields.pop("judging_by", closes_at + timedelta(days=7)),
        status=status,
        **fields,
    )
    for place, amount in enumerate(prizes, start=1):
        Prize.objects.create(challenge=challenge, place=place, amount=amount)
    return challenge


def entry_story(creator, community, challenge, **fields) -> Story:
    """A published story written after `challenge` opened."""
    fields.setdefault("created_at", challenge.opens_at + timedelta(hours=1))
    fields.setdefault("published_ago", timedelta(hours=1))
    return make_story(creator=creator, community=community, **fields)


@pytest.fixture
def challenge(db) -> Challenge:
    return make_challenge(title="Rain", slug="rain")
