"""Body images nobody's story uses are deleted a day after upload, by a job safe to run twice."""

from __future__ import annotations

import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from core import jobs
from stories.models import Story, StoryEdit
from stories.uploads import delete_unused_uploads
from tests.conftest import make_story, png_bytes

pytestmark = pytest.mark.django_db

DAY = 24 * 60 * 60


def stored(name: str, *, age_seconds: float) -> str:
    name = default_storage.save(name, ContentFile(png_bytes((20, 20))))
    moment = time.time() - age_seconds
    os.utime(default_storage.path(name), (moment, moment))
    return name


def img(name: str) -> str:
    return f'<p><img src="{default_storage.url(name)}" alt="x"></p>'


@pytest.fixture
def uploads(alice, lifehack):
    """Two days old: one in a story, one in a pending edit, one nowhere; and one fresh."""
    in_story = stored("story-images/2026/10/1-aaaa.jpg", age_seconds=2 * DAY)
    in_edit = stored("story-images/2026/10/1-bbbb.jpg", age_seconds=2 * DAY)
    unused = stored("story-images/2026/10/1-cccc.jpg", age_seconds=2 * DAY)
    unused_other_month = stored("story-images/2026/09/1-dddd.png", age_seconds=40 * DAY)
    fresh = stored("story-images/2026/12/1-eeee.jpg", age_seconds=DAY - 600)
    hero = stored("heroes/2026/10/not-a-body-image.png", age_seconds=2 * DAY)
    make_story(creator=alice, community=lifehack, body=img(in_story))
    published = make_story(creator=alice, community=lifehack, title="Edited")
    StoryEdit.objects.create(
        story=published,
        community=lifehack,
        title="Edited",
        body=img(in_edit),
    )
    return {
        "kept": [in_story, in_edit, fresh, hero],
        "deleted": [unused, unused_other_month],
    }


def exists(names: list[str]) -> list[bool]:
    return [default_storage.exists(name) for name in names]


def test_the_job_deletes_what_no_story_uses_after_a_day_and_is_safe_twice(uploads):
    assert delete_unused_uploads.call() == 2
    assert exists(uploads["deleted"]) == [False, False]
    assert exists(uploads["kept"]) == [True] * 4
    # Again: nothing left to delete, nothing else touched, no error.
    assert delete_unused_uploads.call() == 0
    assert exists(uploads["kept"]) == [True] * 4
    assert Story.objects.count() == 2


def test_the_job_can_be_queued(uploads, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue(delete_unused_uploads)
    assert exists(uploads["deleted"]) == [False, False]


def test_the_daily_command_runs_it_and_says_how_many(uploads):
    out = io.StringIO()
    call_command("delete_unused_uploads", stdout=out)
    assert "Deleted 2 unused images" in out.getvalue()
    call_command("delete_unused_uploads", stdout=out)
    assert "Deleted 0 unused images" in out.getvalue()
    assert exists(uploads["kept"]) == [True] * 4


def test_nothing_uploaded_yet_is_not_an_error(db):
    assert delete_unused_uploads.call() == 0


def test_an_upload_from_the_editor_is_kept_once_a_story_uses_it(client, alice, lifehack):
    client.force_login(alice)
    png = ContentFile(png_bytes((40, 30)), name="pic.png")
    url = client.post("/write/images/", {"image": png}).json()["url"]
    name = url.removeprefix(default_storage.base_url)
    moment = time.time() - 2 * DAY
    os.utime(default_storage.path(name), (moment, moment))
    make_story(creator=alice, community=lifehack, body=f'<p><img src="{url}" alt="x"></p>')
    assert delete_unused_uploads.call() == 0
    assert default_storage.exists(name)
