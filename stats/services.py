"""Recording reads."""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from stats.models import Read
from stories.models import Story


def reader_key_for(*, user=None, browser_id: str = "", address: str = "", agent: str = "") -> str:
    """Who is reading, as a key that names no one: the user's id, or a hash for a browser."""
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    source = f"id:{browser_id}" if browser_id else f"addr:{address}|{agent}"
    return "b" + hashlib.sha256(source.encode()).hexdigest()[:40]


def read_record(*, story: Story, reader_key: str, user=None) -> bool:
    """Count one read of a public story; False when it is not counted.

    Not counted: the creator reading their own story, a story that is not public, and a second
    read by the same reader on the same day.
    """
    if not story.is_public:
        return False
    if user is not None and user.is_authenticated and user.pk == story.creator_id:
        return False
    try:
        with transaction.atomic():
            Read.objects.create(
                story=story,
                reader_key=reader_key,
                reader=user if user is not None and user.is_authenticated else None,
                day=timezone.localdate(),
            )
            Story.objects.filter(pk=story.pk).update(read_count=F("read_count") + 1)
    except IntegrityError:
        return False
    return True
