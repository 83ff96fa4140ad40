"""Helpers for the reader-insight tests: the default choices by name, and insights in bulk."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from creators.models import User
from insights.defaults import ensure_default_insight_choices
from insights.models import Insight, Quality, Rating
from stories.models import Story

_counter = itertools.count(1)


@dataclass
class Choices:
    ratings: dict[str, Rating]
    qualities: dict[str, Quality]

    @property
    def good(self) -> Rating:
        return self.ratings["Good Effort"]

    @property
    def nice(self) -> Rating:
        return self.ratings["Nice Work"]

    @property
    def outstanding(self) -> Rating:
        return self.ratings["Outstanding"]

    def q(self, name: str) -> Quality:
        return self.qualities[name]


def default_choices() -> Choices:
    """The data migration's ratings and qualities (made again if a flush removed them)."""
    ensure_default_insight_choices(Rating, Quality)
    return Choices(
        ratings={r.name: r for r in Rating.objects.all()},
        qualities={q.name: q for q in Quality.objects.all()},
    )


def add_insight(story: Story, reader: User, rating: Rating, *qualities: Quality) -> Insight:
    insight = Insight.objects.create(story=story, reader=reader, rating=rating)
    insight.qualities.set(qualities)
    return insight


def make_readers(n: int, **fields) -> list[User]:
    """Many readers at once, without password hashing: they never log in."""
    readers = []
    for _ in range(n):
        i = next(_counter)
        readers.append(
            User(username=f"reader{i}", display_name=f"Reader {i}", password="!", **fields)
        )
    return User.objects.bulk_create(readers)


def bulk_insights(
    story: Story, readers: list[User], ratings: list[Rating], qualities: list[Quality]
) -> list[Insight]:
    """One insight per reader, ratings taken in turn; reader i picks the first i % len + 1
    qualities, so earlier qualities are chosen more often."""
    insights = Insight.objects.bulk_create(
        Insight(story=story, reader=reader, rating=ratings[i % len(ratings)])
        for i, reader in enumerate(readers)
    )
    Link = Insight.qualities.through
    Link.objects.bulk_create(
        Link(insight_id=insight.pk, quality_id=quality.pk)
        for i, insight in enumerate(insights)
        for quality in qualities[: i % len(qualities) + 1]
    )
    return insights
