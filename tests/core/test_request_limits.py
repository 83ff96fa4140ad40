"""Posts over the size limits: a 413 that says the limit, JSON for the editor's scripts and
the page with its form for everything else; nothing is saved."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test import Client

from stories.models import Story
from tests.conftest import make_story

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}  # what static/js/editor.js sends


@pytest.fixture(autouse=True)
def _small_limits(settings):
    # Small limits keep the test bodies small; the handling is the same at any size.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    settings.BYLINE_REQUEST_MAX_BYTES = 60_000


@pytest.fixture
def draft(alice, lifehack) -> Story:
    return make_story(
        creator=alice, community=lifehack, status=Story.Status.DRAFT, title="Kept", body="<p>x</p>"
    )


def editor_data(story: Story, body: str) -> dict:
    return {
        "title": "Changed",
        "community": story.community.pk,
        "tags": "",
        "hero_caption": "",
        "hero_alt": "",
        "body": body,
        "action": "save",
    }


def unchanged(story: Story) -> bool:
    fresh = Story.objects.get(pk=story.pk)
    return (fresh.title, fresh.body) == ("Kept", "<p>x</p>")


def test_an_oversized_autosave_gets_a_413_in_json_that_says_the_limit(client, alice, draft):
    client.force_login(alice)
    big = "<p>" + "w" * 30_000 + "</p>"
    response = client.post(f"/write/{draft.pk}/autosave/", editor_data(draft, big), **JSON)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    result = response.json()
    assert result["saved"] is False
    message = result["errors"]["__all__"][0]
    assert filesizeformat(20_000) in message and result["error"] == message
    assert unchanged(draft)


def test_an_oversized_editor_post_shows_the_editor_again_with_the_error(client, alice, draft):
    client.force_login(alice)
    big = "<p>" + "w" * 30_000 + "</p>"
    response = client.post(f"/write/{draft.pk}/", editor_data(draft, big))
    assert response.status_code == 413
    page = response.content.decode()
    assert 'id="story-form"' in page  # the form, with what was saved before
    assert 'value="Kept"' in page
    assert filesizeformat(20_000) in page and "Nothing was saved" in page
    assert "no-store" in response["Cache-Control"]
    assert unchanged(draft)
    # The error was shown once and is not left waiting for the next page.
    assert "Nothing was saved" not in client.get(f"/write/{draft.pk}/").content.decode()


def test_an_oversized_upload_is_refused_before_it_is_read(client, alice):
    client.force_login(alice)
    upload = SimpleUploadedFile("big.png", b"\x89PNG" + b"\0" * 70_000, content_type="image/png")
    response = client.post("/write/images/", {"image": upload}, **JSON)
    assert response.status_code == 413
    assert filesizeformat(60_000) in response.json()["error"]


def test_an_oversized_post_with_no_form_to_show_gets_a_413_page(alice, draft):
    # Submit has no GET page to show again. Its view reads no field: the CSRF check is what
    # reads the body, as on the real site, so the test client must run it.
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get(f"/write/{draft.pk}/")
    token = client.cookies["csrftoken"].value
    data = {"csrfmiddlewaretoken": token, "x": "y" * 30_000}
    response = client.post(f"/write/{draft.pk}/submit/", data)
    assert response.status_code == 413
    page = response.content.decode()
    assert filesizeformat(20_000) in page and "Nothing was saved" in page
    assert Story.objects.get(pk=draft.pk).status == Story.Status.DRAFT


def test_an_oversized_post_to_someone_elses_story_is_a_413_page_not_their_editor(
    bob, draft, caplog
):
    client = Client(enforce_csrf_checks=True)  # the CSRF check reads the body first
    client.force_login(bob)
    client.get("/write/")
    data = editor_data(draft, "<p>" + "w" * 30_000)
    data["csrfmiddlewaretoken"] = client.cookies["csrftoken"].value
    response = client.post(f"/write/{draft.pk}/", data)
    assert response.status_code == 413
    assert 'id="story-form"' not in response.content.decode()
    assert not [r for r in caplog.records if r.name == "core.request_limits"]
    assert unchanged(draft)


def test_too_many_fields_is_a_413_too(client, alice, draft, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    client.force_login(alice)
    data = {**editor_data(draft, "<p>y</p>"), **{f"f{i}": "1" for i in range(60)}}
    response = client.post(f"/write/{draft.pk}/autosave/", data, **JSON)
    assert response.status_code == 413
    assert "50" in response.json()["error"]
    assert unchanged(draft)


def test_other_bad_requests_are_still_400(client):
    # A Host header Django refuses is a SuspiciousOperation too, but not about size.
    response = client.get("/", HTTP_HOST="bad host")
    assert response.status_code == 400
