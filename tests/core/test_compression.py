"""Anonymous pages leave compressed (brotli first, gzip otherwise); pages with a reader's
secrets in them (a session, a CSRF token, a cookie set) leave as they are."""

from __future__ import annotations

import gzip

import brotli
import pytest
from django.urls import reverse

from core import compression, pagecache
from tests.conftest import make_story

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate"}
BR = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br, zstd"}


@pytest.fixture(autouse=True)
def page_cache(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 300
    monkeypatch.setattr(pagecache, "SETTLE_SECONDS", 0)
    pagecache.local.clear()
    pagecache.known_stamps.clear()
    compression.kept.clear()


@pytest.fixture
def story(alice, lifehack):
    return make_story(creator=alice, community=lifehack, title="Tomatoes in August")


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",")}


def test_anonymous_page_is_gzipped_with_vary(client, story):
    plain = client.get(story.get_absolute_url())
    response = client.get(story.get_absolute_url(), **GZIP)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "accept-encoding" in vary(response)
    assert int(response["Content-Length"]) == len(response.content) < len(plain.content)
    assert gzip.decompress(response.content) == plain.content
    assert "accept-encoding" in vary(plain)
    assert not plain.has_header("Content-Encoding")


def test_brotli_is_preferred_when_offered(client, story):
    plain = client.get(story.get_absolute_url())
    response = client.get(story.get_absolute_url(), **BR)
    assert response["Content-Encoding"] == "br"
    assert brotli.decompress(response.content) == plain.content


def test_refused_encodings_are_not_used(client, story):
    response = client.get(story.get_absolute_url(), HTTP_ACCEPT_ENCODING="br;q=0, gzip;q=0")
    assert not response.has_header("Content-Encoding")


def test_stored_page_is_compressed_with_weak_etag_and_answers_304(client, story):
    url = story.get_absolute_url()
    for _ in range(3):
        response = client.get(url, **GZIP)
        if response[pagecache.CACHE_HEADER] == "hit":
            break
    assert response[pagecache.CACHE_HEADER] == "hit"
    assert response["Content-Encoding"] == "gzip"
    etag = response["ETag"]
    assert etag.startswith('W/"')
    assert client.get(url, **GZIP).content == response.content
    again = client.get(url, HTTP_IF_NONE_MATCH=etag, **GZIP)
    assert again.status_code == 304
    assert again["ETag"] == etag
    # Any copy still holds when compared weakly, the uncompressed one too.
    assert client.get(url, HTTP_IF_NONE_MATCH=etag.removeprefix("W/")).status_code == 304


def test_signed_in_page_is_not_compressed(client, bob, story):
    client.force_login(bob)
    response = client.get(story.get_absolute_url(), **BR)
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content or b"csrf" in response.content.lower()
    assert not response.has_header("Content-Encoding")
    assert "accept-encoding" not in vary(response)


def test_anonymous_page_with_a_csrf_token_is_not_compressed(client):
    response = client.get(reverse("creators:login"), **BR)
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert not response.has_header("Content-Encoding")


def test_short_streaming_and_binary_responses_are_left_alone(rf):
    from django.http import HttpResponse, StreamingHttpResponse

    cases = [
        HttpResponse("x" * (compression.MIN_LENGTH - 1)),
        StreamingHttpResponse(iter(["x" * 1000])),
        HttpResponse(b"\0" * 1000, content_type="image/png"),
    ]
    for case in cases:
        middleware = compression.CompressAnonymousPagesMiddleware(lambda request, r=case: r)
        response = middleware(rf.get("/", **GZIP))
        assert not response.has_header("Content-Encoding"), case
    long = HttpResponse("x" * compression.MIN_LENGTH)
    response = compression.CompressAnonymousPagesMiddleware(lambda request: long)(
        rf.get("/", **GZIP)
    )
    assert response["Content-Encoding"] == "gzip"


def test_accepted_encoding_parsing(rf):
    cases = {
        "": None,
        "gzip": "gzip",
        "br": "br",
        "gzip, br;q=0": "gzip",
        "identity": None,
        "BR;q=0.5, gzip;q=1": "br",
        "gzip;q=bogus": None,
    }
    for header, expected in cases.items():
        request = rf.get("/", HTTP_ACCEPT_ENCODING=header)
        assert compression.accepted_encoding(request) == expected, header
