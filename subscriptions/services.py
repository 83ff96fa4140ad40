"""Writes to subscriptions: subscribe and unsubscribe, for views, the login hook and emails."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from creators.models import User
from subscriptions.models import Subscription
from subscriptions.signals import subscribed


@transaction.atomic
def subscription_create(*, subscriber: User, creator: User) -> Subscription:
    """Subscribe ``subscriber`` to ``creator``; subscribing again returns the same subscription."""
    if subscriber.pk == creator.pk:
        raise ValidationError("You can’t subscribe to yourself.", code="self")
    if not creator.is_active:
        raise ValidationError(
            "This account is suspended, so it can’t be subscribed to.", code="inactive_creator"
        )
    if not subscriber.is_active:
        raise ValidationError("A suspended account can’t subscribe.", code="inactive_subscriber")
    # get_or_create catches the unique pair's IntegrityError of a concurrent double click.
    subscription, created = Subscription.objects.get_or_create(
        subscriber=subscriber, creator=creator
    )
    if created:
        transaction.on_commit(
            lambda: subscribed.send(sender=Subscription, subscription=subscription)
        )
    return subscription


@transaction.atomic
def subscription_delete(*, subscriber: User, creator: User) -> bool:
    """Unsubscribe; True if there was a subscription, False if there was nothing to remove."""
    deleted, _ = Subscription.objects.filter(subscriber=subscriber, creator=creator).delete()
    return bool(deleted)
