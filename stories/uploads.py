"""Images uploaded for inside a story's body: where they are kept, and deleting the unused.

The editor stores an image as soon as it is chosen (stories.editor_views.image_upload), before
any story names it, and many are never used: tried, replaced, or sent by a script. Nothing
records them but the storage itself, so `delete_unused_uploads` walks UPLOAD_FOLDER and
deletes every file older than KEEP_UNUSED that no story body and no pending edit names; the
card sizes made from a body image (stories/body_images.py) stay as long as it does. Run it
daily: `manage.py delete_unused_uploads` from cron, or queue the job. Running it twice, or
twice at once, deletes nothing twice and nothing used.
"""

from __future__ import annotations

import logging
import posixpath
import uuid
from collections.abc import Iterator
from datetime import timedelta

from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from core.jobs import job
from stories.body_images import UPLOAD_FOLDER, make_body_sizes, original_of
from stories.models import Story, StoryEdit

logger = logging.getLogger(__name__)

# Long enough for an image chosen in the editor to be saved into the story it was chosen for.
KEEP_UNUSED = timedelta(days=1)


def upload_save(*, user_id: int, image: File, suffix: str) -> str:
    """Store a processed body image under UPLOAD_FOLDER, with its WebP copies; returns its
    storage name."""
    now = timezone.now()
    name = f"{UPLOAD_FOLDER}/{now:%Y/%m}/{user_id}-{uuid.uuid4().hex}{suffix}"
    name = default_storage.save(name, image)
    # The story page offers these before the upload itself (body_images.with_webp_sources).
    make_body_sizes(name)
    return name


def _files(storage: Storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield posixpath.join(folder, name)
    for sub in folders:
        yield from _files(storage, posixpath.join(folder, sub))


def _is_used(name: str) -> bool:
    # A card size or WebP copy ("<stem>-400w.jpg", "<stem>.webp") is used while the image it
    # was made from is: the body names that by its stem, random hex, plus its own extension.
    original = original_of(name) or name
    return _is_named(name) or _is_named(posixpath.splitext(original)[0])


def _is_named(name: str) -> bool:
    # The body holds the image's URL, which ends with its storage name; the name carries a
    # random hex part, so it names no other file.
    return (
        Story.objects.filter(body__contains=name).exists()
        or StoryEdit.objects.filter(body__contains=name).exists()
    )


def unused_uploads_delete(*, storage: Storage | None = None, keep: timedelta = KEEP_UNUSED) -> int:
    """Delete body images older than ``keep`` that no story uses; returns how many."""
    storage = storage or default_storage
    cutoff = timezone.now() - keep
    deleted = 0
    for name in _files(storage, UPLOAD_FOLDER):
        try:
            if storage.get_modified_time(name) > cutoff:
                continue
        except FileNotFoundError:  # deleted meanwhile, by another run
            continue
        if _is_used(name):
            continue
        storage.delete(name)
        deleted += 1
    if deleted:
        logger.info("Deleted %d unused story images", deleted)
    return deleted


@job
def delete_unused_uploads() -> int:
    return unused_uploads_delete()
