"""Suspending and reactivating accounts from the admin, and what suspension does end to end."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from creators.models import User
from tests.conftest import make_story, make_user

pytestmark = pytest.mark.django_db

USERS = reverse("admin:creators_user_changelist")
PASSWORD = "pw-for-tests-only"  # what tests.conftest.make_user sets


@pytest.fixture
def moderator(sam) -> User:
    """Sam, staff, allowed to change accounts: no superuser powers."""
    sam.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    return User.objects.get(pk=sam.pk)


@pytest.fixture
def staff_client(client, moderator):
    client.force_login(moderator)
    return client


def act(client, action: str, users):
    data = {"action": action, "_selected_action": [u.pk for u in users], "index": 0}
    return client.post(USERS, data, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_suspending_takes_the_account_and_its_stories_off_the_site(
    staff_client, moderator, bob, lifehack
):
    story = make_story(creator=bob, community=lifehack, title="Bob’s bicycles", tags=["bikes"])
    reader, bobs_browser = Client(), Client()
    assert bobs_browser.login(username="bob", password=PASSWORD)
    assert reader.get(story.get_absolute_url()).status_code == 200
    pages = ("/", "/explore/", f"/{lifehack.slug}/", f"/{lifehack.slug}/tag/bikes/")
    for page in pages:  # listed everywhere before, so its absence below means something
        assert "Bob’s bicycles" in reader.get(page).content.decode(), page

    response = act(staff_client, "suspend", [bob])

    assert "Suspended 1 account." in messages_of(response)
    bob.refresh_from_db()
    assert not bob.is_active
    entry = LogEntry.objects.get(object_id=str(bob.pk))
    assert (entry.user, entry.action_flag) == (moderator, CHANGE)
    assert entry.get_change_message() == "Suspended the account."
    # The story leaves every public page.
    assert reader.get(story.get_absolute_url()).status_code == 404
    for page in pages:
        assert "Bob’s bicycles" not in reader.get(page).content.decode(), page
    assert reader.get("/authors/bob/").status_code == 404
    # Bob cannot log in, and the session he already had no longer counts.
    assert not Client().login(username="bob", password=PASSWORD)
    assert not bobs_browser.get("/explore/").wsgi_request.user.is_authenticated
    assert bobs_browser.get(reverse("stories:dashboard")).status_code == 302


def test_reactivating_brings_the_account_and_its_stories_back(
    staff_client, moderator, bob, lifehack
):
    story = make_story(creator=bob, community=lifehack, title="Bob’s bicycles")
    bob.is_active = False
    bob.save()

    response = act(staff_client, "reactivate", [bob])

    assert "Reactivated 1 account." in messages_of(response)
    bob.refresh_from_db()
    assert bob.is_active
    assert LogEntry.objects.get(object_id=str(bob.pk)).user == moderator
    assert Client().get(story.get_absolute_url()).status_code == 200
    assert "Bob’s bicycles" in Client().get("/explore/").content.decode()
    assert Client().login(username="bob", password=PASSWORD)


def test_suspend_refuses_yourself_and_superusers_and_says_why(staff_client, moderator, alice, bob):
    root = make_user("root", is_staff=True, is_superuser=True)

    response = act(staff_client, "suspend", [moderator, root, alice, bob])

    messages = messages_of(response)
    assert "Suspended 2 accounts." in messages
    assert "You cannot suspend your own account." in messages
    assert any(m.startswith("“root” is a superuser") for m in messages)
    assert set(User.objects.filter(is_active=True)) == {moderator, root}
    assert not LogEntry.objects.filter(object_id__in=[str(moderator.pk), str(root.pk)])


def test_suspend_and_reactivate_count_what_was_already_so(staff_client, alice, bob):
    bob.is_active = False
    bob.save()
    messages = messages_of(act(staff_client, "suspend", [alice, bob]))
    assert "Suspended 1 account." in messages and "1 account already suspended." in messages
    messages = messages_of(act(staff_client, "reactivate", [alice, bob]))
    assert "Reactivated 2 accounts." in messages
    messages = messages_of(act(staff_client, "reactivate", [alice]))
    assert messages == ["1 account already active."]


@pytest.mark.parametrize("action", ["suspend", "reactivate"])
def test_account_actions_are_for_staff_who_may_change_accounts(client, alice, action):
    if action == "reactivate":
        alice.is_active = False
        alice.save()
    data = {"action": action, "_selected_action": [alice.pk], "index": 0}
    for user in (None, make_user("reader")):
        if user:
            client.force_login(user)
        response = client.post(USERS, data)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    client.force_login(make_user("intern", is_staff=True))  # staff, no account permissions
    assert client.post(USERS, data).status_code == 403
    viewer = make_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(viewer)
    response = client.post(USERS, data)
    assert response.status_code == 200 and response.context["action_form"] is None
    alice.refresh_from_db()
    assert alice.is_active == (action == "suspend")
    assert not LogEntry.objects.exists()
