"""Keyset pages of rows by (published_at, id), newest first: a deep page costs what the first does.

Written for Explore's published stories, but it knows only the two fields it orders by: a
moment (`field`, published_at unless told otherwise: the library orders saves by when they were
saved) and the id.

A page is named by the story it follows or precedes, in an opaque token (`?after=` for older
stories, `?before=` for newer), never by an offset, so the database reads the index from that
story on instead of counting its way past every story before it, and a story published while
a reader pages neither repeats one nor skips one. Stories are ordered by published_at, newest
first, then by id, so stories published at the same moment still have one order. The id goes
up where the date goes down because that is the order of the (status, -published_at) index's
entries in SQLite, whose rows end with their id: the database reads the index in order and
stops after one page, where the other direction made SQLite sort every older story first.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Model, Q, QuerySet

# Ids are 64-bit in the database; a larger number in a token would be an error there.
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Cursor:
    published_at: datetime
    pk: int


def encode(story: Model, field: str = "published_at") -> str:
    raw = f"{getattr(story, field).isoformat()}|{story.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(token: str | None) -> Cursor | None:
    """The position a token names, or None for anything that is not one of ours."""
    if not token or len(token) > 100:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        when, pk = raw.split("|")
        published_at = datetime.fromisoformat(when)
        number = int(pk)
        if published_at.tzinfo is None or not 0 < number <= MAX_ID:
            return None
        # The database compares in UTC: a date at the edge of the calendar (year 1 east of
        # Greenwich, 9999 west of it) has no UTC time.
        published_at = published_at.astimezone(UTC)
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        return None
    return Cursor(published_at, number)


@dataclass
class KeysetPage:
    object_list: list[Model]
    # Tokens for the neighbouring pages, "" where there is none.
    older: str = ""
    newer: str = ""

    @property
    def has_other_pages(self) -> bool:
        return bool(self.older or self.newer)


# Newest first; see the module's docstring for why the id goes up.
ORDER = ("-published_at", "pk")


def _older_than(cursor: Cursor, field: str) -> Q:
    # The first condition alone can use the (status, published_at) index as a range.
    when = cursor.published_at
    return Q(**{f"{field}__lte": when}) & (Q(**{f"{field}__lt": when}) | Q(pk__gt=cursor.pk))


def _newer_than(cursor: Cursor, field: str) -> Q:
    when = cursor.published_at
    return Q(**{f"{field}__gte": when}) & (Q(**{f"{field}__gt": when}) | Q(pk__lt=cursor.pk))


def keyset_page(
    stories: QuerySet,
    *,
    per_page: int,
    after: str | None = None,
    before: str | None = None,
    field: str = "published_at",
) -> KeysetPage:
    """One page of published `stories`, newest first, in one query (and its prefetches).

    `after` gives the stories older than the one it names, `before` the ones newer; a malformed
    token gives the first page, and so does `before` near the top, where the first page is
    what the reader is looking for. `field` is the moment rows are ordered by.
    """
    newest_first = stories.order_by(f"-{field}", "pk")
    older_cursor, newer_cursor = decode(after), decode(before)
    if older_cursor is not None:
        rows = list(newest_first.filter(_older_than(older_cursor, field))[: per_page + 1])
        has_older = len(rows) > per_page
        rows = rows[:per_page]
        return KeysetPage(
            object_list=rows,
            older=encode(rows[-1], field) if has_older else "",
            # Past the end there is still a way back: the stories newer than the token's.
            newer=encode(rows[0], field) if rows else after,
        )
    if newer_cursor is not None:
        oldest_first = stories.filter(_newer_than(newer_cursor, field)).order_by(field, "-pk")
        rows = list(oldest_first[: per_page + 1])
        if len(rows) > per_page:
            rows = list(reversed(rows[:per_page]))
            return KeysetPage(
                object_list=rows, older=encode(rows[-1], field), newer=encode(rows[0], field)
            )
    rows = list(newest_first[: per_page + 1])
    older = encode(rows[per_page - 1], field) if len(rows) > per_page else ""
    return KeysetPage(object_list=rows[:per_page], older=older)
