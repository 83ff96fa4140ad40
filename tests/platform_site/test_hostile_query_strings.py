"""Every query-string parameter of the public and the creator's pages, walked with extreme
values: huge and negative integers, overflowing dates and cursors, null characters, very long
and odd strings. Each answer is a page, a redirect, a 4xx: never a 500 (issue 14)."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from tests.challenges.conftest import make_challenge
from tests.conftest import make_story

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


VALUES = {
    "max int64": "9223372036854775807",
    "past int64": "9223372036854775808",
    "too many digits for int()": "9" * 5000,
    "negative": "-1",
    "float overflow": "1e309",
    "first day": "0001-01-01",
    "last day": "9999-12-31",
    "cursor before year 1 in UTC": cursor(b"0001-01-01T00:00:00+05:00|1"),
    "cursor after 9999 in UTC": cursor(b"9999-12-31T23:59:59-05:00|1"),
    "cursor with a huge id": cursor(b"2024-01-01T00:00:00+00:00|99999999999999999999999"),
    "null character": "a\x00b",
    "very long": "x" * 10_000,
    "long unicode": "é" * 2_000,
    "markup": '<script>alert("x")</script>',
}

# What each page reads from its query string (grep request.GET), plus what every page may be
# sent: a page number and a name nobody reads.
COMMON = ["page", "unknown"]
PUBLIC = {
    "/": [],
    "/explore/": ["after", "before", "community", "tag"],
    "/lifehack/": [],
    "/lifehack/tag/food/": [],
    "story": ["comments", "comments_page"],
    "/authors/alice/": [],
    "/search/": ["q"],
    "/challenges/": [],  # issue 17
    "/challenges/rain/": [],
    "/accounts/login/": ["next"],
    "/accounts/signup/": ["next"],
    "/accounts/password/reset/": [],
    "/support/tip/alice/": ["preset", "other_amount", "story", "return_url"],
    "/feed/rss/": [],
}
CREATOR = {
    "/write/": [],
    "/write/new/": [],
    "/write/stats/": [],
    "/wallet/": ["kind", "start", "end"],
    "/feed/": [],
    "/subscriptions/": [],
    "/supporting/": [],
    "/settings/": [],
    "/settings/emails/": [],
    "/settings/support/": [],
    "/settings/export/": [],
    "/notifications/": [],
    "/settings/notifications/": [],
    "/challenges/rain/": [],  # issue 17: the entry form for a signed-in creator
}


@pytest.fixture
def site(alice, bob, lifehack, settings):
    settings.SUPPORT_ENABLED = True
    story = make_story(creator=alice, community=lifehack, title="Tomatoes", tags=["food"])
    make_challenge(title="Rain", slug="rain")  # issue 17
    for n in range(3):
        make_story(creator=alice, community=lifehack, title=f"Beans {n}", tags=["food"])
    return story


def walk(client: Client, path: str, params: list[str]) -> list[str]:
    """Each parameter alone with each value, then all of them at once; the failures."""
    failures = []
    for name in [*params, *COMMON]:
        for label, value in VALUES.items():
            response = client.get(path, {name: value})
            if response.status_code >= 500 or (
                "\x00" in value and response.status_code not in (400, 404)
            ):
                failures.append(f"{path}?{name}=<{label}>: {response.status_code}")
    for label, value in VALUES.items():
        response = client.get(path, dict.fromkeys([*params, *COMMON], value))
        if response.status_code >= 500:
            failures.append(f"{path}?<all>=<{label}>: {response.status_code}")
    return failures


@pytest.mark.parametrize("path", list(PUBLIC))
def test_public_pages_answer_every_extreme_value_without_a_500(client, site, path):
    url = site.get_absolute_url() if path == "story" else path
    failures = walk(client, url, PUBLIC[path])
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", list(CREATOR))
def test_creator_pages_answer_every_extreme_value_without_a_500(client, site, alice, path):
    client.force_login(alice)
    failures = walk(client, path, CREATOR[path])
    assert not failures, "\n".join(failures)


def test_a_null_character_gets_a_page_that_says_why(client, site):
    response = client.get("/explore/", {"tag": "a\x00b"})
    assert response.status_code == 400
    assert "null character" in response.content.decode()
