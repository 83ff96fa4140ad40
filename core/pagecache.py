"""Whole pages for anonymous readers from the cache, kept correct by version stamps writes bump.

A public view names what its page shows with `depends_on(request, "site", "story:12", …)`.
The middleware stores the rendered page with the current stamp of each of those names, and a
later anonymous request gets the stored bytes only while every stamp is unchanged. A write
replaces the stamp (`bump`), so invalidation is one cache write, however many pages showed the
thing, and holds across processes whenever the cache is shared (Redis).

Stamps are bumped one way only: model signals. Each app says once, in its AppConfig.ready, which
names a row of each of its models shows on (`watch`, `watch_m2m`), so a write through a service,
the admin, taggit's managers, a cascade or the shell empties the same pages. Code that writes a
watched model saves rows (`save(update_fields=…)`), never `QuerySet.update()`, which sends no
signal. (The read counter is the exception on purpose: a read is not worth emptying pages for.)

The same stamps key the parts of a signed-in reader's page that are everyone's (fragments, see
core/templatetags/fragments.py and the comments, insights and support tags) and the
story page's story itself (get_versioned). Each process also keeps the last few of these in its
own memory (`local`): their keys or their stamps say whether they still hold, so a stored page
or fragment costs one round trip to the shared cache, for the stamps.

Names in use:
    site          what every page may show of people and site-wide choices: names, avatars,
                  bios, communities, tags, insight ratings and qualities
    listing       which stories are public and how their cards read: publish, unpublish,
                  approved edits, picks, tags
    story:<id>    one story's page: the story, its comments, insights, its like count
    creator:<id>  a creator's profile and the support box on their stories: subscribers,
                  support settings, social links

A stamp is the time of the change. A page is stored only if every stamp it depends on is older
than the request by SETTLE_SECONDS: a request that read the database just before a writer
committed must not store what it saw under the writer's new stamp. Writers stamp once at once
(so the next request in the same transaction, or a test, sees the change) and again after
their transaction commits (closing that window for everyone else).
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.crypto import salted_hmac
from django.utils.http import http_date
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe

from core.jobs import job

# Seconds between a change and the first request that may store a page showing it; above the
# clock difference between app servers and the time between a commit and its stamp.
SETTLE_SECONDS = 1.0

VERSION_PREFIX = "pagecache:v:"
PAGE_PREFIX = "pagecache:page:"
FRAGMENT_PREFIX = "pagecache:fragment:"
VALUE_PREFIX = "pagecache:value:"
# Stamps outlive the pages stored under them, so a page is never compared with a stamp that
# expired and came back equal.
VERSION_TIMEOUT = None
CACHE_HEADER = "X-Page-Cache"
# Replaced with every stamp: while it holds, no stamp has changed, and each process may use
# the stamps it read before instead of reading them again (one read a request, not one a name).
GENERATION_KEY = "pagecache:generation"

_DEPS = "_page_cache_deps"


def story_name(story_id: int) -> str:
    return f"story:{story_id}"


def creator_name(creator_id: int) -> str:
    return f"creator:{creator_id}"


# --- writers ---------------------------------------------------------------------------------


def _stamp(names: list[str]) -> None:
    now = time.time()
    stamps = {VERSION_PREFIX + name: now for name in names}
    cache.set_many(stamps, timeout=VERSION_TIMEOUT)
    # After the stamps: a reader that sees this generation sees them too.
    cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=VERSION_TIMEOUT)


def bump(*names: str) -> None:
    """Mark what `names` stand for as changed: pages that show it are rendered afresh."""
    wanted = sorted(set(names))
    if not wanted:
        return
    _stamp(wanted)
    transaction.on_commit(lambda: _after_commit(wanted))


def _after_commit(names: list[str]) -> None:
    _stamp(names)
    if settings.PAGE_PURGE_HOOK:
        # A CDN's purge API is a network call: a job, not the writer's request.
        from core.jobs import enqueue

        enqueue(purge, keys=names)


@job
def purge(*, keys: list[str]) -> None:
    """Tell the CDN in front (settings.PAGE_PURGE_HOOK, a function taking the keys) to drop
    the pages that carry any of `keys` in their Surrogate-Key / Cache-Tag header."""
    if settings.PAGE_PURGE_HOOK:
        import_string(settings.PAGE_PURGE_HOOK)(keys)


# What a row shows on: names for one instance of a watched model.
Shows = Callable[[Any], Iterable[str]]


def watch(
    model: type[Model],
    shows: Shows,
    *,
    on_create: bool = True,
    private_fields: frozenset[str] = frozenset(),
) -> None:
    """Bump `shows(row)` whenever a row of `model` is saved or deleted.

    `on_create=False` for rows that are on no page until they are changed (a new account);
    a save that writes only `private_fields` (a login, a password) or loads fixtures (`raw`)
    bumps nothing.
    """
    uid = f"core.pagecache.{model._meta.label_lower}"

    def saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs) -> None:
        if raw or (created and not on_create):
            return
        if update_fields is not None and set(update_fields) <= private_fields:
            return
        bump(*shows(instance))

    def deleted(sender, instance, **kwargs) -> None:
        bump(*shows(instance))

    post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"{uid}.saved")
    post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=f"{uid}.deleted")


def watch_m2m(through: type[Model], shows: Shows) -> None:
    """Bump `shows(instance)` when a many-to-many relation changes; `instance` is the row
    whose side the change was made from, of either model."""

    def changed(sender, instance, action: str, **kwargs) -> None:
        if action in {"post_add", "post_remove", "post_clear"}:
            bump(*shows(instance))

    uid = f"core.pagecache.{through._meta.label_lower}"
    m2m_changed.connect(changed, sender=through, weak=False, dispatch_uid=uid)


# --- readers ---------------------------------------------------------------------------------


def depends_on(request: HttpRequest, *names: str) -> None:
    """Say that this response shows `names`; without it a page is never stored."""
    deps = getattr(request, _DEPS, None)
    if deps is not None:
        deps.update(names)


class _KnownStamps:
    """The stamps this process read under the current generation."""

    def __init__(self) -> None:
        self.generation: str | None = None
        self.stamps: dict[str, float] = {}
        self.lock = threading.Lock()

    def get(self, generation: str | None, names: list[str]) -> dict[str, float] | None:
        if generation is None:
            return None
        with self.lock:
            if generation != self.generation:
                self.generation, self.stamps = generation, {}
                return None
            try:
                return {name: self.stamps[name] for name in names}
            except KeyError:
                return None

    def remember(self, generation: str | None, versions: dict[str, float]) -> None:
        with self.lock:
            if generation is not None and generation == self.generation:
                self.stamps.update(versions)

    def clear(self) -> None:
        with self.lock:
            self.generation, self.stamps = None, {}


known_stamps = _KnownStamps()


def current_versions(names: Iterable[str]) -> dict[str, float]:
    """The stamp of each name; one that has none yet (or was evicted) gets one now.

    One cache read while no stamp has changed anywhere (the generation holds), else one more
    for the stamps."""
    names = list(names)
    # Before the stamps: a change after this read is seen by the next call.
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # No stamp changed since the cache was new (or emptied): start a generation, or every
        # request would read its stamps again until the first write. add(), not set(): one a
        # writer just set stays.
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=VERSION_TIMEOUT)
        generation = cache.get(GENERATION_KEY)
    known = known_stamps.get(generation, names)
    if known is not None:
        return known
    versions = _read_versions(names)
    known_stamps.remember(generation, versions)
    return versions


def _read_versions(names: list[str]) -> dict[str, float]:
    found = cache.get_many([VERSION_PREFIX + name for name in names])
    versions = {name: found.get(VERSION_PREFIX + name) for name in names}
    missing = [name for name, stamp in versions.items() if stamp is None]
    if missing:
        now = time.time()
        for name in missing:
            # add(), not set(): a stamp another process just wrote stays the one everyone sees.
            cache.add(VERSION_PREFIX + name, now, timeout=VERSION_TIMEOUT)
        found = cache.get_many([VERSION_PREFIX + name for name in missing])
        versions.update({name: found.get(VERSION_PREFIX + name, now) for name in missing})
    return versions


def settled(versions: dict[str, float], started: float) -> bool:
    """Whether every change in `versions` was committed before a request that began at
    `started` read the database, so what it read may be kept."""
    return all(stamp <= started - SETTLE_SECONDS for stamp in versions.values())


# --- fragments: the parts of a signed-in reader's page that are the same for everyone ---------


def request_started(request: HttpRequest) -> float:
    """When the middleware saw the request, before any of its queries."""
    return getattr(request, "_page_cache_started", None) or time.time()


def fragment_token(
    request: HttpRequest, *names: str, versions: dict[str, float] | None = None
) -> str:
    """A key part for fragments that show `names`, or "" when they must be rendered afresh.

    "" while a change to `names` is too recent to be sure this request's reads saw it.
    `versions`: the names' stamps, if the caller has just read them.
    """
    if not settings.PAGE_CACHE_SECONDS:
        return ""
    versions = versions if versions is not None else current_versions(names)
    if not settled(versions, request_started(request)):
        return ""
    raw = "|".join(f"{name}={versions[name]!r}" for name in sorted(versions))
    return hashlib.blake2s(raw.encode(), digest_size=12).hexdigest()


class LocalCopies:
    """The last few values each process read from the cache, in its own memory.

    Safe for fragments because their keys hold the stamps they were rendered under: a key
    always means the same bytes, so only the stamps need asking the shared cache, once per
    request, instead of one round trip per fragment. Versioned values are checked against the
    current stamps like those from the shared cache. Entries expire as the cache's do.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self.lock:
            found = self.items.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                del self.items[key]
                return None
            self.items.move_to_end(key)
            return found[1]

    def set(self, key: str, value: Any) -> None:
        expires = time.monotonic() + settings.PAGE_CACHE_SECONDS
        with self.lock:
            self.items[key] = (expires, value)
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


