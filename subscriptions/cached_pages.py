"""Which cached pages (core/pagecache.py) a subscription empties: the creator's subscriber count."""

from __future__ import annotations

from core.pagecache import creator_name, watch
from subscriptions.models import Subscription


def subscription_shows(subscription: Subscription) -> list[str]:
    return [creator_name(subscription.creator_id)]


def connect() -> None:
    watch(Subscription, subscription_shows)
