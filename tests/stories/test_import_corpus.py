"""The hostile-input corpora through an import: bodies come out safe, images re-encoded or
left out with a note, and never a crash (tests/data, see the ATTRIBUTION files there)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from core.sanitizer import image_sources
from stories.models import Story, StoryImport
from tests.core.test_sanitizer import PAYLOADS, assert_safe
from tests.stories.import_archives import ghost_json, upload, zip_of

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

IMAGES = Path(__file__).resolve().parent.parent / "data" / "images"
PER_POST = 100


@pytest.fixture
def do_import(client, alice, lifehack, django_capture_on_commit_callbacks):
    client.force_login(alice)

    def go(data: bytes, name: str) -> StoryImport:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("stories:import"), {"archive": upload(data, name), "community": lifehack.pk}
            )
        assert response.status_code == 302, response.content.decode()[:1000]
        return StoryImport.objects.latest("pk")

    return go


def test_every_xss_payload_comes_out_safe(do_import, settings):
    # Payloads name images on hosts all over the internet: nothing is fetched here.
    settings.IMPORT_REMOTE_IMAGES_MAX = 0
    chunks = [PAYLOADS[i : i + PER_POST] for i in range(0, len(PAYLOADS), PER_POST)]
    posts = [
        {"id": str(n), "title": f"Payloads {n}", "html": "<p>·</p>".join(chunk), "status": "draft"}
        for n, chunk in enumerate(chunks)
    ]
    story_import = do_import(ghost_json(posts), "ghost.json")
    assert story_import.status == StoryImport.Status.DONE
    assert Story.objects.count() == len(chunks)
    for story in Story.objects.all():
        assert_safe(story.body)
    assert any("script" in " ".join(line["dropped"]) for line in story_import.report)


def test_hostile_images_in_an_archive_are_reencoded_or_left_out(do_import):
    files = sorted(path for path in IMAGES.glob("*/*") if path.is_file() and path.suffix != ".md")
    files = [path for path in files if path.parent.name in {"generated", "patt"}]
    names = [f"{path.parent.name}-{path.name}" for path in files]
    body = "\n\n".join(f"![{name}](../images/{name})" for name in names)
    document = f'---\ntitle: "Pictures"\nhero_image: "../images/generated-ok.png"\n---\n{body}\n'
    archive = zip_of(
        {
            "stories/pictures.md": document,
            **{
                f"images/{name}": path.read_bytes() for name, path in zip(names, files, strict=True)
            },
        }
    )
    story_import = do_import(archive, "export.zip")
    story = Story.objects.get(title="Pictures")
    stored = list(image_sources(story.body))
    notes = story_import.report[0]["notes"]
    assert len(stored) + len(notes) == len(names)
    assert 0 < len(stored) < len(names)
    for src in stored:
        with default_storage.open(src[len(default_storage.url("")) :], "rb") as f:
            data = f.read()
        with Image.open(io.BytesIO(data)) as image:
            assert image.format in {"JPEG", "PNG"}
            assert not set(image.info) & {"exif", "xmp", "comment", "icc_profile", "text"}
            assert b"<script" not in data.lower()
    assert story.hero_image
    assert json.dumps(notes)  # the report is plain data