# A story page's fragments are a few tens of kilobytes: this is a few megabytes per process.
local = LocalCopies(size=256)


def plain_row(instance: Model) -> dict[str, Any]:
    """A model instance's loaded column values, as plain data a cache may keep: unlike a
    pickled instance, it does not break or run code when the model's class changes."""
    deferred = instance.get_deferred_fields()
    row: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.attname in deferred:
            continue
        value = field.value_from_object(instance)
        # A file field's value is a FieldFile bound to the instance; its name is the data.
        row[field.attname] = (value.name or "") if hasattr(value, "storage") else value
    return row


def from_plain_row(model: type[Model], row: dict[str, Any]) -> Model:
    """The instance `plain_row` was made from, as if loaded from the database (no query)."""
    return model.from_db("default", list(row), list(row.values()))


def get_versioned(key: str) -> tuple[Any, dict[str, float]] | None:
    """A value kept with `set_versioned`, with its stamps, if none has changed since.

    Values are plain data (see plain_row), never model instances. The value is a fresh copy
    for this request: the caller may change it.
    """
    if not settings.PAGE_CACHE_SECONDS:
        return None
    full_key = VALUE_PREFIX + key
    entry = local.get(full_key)
    if entry is None:
        entry = cache.get(full_key)
        if entry is None:
            return None
        local.set(full_key, entry)
    try:
        pickled, versions = entry
        if current_versions(versions) != versions:
            return None
        return pickle.loads(pickled), versions
    except Exception:  # written by another version of this code: as if it were not there
        return None


