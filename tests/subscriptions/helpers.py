"""Fast factories for many accounts: bulk-created, with unusable passwords (no hashing)."""

from __future__ import annotations

from creators.models import User
from subscriptions.models import Subscription


def many_readers(n: int, prefix: str = "reader", **fields: object) -> list[User]:
    readers = [
        User(username=f"{prefix}{i}", email=f"{prefix}{i}@example.com", password="!", **fields)
        for i in range(n)
    ]
    User.objects.bulk_create(readers)
    return list(User.objects.filter(username__startswith=prefix).order_by("pk"))


def subscribe_all(readers: list[User], creator: User) -> None:
    Subscription.objects.bulk_create(
        [Subscription(subscriber=reader, creator=creator) for reader in readers]
    )


def follow_all(reader: User, creators: list[User]) -> None:
    Subscription.objects.bulk_create(
        [Subscription(subscriber=reader, creator=creator) for creator in creators]
    )
