"""The Subscription admin: a working list for moderators, in a constant number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from subscriptions.services import subscription_create
from tests.conftest import make_user
from tests.subscriptions.helpers import many_readers, subscribe_all

pytestmark = pytest.mark.django_db

LIST = reverse("admin:subscriptions_subscription_changelist")


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("n", [2, 60])
def test_the_list_does_not_query_per_row(admin_client, alice, n, django_assert_max_num_queries):
    subscribe_all(many_readers(n), alice)
    with django_assert_max_num_queries(8):
        response = admin_client.get(LIST)
    assert response.status_code == 200
    assert "Alice Walker" in response.content.decode()


def test_search_by_either_side(admin_client, alice, bob, sam):
    subscription_create(subscriber=bob, creator=alice)
    subscription_create(subscriber=alice, creator=sam)
    found = admin_client.get(LIST, {"q": "bob"}).context["cl"].result_list
    assert [(s.subscriber.username, s.creator.username) for s in found] == [("bob", "alice")]
    found = admin_client.get(LIST, {"q": "sam"}).context["cl"].result_list
    assert [(s.subscriber.username, s.creator.username) for s in found] == [("alice", "sam")]


def test_the_add_form_uses_autocomplete_for_accounts(admin_client):
    html = admin_client.get(reverse("admin:subscriptions_subscription_add")).content.decode()
    assert "admin-autocomplete" in html


def test_readers_without_staff_rights_cannot_see_it(client, bob):
    client.force_login(bob)
    assert client.get(LIST).status_code == 302