def set_versioned(request: HttpRequest, key: str, value: Any, versions: dict[str, float]) -> None:
    """Keep `value`, read by this request, for as long as the stamps in `versions` hold."""
    if settings.PAGE_CACHE_SECONDS and settled(versions, request_started(request)):
        entry = (pickle.dumps(value, pickle.HIGHEST_PROTOCOL), versions)
        cache.set(VALUE_PREFIX + key, entry, timeout=settings.PAGE_CACHE_SECONDS)
        local.set(VALUE_PREFIX + key, entry)


def kept(request: HttpRequest, key: str, names: Iterable[str], build: Callable[[], Any]) -> Any:
    """The value kept under `key` while the stamps of `names` hold; else `build()`'s, kept.

    The stamps are read before `build()` queries, so a change committed meanwhile bumps them
    past what is kept. `build()` returns plain data (see plain_row).
    """
    found = get_versioned(key)
    if found is not None:
        return found[0]
    versions = current_versions(names) if settings.PAGE_CACHE_SECONDS else {}
    value = build()
    set_versioned(request, key, value, versions)
    return value


def _fragment_key(token: str, key: str) -> str:
    digest = hashlib.blake2s(key.encode(), digest_size=12).hexdigest()
    return f"{FRAGMENT_PREFIX}{digest}:{token}"


