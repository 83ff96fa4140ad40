"""Image uploads are counted per account: a dozen in a row meets a 429 that says why, before
the image is decoded; the editor's form keeps what was typed."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ImageFile

from stories.models import Story
from tests.conftest import make_story, png_bytes
from tests.creators.test_profile_settings import settings_data

# The limiter's time stands still (tests/conftest.py's clock): a dozen tries share one window.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

JSON = {"HTTP_ACCEPT": "application/json"}


def image(name: str = "pic.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes((40, 30)), content_type="image/png")


def stored_images() -> int:
    """The uploads in story-images, not counting the WebP copies each one gets."""
    folders, files = (
        default_storage.listdir("story-images")
        if default_storage.exists("story-images")
        else ([], [])
    )
    names = list(files)
    for year in folders:
        for month in default_storage.listdir(f"story-images/{year}")[0]:
            names += default_storage.listdir(f"story-images/{year}/{month}")[1]
    return sum(1 for name in names if not name.endswith(".webp"))


def test_a_dozen_body_images_in_a_row_meet_a_429_that_says_why(client, alice, monkeypatch):
    client.force_login(alice)
    answers = [client.post("/write/images/", {"image": image()}, **JSON) for _ in range(12)]
    assert [a.status_code for a in answers] == [201] * 10 + [429] * 2
    refused = answers[-1]
    assert refused["Content-Type"] == "application/json"
    assert refused.json()["error"] == (
        "You’re uploading images faster than we allow; please try again in a minute."
    )
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert stored_images() == 10

    # Refused before any decoding: a refused upload costs no CPU.
    def no_decoding(self):
        raise AssertionError("decoded a refused upload")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    assert client.post("/write/images/", {"image": image()}, **JSON).status_code == 429


def test_the_next_minute_lets_them_upload_again(client, alice, clock):
    client.force_login(alice)
    for _ in range(10):
        client.post("/write/images/", {"image": image()}, **JSON)
    assert client.post("/write/images/", {"image": image()}, **JSON).status_code == 429
    clock[0] += 60
    assert client.post("/write/images/", {"image": image()}, **JSON).status_code == 201


def test_another_account_is_not_held_back(client, alice, bob):
    client.force_login(alice)
    for _ in range(11):
        client.post("/write/images/", {"image": image()}, **JSON)
    client.force_login(bob)
    assert client.post("/write/images/", {"image": image()}, **JSON).status_code == 201


def test_hero_images_count_too_and_the_editor_keeps_what_was_typed(client, alice, lifehack):
    client.force_login(alice)
    story = make_story(creator=alice, community=lifehack, status=Story.Status.DRAFT)
    for _ in range(10):
        client.post("/write/images/", {"image": image()}, **JSON)
    data = {
        "title": "Typed but not lost",
        "community": lifehack.pk,
        "tags": "",
        "hero_caption": "",
        "hero_alt": "A hero",
        "body": "<p>Words I typed.</p>",
        "action": "save",
        "hero_image": image("hero.png"),
    }
    response = client.post(f"/write/{story.pk}/", data)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    page = response.content.decode()
    assert "uploading images faster than we allow" in page
    assert 'value="Typed but not lost"' in page and "Words I typed." in page
    story.refresh_from_db()
    assert story.title != "Typed but not lost" and not story.hero_image


def test_avatars_count_too_and_the_settings_form_keeps_what_was_typed(client, alice):
    client.force_login(alice)
    for _ in range(10):
        client.post("/write/images/", {"image": image()}, **JSON)
    data = settings_data(display_name="Alice Typed", avatar=image("me.png"))
    response = client.post("/settings/", data)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    page = response.content.decode()
    assert "uploading images faster than we allow" in page
    assert 'value="Alice Typed"' in page
    alice.refresh_from_db()
    assert alice.display_name == "Alice Walker" and not alice.avatar
