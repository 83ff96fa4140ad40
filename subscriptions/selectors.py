"""Reads about subscriptions that more than one page needs: counts, "do I subscribe?", feeds."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from core.prepared import PreparedExists
from creators.models import User
from stories.models import Story
from subscriptions.models import Subscription


def subscriber_count(creator: User) -> int:
    """How many active accounts subscribe to ``creator``; suspended readers are not counted."""
    return Subscription.objects.filter(creator=creator, subscriber__is_active=True).count()


def is_subscribed(*, reader: User, creator: User) -> bool:
    """One query for a signed-in reader, none for an anonymous one or the creator themself."""
    if not reader.is_authenticated or reader.pk == creator.pk:
        return False
    return _subscribes(reader=reader.pk, creator=creator.pk)


# Asked on every story page a signed-in reader opens.
_subscribes = PreparedExists(
    Subscription,
    lambda reader, creator: Subscription.objects.filter(subscriber_id=reader, creator_id=creator),
    ("reader", "creator"),
)


def subscriber_count_and_status(*, creator: User, reader: User) -> tuple[int, bool]:
    """The creator's subscriber count and whether ``reader`` is one of them, in one query."""
    if not reader.is_authenticated or reader.pk == creator.pk:
        return subscriber_count(creator), False
    totals = Subscription.objects.filter(creator=creator, subscriber__is_active=True).aggregate(
        total=Count("pk"), mine=Count("pk", filter=Q(subscriber_id=reader.pk))
    )
    return totals["total"], bool(totals["mine"])


def feed(reader: User) -> QuerySet[Story]:
    """The newest published stories of the creators ``reader`` subscribes to."""
    return Story.objects.published().for_cards().filter(creator__subscribers__subscriber=reader)


def followed(reader: User) -> QuerySet[Subscription]:
    """Whom ``reader`` subscribes to, newest first; suspended creators have no public page."""
    return Subscription.objects.filter(subscriber=reader, creator__is_active=True).select_related(
        "creator"
    )


def new_story_recipients(*, creator_id: int) -> QuerySet[Subscription]:
    """Subscriptions whose reader wants an email about the creator's new stories, by pk."""
    return (
        Subscription.objects.filter(
            creator_id=creator_id,
            subscriber__is_active=True,
            subscriber__email_new_stories=True,
        )
        .exclude(subscriber__email="")
        .order_by("pk")
    )