def get_fragments(token: str, keys: Iterable[str]) -> dict[str, Any]:
    """The stored fragments among `keys` (at most one cache round trip); none without a token.

    A fragment is shared by many requests at once: treat it as read-only.
    """
    if not token:
        return {}
    full = {_fragment_key(token, key): key for key in keys}
    found = {}
    for full_key, key in full.items():
        value = local.get(full_key)
        if value is not None:
            found[key] = value
    missing = [full_key for full_key, key in full.items() if key not in found]
    if missing:
        for full_key, value in cache.get_many(missing).items():
            local.set(full_key, value)
            found[full[full_key]] = value
    return found


def get_fragment(token: str, key: str) -> Any:
    return get_fragments(token, [key]).get(key)


def set_fragment(token: str, key: str, value: Any) -> None:
    """Keep `value` under `key` for as long as the versions in `token` stay current."""
    if token:
        full_key = _fragment_key(token, key)
        cache.set(full_key, value, timeout=settings.PAGE_CACHE_SECONDS)
        local.set(full_key, value)


def shared_block(
    context: Any,
    *,
    request: HttpRequest,
    template_name: str,
    key: str,
    owner_id: int | None,
    build: Callable[[], tuple[dict[str, Any], dict[str, Any]]],
    fits: Callable[[dict[str, Any]], bool],
    shareable: Callable[[dict[str, Any]], bool],
) -> SafeString:
    """A block of the story page that many readers see alike but for their CSRF token, kept as
    one rendered copy while the page's stamps hold: the one get-or-render-and-store sequence
    the comments, insights and support blocks share.

    `build()` queries and returns the template's values and `meta`, plain data kept beside the
    HTML (never model instances). `shareable(meta)`: whether this reader's fresh copy may serve
    others; `fits(meta)`: whether a stored copy may serve this reader. The block's owner (the
    story's creator) always gets a copy of their own, and so does everyone when the view gave
    no `fragment_token`.
    """
    viewer = getattr(request, "user", None)
    # The story page's token (stories.views.story_detail); "" where nothing may be shared.
    token = context.get("fragment_token", "")
    if token and viewer is not None and viewer.is_authenticated and viewer.pk == owner_id:
        token = ""
    if token:
        stored = get_fragment(token, key)
        if isinstance(stored, dict) and fits(stored.get("meta", {})):
            return with_csrf(stored["html"], request)
    values, meta = build()
    engine_template = context.template.engine.get_template(template_name)
    if token and shareable(meta):
        html = engine_template.render(context.new(values | {"csrf_token": csrf_placeholder()}))
        set_fragment(token, key, {"html": str(html), "meta": meta})
        return with_csrf(html, request)
    return engine_template.render(context.new(values))


def csrf_placeholder() -> str:
    """What a fragment shared by signed-in readers holds where each reader's CSRF token goes.

    Derived from SECRET_KEY, so nobody can write it into a comment and have the next reader's
    token put there; the same in every process, so fragments can be shared through Redis.
    """
    return _placeholder(settings.SECRET_KEY)


@functools.lru_cache(maxsize=4)
def _placeholder(secret: str) -> str:
    return salted_hmac("platform_site.pagecache.csrf", "placeholder", secret=secret).hexdigest()


def with_csrf(html: str, request: HttpRequest) -> SafeString:
    """A shared fragment with this reader's CSRF token where the placeholder is."""
    placeholder = csrf_placeholder()
    if placeholder not in html:
        # Asking for a token would set the CSRF cookie: an anonymous page could not be stored.
        return mark_safe(html)
    # One masked token for all of the page's fragments: masking is not free.
    token = getattr(request, "_page_cache_csrf", None)
    if token is None:
        token = request._page_cache_csrf = get_token(request)
    return mark_safe(html.replace(placeholder, token))


