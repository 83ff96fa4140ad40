"""subscription_create and subscription_delete, and the rules the database itself keeps."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from subscriptions import selectors
from subscriptions.models import Subscription
from subscriptions.services import subscription_create, subscription_delete
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_a_reader_subscribes_to_a_creator(alice, bob):
    subscription = subscription_create(subscriber=bob, creator=alice)
    assert (subscription.subscriber, subscription.creator) == (bob, alice)
    assert str(subscription) == "Bob Reader → Alice Walker"
    assert subscription.get_absolute_url() == "/authors/alice/"
    assert list(alice.subscribers.values_list("subscriber__username", flat=True)) == ["bob"]


def test_subscribing_twice_is_harmless(alice, bob):
    first = subscription_create(subscriber=bob, creator=alice)
    second = subscription_create(subscriber=bob, creator=alice)
    assert first.pk == second.pk
    assert Subscription.objects.count() == 1


def test_a_creator_cannot_subscribe_to_themself(alice):
    with pytest.raises(ValidationError) as error:
        subscription_create(subscriber=alice, creator=alice)
    assert error.value.code == "self"
    assert not Subscription.objects.exists()


def test_nobody_subscribes_to_a_suspended_creator(bob):
    mallory = make_user("mallory", is_active=False)
    with pytest.raises(ValidationError) as error:
        subscription_create(subscriber=bob, creator=mallory)
    assert error.value.code == "inactive_creator"
    assert not Subscription.objects.exists()


def test_a_suspended_account_cannot_subscribe(alice):
    mallory = make_user("mallory", is_active=False)
    with pytest.raises(ValidationError) as error:
        subscription_create(subscriber=mallory, creator=alice)
    assert error.value.code == "inactive_subscriber"


def test_unsubscribing_removes_only_that_subscription(alice, bob, sam):
    subscription_create(subscriber=bob, creator=alice)
    subscription_create(subscriber=sam, creator=alice)
    assert subscription_delete(subscriber=bob, creator=alice) is True
    assert list(Subscription.objects.values_list("subscriber__username", flat=True)) == ["sam"]


def test_unsubscribing_twice_is_harmless(alice, bob):
    subscription_create(subscriber=bob, creator=alice)
    assert subscription_delete(subscriber=bob, creator=alice) is True
    assert subscription_delete(subscriber=bob, creator=alice) is False


def test_the_database_refuses_a_self_subscription_and_a_duplicate(alice, bob):
    # The services check first; the constraints hold for every other writer (admin, shell).
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(subscriber=alice, creator=alice)
    Subscription.objects.create(subscriber=bob, creator=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(subscriber=bob, creator=alice)


def test_subscriber_count_leaves_out_suspended_readers(alice, bob, sam):
    assert selectors.subscriber_count(alice) == 0
    subscription_create(subscriber=bob, creator=alice)
    subscription_create(subscriber=sam, creator=alice)
    assert selectors.subscriber_count(alice) == 2
    sam.is_active = False
    sam.save()
    assert selectors.subscriber_count(alice) == 1
    assert selectors.subscriber_count(bob) == 0


def test_count_and_status_in_one_query(alice, bob, sam, django_assert_num_queries):
    subscription_create(subscriber=bob, creator=alice)
    subscription_create(subscriber=sam, creator=alice)
    with django_assert_num_queries(1):
        assert selectors.subscriber_count_and_status(creator=alice, reader=bob) == (2, True)
    carol = make_user("carol")
    with django_assert_num_queries(1):
        assert selectors.subscriber_count_and_status(creator=alice, reader=carol) == (2, False)
