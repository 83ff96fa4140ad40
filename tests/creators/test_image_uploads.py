"""Every hostile image in the corpus, uploaded through the site's own forms: the avatar on the
settings page and the editor's image upload. Each is refused with a form error or stored
re-encoded and bare, decoding no more than the module's pixel limit, and none is ever a 500."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from core.images import process_upload
from tests.core.test_images import (
    CORPUS,
    DATA,
    PAYLOAD_MARKERS,
    assert_bounded_work,
    decoded_pixels,
)
from tests.creators.test_profile_settings import settings_data

pytestmark = pytest.mark.django_db

IDS = [str(path.relative_to(DATA)) for path in CORPUS]
# Decodes a request may make: the upload itself and the stored image once more for its
# display sizes (all of them made from that one decode).
AVATAR_DECODES = 2
EDITOR_DECODES = 2


@cache
def refused_by_the_image_module(path: Path) -> bool:
    try:
        process_upload(SimpleUploadedFile(path.name, path.read_bytes()))
    except ValidationError:
        return True
    return False


def assert_stored_clean(name: str, original: bytes) -> None:
    with default_storage.open(name, "rb") as stored:
        output = stored.read()
    image = Image.open(io.BytesIO(output))
    image.load()
    assert image.format in {"JPEG", "PNG"}
    assert len(image.getexif()) == 0
    for marker in PAYLOAD_MARKERS:
        if marker in original:
            assert marker not in output, marker


def post_counting_decodes(client: Client, url: str, data: dict) -> tuple[object, list[int]]:
    """The response, and the pixels of every image decoded while the request was served."""
    with decoded_pixels() as counts:
        response = client.post(url, data)
    return response, counts


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # A hundred logins' worth of personas: the fast hasher keeps the time for the images.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def as_alice(client: Client, alice) -> Client:
    client.force_login(alice)
    return client


@pytest.mark.parametrize("path", CORPUS, ids=IDS)
def test_as_an_avatar(path, as_alice, alice):
    original = path.read_bytes()
    upload = SimpleUploadedFile(path.name, original)

    response, counts = post_counting_decodes(as_alice, "/settings/", settings_data(avatar=upload))

    assert_bounded_work(counts, decodes=AVATAR_DECODES)
    alice.refresh_from_db()
    if refused_by_the_image_module(path):
        # The settings page again, the reason next to the field, nothing stored.
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="id_avatar_error"' in html and 'aria-invalid="true"' in html
        assert not alice.avatar
    else:
        assert response.status_code == 302
        assert alice.avatar.name.startswith("avatars/")
        assert_stored_clean(alice.avatar.name, original)


@pytest.mark.parametrize("path", CORPUS, ids=IDS)
def test_inside_a_story_through_the_editor(path, as_alice):
    original = path.read_bytes()
    upload = SimpleUploadedFile(path.name, original)

    response, counts = post_counting_decodes(as_alice, "/write/images/", {"image": upload})

    assert_bounded_work(counts, decodes=EDITOR_DECODES)
    answer = json.loads(response.content)
    if refused_by_the_image_module(path):
        # The editor shows this sentence under the image picker.
        assert response.status_code == 400
        assert answer["error"] and answer["error"].endswith(".")
    else:
        assert response.status_code == 201
        name = answer["url"].removeprefix("/media/")
        assert name.startswith("story-images/")
        assert_stored_clean(name, original)


def test_the_corpus_has_refusals_and_acceptances():
    # Both branches above are exercised: a corpus of only one kind would test half the promise.
    refused = [path for path in CORPUS if refused_by_the_image_module(path)]
    assert 20 < len(refused) < len(CORPUS)
