"""Anonymous pages leave compressed (brotli first, gzip otherwise); pages with a reader's
secrets in them (a session, a CSRF token, a cookie set) leave as gzip with a random-length
filename in its header (BREACH), never as brotli."""

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


def padding(body: bytes) -> bytes | None:
    """The filename a gzip member carries in its header (RFC 1952: FLG.FNAME), or None."""
    assert body[:2] == b"\x1f\x8b"
    if not body[3] & 0x08:
        return None
    return body[10 : body.index(b"\0", 10)]


def test_signed_in_page_is_padded_gzip_never_brotli(client, bob, story):
    client.force_login(bob)
    sizes, names = set(), set()
    for _ in range(8):
        response = client.get(story.get_absolute_url(), **BR)
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert "accept-encoding" in vary(response)
        html = gzip.decompress(response.content)
        assert b"csrfmiddlewaretoken" in html or b"csrf" in html.lower()
        assert b"Tomatoes in August" in html
        assert not response.has_header(pagecache.CACHE_HEADER)
        name = padding(response.content)
        assert name is not None and 1 <= len(name) <= compression.PAD_BYTES
        names.add(name)
        sizes.add(len(response.content))
    # The length says little: the random filename makes it differ from one response to the next.
    assert len(names) > 1 and len(sizes) > 1


def test_a_page_with_a_secret_goes_uncompressed_to_a_client_that_takes_only_brotli(
    client, bob, story
):
    client.force_login(bob)
    response = client.get(story.get_absolute_url(), HTTP_ACCEPT_ENCODING="br")
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert b"Tomatoes in August" in response.content


def test_anonymous_page_with_a_csrf_token_is_padded_gzip(client):
    response = client.get(reverse("creators:login"), **BR)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert padding(response.content) is not None
    assert b"csrfmiddlewaretoken" in gzip.decompress(response.content)


def test_stored_anonymous_pages_carry_no_padding(client, story):
    client.get(story.get_absolute_url(), **GZIP)
    response = client.get(story.get_absolute_url(), **GZIP)
    assert response.has_header(pagecache.CACHE_HEADER)
    assert response["Content-Encoding"] == "gzip"
    assert padding(response.content) is None


def test_short_streaming_and_binary_responses_are_left_alone(rf):
    from django.http import HttpResponse, StreamingHttpResponse

    cases = [
        HttpResponse("x" * (compression.MIN_LENGTH - 1)),
        StreamingHttpResponse(iter(["x" * 1000])),
        HttpResponse(b"\0" * 1000, content_type="image/png"),
    ]
    for case in cases:
        middleware = compression.CompressPagesMiddleware(lambda request, r=case: r)
        response = middleware(rf.get("/", **GZIP))
        assert not response.has_header("Content-Encoding"), case
    long = HttpResponse("x" * compression.MIN_LENGTH)
    response = compression.CompressPagesMiddleware(lambda request: long)(rf.get("/", **GZIP))
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
