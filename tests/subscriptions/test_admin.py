"""The Subscription admin: a working list for moderators, in a constant number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from subscriptions.services import subscription_create
from tests.conftest import make_story, make_user
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


# --- new-story emails: what never went out ---------------------------------------------------

EMAILS = reverse("admin:subscriptions_newstoryemail_changelist")


def test_staff_see_the_unsent_emails_and_send_them_again(
    admin_client,
    alice,
    lifehack,
    mailoutbox,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    from subscriptions.models import NewStoryEmail

    story = make_story(creator=alice, community=lifehack, title="Tomatoes")
    readers = many_readers(3)
    subscribe_all(readers, alice)
    refused = NewStoryEmail.objects.create(
        story=story,
        subscriber=readers[0],
        status=NewStoryEmail.Status.REFUSED,
        last_error="Refused: 550 No such user",
    )
    NewStoryEmail.objects.create(story=story, subscriber=readers[1])
    with django_assert_max_num_queries(8):
        page = admin_client.get(EMAILS, {"status__exact": "refused"})
    assert [row.pk for row in page.context["cl"].result_list] == [refused.pk]
    assert "550 No such user" in page.content.decode()

    # The address was fixed: staff send it again, and only it goes out.
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            EMAILS,
            {"action": "send_again", ACTION_CHECKBOX_NAME: [refused.pk]},
            follow=True,
        )
    assert "Queued 1 email to be sent again." in response.content.decode()
    assert [m.to for m in mailoutbox] == [[readers[0].email]]
    refused.refresh_from_db()
    assert (refused.status, refused.attempts) == (NewStoryEmail.Status.SENT, 2)
