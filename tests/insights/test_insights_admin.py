"""Staff manage ratings and qualities: add, reword, reorder, retire; a used one is never deleted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insights.models import Insight, Quality, Rating
from tests.conftest import make_story, make_user
from tests.insights.insights_helpers import add_insight, default_choices, make_readers

pytestmark = pytest.mark.django_db


@pytest.fixture
def choices(db):
    return default_choices()


@pytest.fixture
def admin_client(client, db):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def used(choices, alice, bob, lifehack):
    story = make_story(creator=alice, community=lifehack, title="Tomatoes in winter")
    return add_insight(story, bob, choices.nice, choices.q("Eye opening"))


@pytest.mark.parametrize("model", ["rating", "quality", "insight"])
def test_every_list_loads_with_usage(admin_client, used, model):
    response = admin_client.get(reverse(f"admin:insights_{model}_changelist"))
    assert response.status_code == 200
    if model != "insight":
        assert "Used in insights" in response.content.decode()


def test_the_rating_list_shows_usage_counts(admin_client, used, choices):
    response = admin_client.get(reverse("admin:insights_rating_changelist"))
    rows = {r.name: r.usage for r in response.context["cl"].result_list}
    assert rows == {"Good Effort": 0, "Nice Work": 1, "Outstanding": 0}


def test_staff_add_and_reword_a_rating(admin_client, choices):
    response = admin_client.post(
        reverse("admin:insights_rating_add"),
        {"name": "Brilliant", "phrase": "Simply brilliant.", "position": 40, "is_active": "on"},
    )
    assert response.status_code == 302
    response = admin_client.post(
        reverse("admin:insights_rating_change", args=[choices.nice.pk]),
        {"name": "Nice Work", "phrase": "Lovely writing.", "position": 20, "is_active": "on"},
    )
    assert response.status_code == 302
    assert Rating.objects.get(pk=choices.nice.pk).phrase == "Lovely writing."
    assert Rating.objects.filter(name="Brilliant").exists()


def test_a_used_rating_or_quality_cannot_be_deleted(admin_client, used, choices):
    for model, obj in (("rating", choices.nice), ("quality", choices.q("Eye opening"))):
        change = admin_client.get(reverse(f"admin:insights_{model}_change", args=[obj.pk]))
        assert "deletelink" not in change.content.decode()
        response = admin_client.post(
            reverse(f"admin:insights_{model}_delete", args=[obj.pk]), {"post": "yes"}
        )
        assert response.status_code == 403
    # The bulk action refuses too, and names what is in the way.
    response = admin_client.post(
        reverse("admin:insights_quality_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [choices.q("Eye opening").pk],
            "post": "yes",
        },
    )
    assert response.status_code in (200, 403)
    assert Quality.objects.filter(pk=choices.q("Eye opening").pk).exists()
    assert Insight.objects.get().qualities.count() == 1
    assert Rating.objects.filter(pk=choices.nice.pk).exists()


def test_an_unused_choice_can_be_deleted(admin_client, used, choices):
    response = admin_client.post(
        reverse("admin:insights_quality_delete", args=[choices.q("Masterful proofreading").pk]),
        {"post": "yes"},
    )
    assert response.status_code == 302
    assert not Quality.objects.filter(name="Masterful proofreading").exists()


def test_retire_and_offer_again_from_the_list(admin_client, used, choices):
    url = reverse("admin:insights_rating_changelist")
    response = admin_client.post(
        url, {"action": "retire", "_selected_action": [choices.nice.pk]}, follow=True
    )
    assert "Retired 1 rating." in response.content.decode()
    assert not Rating.objects.get(pk=choices.nice.pk).is_active
    # The insight keeps its rating.
    assert Insight.objects.get().rating_id == choices.nice.pk
    response = admin_client.post(
        url, {"action": "offer_again", "_selected_action": [choices.nice.pk]}, follow=True
    )
    assert "1 rating offered again." in response.content.decode()
    assert Rating.objects.get(pk=choices.nice.pk).is_active


def test_insights_are_read_only_and_searchable(admin_client, used):
    url = reverse("admin:insights_insight_changelist")
    html = admin_client.get(url, {"q": "tomatoes"}).content.decode()
    assert "Tomatoes in winter" in html and "Eye opening" in html
    assert "Tomatoes" not in admin_client.get(url, {"q": "nothing-like-it"}).content.decode()
    assert admin_client.get(reverse("admin:insights_insight_add")).status_code == 403
    change = admin_client.get(reverse("admin:insights_insight_change", args=[used.pk]))
    assert change.status_code == 200 and 'name="rating"' not in change.content.decode()
    filtered = admin_client.get(url, {"rating__id__exact": used.rating_id})
    assert filtered.status_code == 200 and len(filtered.context["cl"].result_list) == 1


def test_the_insight_list_queries_do_not_grow(
    admin_client, choices, alice, lifehack, django_assert_max_num_queries
):
    story = make_story(creator=alice, community=lifehack)
    for reader in make_readers(30):
        add_insight(story, reader, choices.nice, choices.q("Eye opening"))
    with django_assert_max_num_queries(12):
        admin_client.get(reverse("admin:insights_insight_changelist"))
