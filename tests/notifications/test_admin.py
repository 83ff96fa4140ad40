"""Notifications in the admin: staff list and search them in a constant number of queries,
cannot make or edit one, and deleting some recounts the readers' bells."""

from __future__ import annotations

import pytest

from notifications import services
from notifications.models import Kind, Notification
from tests.conftest import make_story, make_user
from tests.notifications.conftest import unread

pytestmark = pytest.mark.django_db

URL = "/admin/notifications/notification/"


@pytest.fixture
def staff_client(client):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


def test_the_list_and_a_search(staff_client, alice, lifehack, django_assert_max_num_queries):
    story = make_story(creator=alice, community=lifehack, title="Tomatoes")
    for i in range(20):
        services.notify_grouped(
            kind=Kind.LIKES, recipient=alice, story=story, actor=make_user(f"fan{i}")
        )
        services.notify(
            kind=Kind.SUBSCRIBER, recipient=alice, key=f"subscriber:{i}", actor=make_user(f"s{i}")
        )
    with django_assert_max_num_queries(12):
        page = staff_client.get(URL)
    assert page.status_code == 200 and "20 people liked" in page.content.decode()
    assert staff_client.get(URL, {"q": "Tomatoes"}).status_code == 200
    assert staff_client.get(URL + "add/").status_code == 403
    one = Notification.objects.filter(kind=Kind.SUBSCRIBER).first()
    assert staff_client.get(f"{URL}{one.pk}/change/").status_code == 200  # read-only view


def test_deleting_recounts_the_bell(staff_client, alice, bob):
    for i in range(3):
        services.notify(kind=Kind.SUBSCRIBER, recipient=alice, key=f"subscriber:{i}", actor=bob)
    assert unread(alice) == 3
    ids = list(Notification.objects.values_list("pk", flat=True)[:2])
    response = staff_client.post(
        URL, {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert response.status_code == 302
    assert unread(alice) == 1
    last = Notification.objects.get()
    staff_client.post(f"{URL}{last.pk}/delete/", {"post": "yes"})
    assert unread(alice) == 0
