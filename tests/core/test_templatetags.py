"""Relative dates read the way the seed page reads: "Published about a year ago"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.templatetags.byline import relative_time

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ago", "words"),
    [
        (timedelta(seconds=10), "just now"),
        (timedelta(minutes=1), "a minute ago"),
        (timedelta(minutes=5), "5 minutes ago"),
        (timedelta(hours=1), "about an hour ago"),
        (timedelta(hours=5), "about 5 hours ago"),
        (timedelta(days=1), "a day ago"),
        (timedelta(days=3), "3 days ago"),
        (timedelta(days=40), "about a month ago"),
        (timedelta(days=100), "3 months ago"),
        (timedelta(days=380), "about a year ago"),
        (timedelta(days=365 + 200), "over a year ago"),
        (timedelta(days=365 + 300), "almost 2 years ago"),
        (timedelta(days=3 * 365 + 10), "about 3 years ago"),
    ],
)
def test_relative_time(ago, words):
    assert relative_time(NOW - ago, now=NOW) == words


def test_future_and_missing_dates():
    assert relative_time(NOW + timedelta(days=3), now=NOW) == "in 3 days"
    assert relative_time(None) == ""


def test_srcset_lists_the_display_sizes_smaller_than_the_image():
    from django.core.files.storage import default_storage

    from core.templatetags.byline import srcset

    class Stored:
        name = "heroes/2026/11/abc.jpg"
        storage = default_storage
        url = "/media/heroes/2026/11/abc.jpg"

    assert srcset(Stored(), 1000) == (
        "/media/heroes/2026/11/abc-400w.jpg 400w, /media/heroes/2026/11/abc-800w.jpg 800w, "
        "/media/heroes/2026/11/abc.jpg 1000w"
    )
    assert srcset(None, None) == ""
