"""Likes and saves in the admin: moderators look them up; a like may be deleted (the count
follows, the deletion is logged with who did it); nothing is added or edited by staff."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.urls import reverse

from reactions import services
from reactions.models import Like, SavedStory
from stories.models import Story
from tests.conftest import make_story, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def story(alice, lifehack) -> Story:
    return make_story(creator=alice, community=lifehack, title="Tomatoes in August")


@pytest.mark.parametrize("model", ["like", "savedstory"])
def test_the_lists_load_and_search(admin_client, bob, story, model, django_assert_max_num_queries):
    for reader in (bob, *(make_user() for _ in range(15))):
        services.like_add(story=story, reader=reader)
        services.save_add(story=story, reader=reader)
    url = reverse(f"admin:reactions_{model}_changelist")
    # the story and reader come with each row (list_select_related): no query per row
    with django_assert_max_num_queries(12):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 16
    response = admin_client.get(url, {"q": "Bob"})
    assert [row.reader for row in response.context["cl"].result_list] == [bob]


@pytest.mark.parametrize("model", ["like", "savedstory"])
def test_nothing_is_added_or_edited(admin_client, bob, story, model):
    services.like_add(story=story, reader=bob)
    services.save_add(story=story, reader=bob)
    row = (Like if model == "like" else SavedStory).objects.get()
    assert admin_client.get(reverse(f"admin:reactions_{model}_add")).status_code == 403
    change = reverse(f"admin:reactions_{model}_change", args=[row.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    admin_client.post(change, {"story": "", "reader": ""})
    row.refresh_from_db()
    assert row.reader == bob and row.story == story


def test_a_moderator_deletes_a_like_and_the_count_follows(admin_client, staff, bob, story):
    services.like_add(story=story, reader=bob)
    like = Like.objects.get()
    response = admin_client.post(
        reverse("admin:reactions_like_delete", args=[like.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Like.objects.exists()
    assert Story.objects.get(pk=story.pk).like_count == 0
    entry = LogEntry.objects.get(action_flag=DELETION)
    assert entry.user == staff and "Bob Reader likes Tomatoes in August" in entry.object_repr


def test_saves_are_not_deleted_by_staff(admin_client, bob, story):
    services.save_add(story=story, reader=bob)
    saved = SavedStory.objects.get()
    response = admin_client.post(
        reverse("admin:reactions_savedstory_delete", args=[saved.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert SavedStory.objects.exists()


def test_staff_without_the_superuser_flag_need_the_view_permission(client, bob, story):
    client.force_login(make_user("mod", is_staff=True))
    assert client.get(reverse("admin:reactions_like_changelist")).status_code == 403


def test_the_story_admin_shows_the_like_count_read_only(admin_client, bob, story):
    services.like_add(story=story, reader=bob)
    listing = admin_client.get(reverse("admin:stories_story_changelist"))
    assert "Like count" in listing.content.decode()
    assert [s.like_count for s in listing.context["cl"].result_list] == [1]
    change = admin_client.get(reverse("admin:stories_story_change", args=[story.pk]))
    assert "like_count" not in change.context["adminform"].form.fields