# --- the middleware --------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    versions: dict[str, float]
    status: int
    headers: list[tuple[str, str]]
    content: bytes
    etag: str
    last_modified: float


def shared_cache_headers(response: HttpResponse, names: Iterable[str]) -> None:
    """Headers for a page every anonymous reader shares, for a CDN in front: browsers ask
    again each time (max-age=0; the ETag makes that a 304), a shared cache keeps the page for
    CDN_MAX_AGE seconds and serves it stale for CDN_STALE_SECONDS while it fetches a new one,
    and the page's stamps name it for a purge (PAGE_PURGE_HOOK is called with them on every
    write): `Surrogate-Key` (Fastly, space-separated) and `Cache-Tag` (Cloudflare, commas)."""
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        s_maxage=settings.CDN_MAX_AGE,
        stale_while_revalidate=settings.CDN_STALE_SECONDS,
    )
    keys = sorted(names)
    response["Surrogate-Key"] = " ".join(keys)
    response["Cache-Tag"] = ",".join(keys)


def is_anonymous_request(request: HttpRequest) -> bool:
    """Cookies say the reader is anonymous and has nothing pending, without opening a session.

    A reader with any session (signed in, or anonymous with a pending subscription or
    messages stored there) or with messages waiting in their cookie gets a page of their own.
    """
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return False
    return "HTTP_AUTHORIZATION" not in request.META


def page_key(request: HttpRequest) -> str:
    # Scheme and host too: canonical links and feeds are absolute.
    raw = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return PAGE_PREFIX + hashlib.blake2s(raw.encode(), digest_size=16).hexdigest()


def storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control:
        return False
    # The only Vary we answer for is Cookie, and is_anonymous_request has decided that one.
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return vary <= {"cookie"}


def _static_prefix() -> str:
    # Static files (WhiteNoise, further down) are never pages: no cache read for them.
    return "/" + (settings.STATIC_URL or "/static/").lstrip("/")


class AnonymousPageCacheMiddleware:
    """Serve anonymous readers' GET and HEAD requests from stored pages, answering conditional
    requests (If-None-Match, If-Modified-Since) with 304 from the entry, without rendering.

    First in the stack, so a stored page costs no session, user, query or other middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Before any query of this request: fragment_token compares stamps with it too.
        started = request._page_cache_started = time.time()
        seconds = settings.PAGE_CACHE_SECONDS
        if (
            not seconds
            or not is_anonymous_request(request)
            or request.path_info.startswith(_static_prefix())
        ):
            return self.get_response(request)
        key = page_key(request)
        # Like fragments, a page is kept in this process too: only its stamps are asked for.
        entry = local.get(key)
        if entry is None:
            entry = cache.get(key)
            if entry is not None:
                local.set(key, entry)
        if isinstance(entry, Entry) and current_versions(entry.versions) == entry.versions:
            return self.serve(request, entry)

        setattr(request, _DEPS, set())
        response = self.get_response(request)
        names = getattr(request, _DEPS)
        if not names or not storable(request, response):
            return response
        versions = current_versions(names)
        content = response.content
        etag = response.get("ETag") or '"' + hashlib.md5(content).hexdigest() + '"'
        response["ETag"] = etag
        response["Last-Modified"] = http_date(started)
        response[CACHE_HEADER] = "miss"
        if settled(versions, started):
            shared_cache_headers(response, names)
            headers = [(k, v) for k, v in response.items() if k != CACHE_HEADER]
            entry = Entry(versions, response.status_code, headers, content, etag, started)
            cache.set(key, entry, timeout=seconds)
            local.set(key, entry)
        else:
            # Read while a change was being committed: nobody keeps it, a CDN neither.
            patch_cache_control(response, no_cache=True)
        return (
            get_conditional_response(
                request, etag=etag, last_modified=int(started), response=response
            )
            or response
        )

    def serve(self, request: HttpRequest, entry: Entry) -> HttpResponse:
        response = HttpResponse(entry.content, status=entry.status)
        for name, value in entry.headers:
            response[name] = value
        response[CACHE_HEADER] = "hit"
        conditional = get_conditional_response(
            request, etag=entry.etag, last_modified=int(entry.last_modified), response=response
        )
        return conditional or response
