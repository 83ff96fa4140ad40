"""Compressed pages: brotli or gzip for anonymous pages, padded gzip for the rest.

BREACH recovers a secret from a compressed response that also reflects what an attacker
sent, by watching the response's length change as its guesses match. An anonymous page
carries no session and no CSRF token (the page cache stores only such pages), so there is
nothing to recover and it gets the smallest encoding the browser takes.

A signed-in reader's page carries their CSRF token and their own data, and so does any page
that used a token or sets a cookie (the login and sign-up forms, a posted form's answer).
Those are compressed as Django's GZipMiddleware compresses every page since Django 4.2: gzip
with a random-length filename of up to 100 bytes in its header ("Heal the Breach", Palacios
et al., 2022), so one response's length says little about its content; and Django masks the
CSRF token differently in every response, so the token itself never repeats. Brotli has no
header to pad, so these pages are never sent as brotli. They are what the page cache never
stores, so each is compressed as it is rendered (about 0.5 ms for a story page).

First in the middleware stack, after the page cache: the cache keeps the page's bytes and
strong ETag as rendered, and a compressed copy gets a weak ETag (W/"…"), which conditional
requests compare weakly, so a 304 still comes from the stored entry. Compressed copies of
stored pages are kept in this process by ETag, so a page served from the cache is compressed
once per process, not once per request.
"""

from __future__ import annotations

import gzip
import re
import threading
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

from core.pagecache import CACHE_HEADER

try:  # Google's brotli bindings; without them gzip alone.
    import brotli
except ImportError:  # pragma: no cover - brotli is in requirements.txt
    brotli = None

# Below this a compressed copy is barely smaller and costs a header more.
MIN_LENGTH = 200
COMPRESSIBLE = re.compile(
    r"^(text/|application/(json|xml|rss\+xml|atom\+xml|javascript|manifest\+json))", re.I
)
# The demo's seed story page (32.4 KB): gzip -6 7.4 KB and brotli 5 6.8 KB, each in 0.5 ms;
# brotli 11 6.0 KB in 54 ms, too slow for a page rendered after every write.
BROTLI_QUALITY = 5
GZIP_LEVEL = 6
# Compressed copies of stored pages, by (ETag, encoding), in this process.
KEEP = 256
# The most random bytes a page holding a secret gets in its gzip header (Django's figure).
PAD_BYTES = 100


class _Kept:
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> bytes | None:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def set(self, key: tuple[str, str], value: bytes) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


kept = _Kept(KEEP)


def accepted_encoding(request: HttpRequest, *, padded: bool = False) -> str | None:
    """ "br" (preferred) or "gzip" if the client takes it (q=0 refuses); None otherwise.
    `padded`: only gzip will do, as for a page that holds a secret."""
    offered: dict[str, float] = {}
    for part in request.META.get("HTTP_ACCEPT_ENCODING", "").split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        offered[name.strip().lower()] = q
    if not padded and brotli is not None and offered.get("br", 0) > 0:
        return "br"
    if offered.get("gzip", 0) > 0:
        return "gzip"
    return None


def holds_no_secret(request: HttpRequest, response: HttpResponse) -> bool:
    """The request came with no session and the page used no CSRF token and sets no cookie."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    # django.middleware.csrf.get_token marks the request whenever a page asks for a token.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    return not response.cookies


def compress(content: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(content, quality=BROTLI_QUALITY)
    # mtime=0: the same page gives the same bytes, in every process.
    return gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0)


def compress_padded(content: bytes) -> bytes:
    """gzip with a random-length filename in the header, as GZipMiddleware sends."""
    return compress_string(content, max_random_bytes=PAD_BYTES)


class CompressPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 304:
            # Says the client's copy still holds, which is the compressed one if it takes one:
            # its ETag is the one that copy came with.
            if accepted_encoding(request):
                patch_vary_headers(response, ("Accept-Encoding",))
                _weaken_etag(response)
            return response
        if (
            response.streaming
            or response.has_header("Content-Encoding")
            or not COMPRESSIBLE.match(response.get("Content-Type", ""))
            or len(response.content) < MIN_LENGTH
        ):
            return response
        # Whatever this client takes, the same URL may be sent compressed to another.
        patch_vary_headers(response, ("Accept-Encoding",))
        if not holds_no_secret(request, response):
            encoding = accepted_encoding(request, padded=True)
            body = compress_padded(response.content) if encoding else None
        else:
            encoding = accepted_encoding(request)
            body = self.kept_or_compressed(response, encoding) if encoding else None
        if body is None or len(body) >= len(response.content):
            return response
        response.content = body
        response["Content-Length"] = str(len(body))
        response["Content-Encoding"] = encoding
        _weaken_etag(response)
        return response

    @staticmethod
    def kept_or_compressed(response: HttpResponse, encoding: str) -> bytes:
        """A page without secrets, compressed; a stored page's copy is kept by its ETag (only
        the page cache's ETags name the bytes exactly: a hash of them)."""
        etag = response.get("ETag", "")
        key = (
            (etag, encoding) if etag.startswith('"') and response.has_header(CACHE_HEADER) else None
        )
        body = kept.get(key) if key else None
        if body is None:
            body = compress(response.content, encoding)
            if key and len(body) < len(response.content):
                kept.set(key, body)
        return body


def _weaken_etag(response: HttpResponse) -> None:
    """A compressed copy is the same page in other bytes: a weak ETag (RFC 9110 8.8.1)."""
    etag = response.get("ETag", "")
    if etag.startswith('"'):
        response["ETag"] = "W/" + etag
