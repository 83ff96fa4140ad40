"""PreparedExists answers what the queryset it was built from answers, in one query."""

from __future__ import annotations

import pytest

from core.prepared import PreparedExists
from subscriptions.models import Subscription
from support.models import Pledge
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

subscribes = PreparedExists(
    Subscription,
    lambda reader, creator: Subscription.objects.filter(subscriber_id=reader, creator_id=creator),
    ("reader", "creator"),
)


def test_it_answers_like_the_queryset_for_every_pair(alice, bob, sam):
    Subscription.objects.create(subscriber=bob, creator=alice)
    for reader in (alice, bob, sam):
        for creator in (alice, bob, sam):
            expected = Subscription.objects.filter(subscriber=reader, creator=creator).exists()
            assert subscribes(reader=reader.pk, creator=creator.pk) is expected


def test_it_costs_one_query_each_time(alice, bob, django_assert_num_queries):
    for _ in range(3):
        with django_assert_num_queries(1):
            assert subscribes(reader=bob.pk, creator=alice.pk) is False


def test_constants_of_the_queryset_are_kept(alice, bob):
    live = PreparedExists(
        Pledge,
        lambda viewer, creator: Pledge.objects.live().filter(
            supporter_id=viewer, creator_id=creator
        ),
        ("viewer", "creator"),
    )
    assert live(viewer=bob.pk, creator=alice.pk) is False
    pledge = Pledge.objects.create(
        supporter=bob,
        creator=alice,
        amount=500,
        currency="EUR",
        status=Pledge.Status.ACTIVE,
        gateway="offline",
    )
    assert live(viewer=bob.pk, creator=alice.pk) is True
    pledge.status = Pledge.Status.ENDED
    pledge.save()
    assert live(viewer=bob.pk, creator=alice.pk) is False
    assert live(viewer=make_user().pk, creator=alice.pk) is False
