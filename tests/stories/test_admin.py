"""The admin as the moderators' tool: every list loads, search finds, uploads are checked."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stories.models import Story
from tests.conftest import make_story, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    from tests.conftest import make_user

    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "model",
    [
        "creators_user",
        "creators_sociallink",
        "stories_community",
        "stories_story",
        "stories_storytransition",
        "flatpages_flatpage",
    ],
)
def test_every_admin_list_and_add_page_loads(admin_client, alice, lifehack, model):
    make_story(creator=alice, community=lifehack, tags=["health"])
    assert admin_client.get(reverse(f"admin:{model}_changelist")).status_code == 200
    if model != "stories_storytransition":
        assert admin_client.get(reverse(f"admin:{model}_add")).status_code == 200


def test_story_search_finds_by_title_creator_and_tag(admin_client, alice, bob, lifehack):
    make_story(creator=alice, community=lifehack, title="Tomatoes", tags=["garden"])
    make_story(creator=bob, community=lifehack, title="Bicycles")
    url = reverse("admin:stories_story_changelist")
    for query in ("tomat", "Alice Walker", "garden"):
        html = admin_client.get(url, {"q": query}).content.decode()
        assert "Tomatoes" in html and "Bicycles" not in html, query


def test_story_list_queries_do_not_grow(
    admin_client, alice, lifehack, django_assert_max_num_queries
):
    for _ in range(30):
        make_story(creator=alice, community=lifehack)
    with django_assert_max_num_queries(12):
        admin_client.get(reverse("admin:stories_story_changelist"))


def story_form(alice, lifehack, **extra) -> dict:
    return {
        "title": "From the admin",
        "subtitle": "",
        "slug": "",
        "creator": alice.pk,
        "community": lifehack.pk,
        "tags": "health",
        "hero_caption": "A caption",
        "hero_alt": "An orange square",
        "body": "<p>Body <script>x()</script></p>",
        "transitions-TOTAL_FORMS": "0",
        "transitions-INITIAL_FORMS": "0",
        **extra,
    }


def test_a_hero_image_that_is_not_an_image_is_refused_with_a_form_error(
    admin_client, alice, lifehack
):
    fake = SimpleUploadedFile("photo.jpg", b"this is not an image", content_type="image/jpeg")
    response = admin_client.post(
        reverse("admin:stories_story_add"), story_form(alice, lifehack, hero_image=fake)
    )
    assert response.status_code == 200  # the form again, not a redirect and not a 500
    errors = response.context["adminform"].form.errors
    assert "hero_image" in errors
    assert not Story.objects.exists()
    html = response.content.decode()
    assert 'value="From the admin"' in html and "An orange square" in html  # nothing lost


def test_a_real_hero_image_is_stored_re_encoded(admin_client, alice, lifehack):
    upload = SimpleUploadedFile("hero.png", png_bytes((800, 450)), content_type="image/png")
    response = admin_client.post(
        reverse("admin:stories_story_add"), story_form(alice, lifehack, hero_image=upload)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    story = Story.objects.get()
    assert story.hero_image and (story.hero_width, story.hero_height) == (800, 450)
    assert story.body == "<p>Body </p>"
    assert story.status == Story.Status.DRAFT
    assert list(story.tags.names()) == ["health"]


def test_publish_action_publishes_submitted_stories_and_reports(admin_client, alice, lifehack):
    submitted = make_story(creator=alice, community=lifehack, status=Story.Status.SUBMITTED)
    draft = make_story(creator=alice, community=lifehack, status=Story.Status.DRAFT)
    response = admin_client.post(
        reverse("admin:stories_story_changelist"),
        {"action": "publish", "_selected_action": [submitted.pk, draft.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert "Published 1 story." in messages
    assert any("cannot become" in m for m in messages)
    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert submitted.status == Story.Status.PUBLISHED
    assert submitted.transitions.get().actor.username == "root"
    assert draft.status == Story.Status.DRAFT
