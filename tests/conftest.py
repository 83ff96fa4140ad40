"""Shared fixtures: named personas (alice writes, bob reads, sam is staff) and small factories."""

from __future__ import annotations

import io
import itertools
import os
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test.utils import override_settings
from django.utils import timezone
from PIL import Image

from creators.models import User
from stories.models import Community, Story

_counter = itertools.count(1)


# Rough seconds a test takes, by marker, for the order below; only the order matters.
_EXPECTED_SECONDS = {"slow": 10.0, "browser": 3.0}


@pytest.hookimpl(trylast=True)  # after tests/browser/conftest.py has marked its tests
def pytest_collection_modifyitems(config, items):
    """The longest modules first, each kept whole, the rest in the usual order.

    pytest-xdist (`--dist loadscope`) hands modules to its processes in this order; a slow
    module handed out last (the crash tests, `make run`) kept one process busy for a minute
    or more after the other had finished. Longest first, the short ones fill in around them.
    """
    modules: dict[str, list] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::")[0], []).append(item)

    def expected(module_items) -> float:
        return sum(
            max(
                (s for name, s in _EXPECTED_SECONDS.items() if item.get_closest_marker(name)),
                default=0.05,
            )
            for item in module_items
        )

    ordered = sorted(modules.values(), key=expected, reverse=True)  # stable: ties keep order
    items[:] = [item for module_items in ordered for item in module_items]


REDIS_URL_NAMES = ("REDIS_URL", "TASKS_REDIS_URL")


def redis_databases_of(worker: int, workers: int, urls: dict[str, str]) -> dict[str, str]:
    """Each xdist worker's own Redis databases: the given ones moved up by worker * len(urls).

    Tests empty them (cache.clear() is FLUSHDB, the RQ tests empty the queue), so workers that
    shared one would empty each other's mid-test. Fails when the databases would overlap or
    run past Redis's 16.
    """
    numbers = {name: int(urlsplit(url).path.strip("/") or 0) for name, url in urls.items()}
    taken = [{number + w * len(urls) for number in numbers.values()} for w in range(workers)]
    every = [number for numbers_of_one in taken for number in numbers_of_one]
    if len(set(every)) != len(every) or max(every, default=0) > 15:
        pytest.exit(
            f"{workers} xdist workers cannot each have Redis databases of their own starting "
            f"from {numbers}; run with fewer workers (-n) or lower database numbers.",
            returncode=4,
        )
    return {
        name: urlunsplit(urlsplit(url)._replace(path=f"/{numbers[name] + worker * len(urls)}"))
        for name, url in urls.items()
    }


@pytest.fixture(scope="session", autouse=True)
def _redis_databases_per_worker(worker_id):
    """Under pytest-xdist, REDIS_URL and TASKS_REDIS_URL (the Redis pass of .ci/run) name a
    database per worker: in this process's settings and in the environment of the manage.py
    processes (rqworker) the tests start."""
    urls = {name: os.environ[name] for name in REDIS_URL_NAMES if os.environ.get(name)}
    if worker_id == "master" or not urls:
        yield
        return
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    own = redis_databases_of(int(worker_id.removeprefix("gw")), workers, urls)
    overrides = {}
    if "REDIS_URL" in own:
        caches = {**django_settings.CACHES}
        caches["default"] = {**caches["default"], "LOCATION": own["REDIS_URL"]}
        overrides["CACHES"] = caches
    if "TASKS_REDIS_URL" in own:
        queues = {**django_settings.RQ_QUEUES}
        queues["default"] = {**queues["default"], "URL": own["TASKS_REDIS_URL"]}
        overrides["RQ_QUEUES"] = queues
    saved = dict(os.environ)
    os.environ.update(own)
    with override_settings(**overrides):
        if "RQ_QUEUES" in overrides:
            # django_rq keeps its own copy of RQ_QUEUES, read once; point it here too.
            from django_rq import settings as rq_settings

            rq_settings.QUEUES = overrides["RQ_QUEUES"]
        yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session", autouse=True)
def _disk_cache_per_worker(tmp_path_factory, _redis_databases_per_worker):
    """The shared disk cache (the default without REDIS_URL) in a directory of this test
    process's own, for it and the manage.py processes it starts: never the development
    site's, nor another xdist worker's (tests empty it)."""
    backend = django_settings.CACHES["default"]["BACKEND"]
    if backend != "core.cache_backends.SharedDiskCache":
        yield
        return
    directory = str(tmp_path_factory.mktemp("cache"))
    caches = {**django_settings.CACHES}
    caches["default"] = {**caches["default"], "LOCATION": directory}
    saved = os.environ.get("CACHE_DIR")
    os.environ["CACHE_DIR"] = directory
    with override_settings(CACHES=caches):
        yield
    if saved is None:
        os.environ.pop("CACHE_DIR", None)
    else:
        os.environ["CACHE_DIR"] = saved


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploads in tests never land in the developer's media folder.
    settings.MEDIA_ROOT = tmp_path / "media"
    # Background jobs run in the request after commit, so a test sees what they did.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    # Every persona is made with a password: PBKDF2's million rounds cost ~0.3 s each, most of
    # the suite's time. Tests are about who may log in, not about the hash; the site keeps
    # Django's default hashers (test_settings.py checks that). For the whole session, so that
    # class and module fixtures (load_demo's staff account) hash the same way as tests check.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    # Stored pages, their version stamps and rate-limit counters live in the cache, which
    # outlives each test's database.
    cache.clear()
    # Pages and fragments are stored only in the tests about them (test_pagecache.py): whether
    # one is stored depends on how long ago the data was written (pagecache.SETTLE_SECONDS),
    # and other tests' pinned query counts must not depend on how fast the machine is.
    settings.PAGE_CACHE_SECONDS = 0


# A moment the rate-limit tests start from: the first second of a minute, 14 minutes into an
# hour, so windows of a minute and of an hour both start fresh.
RATELIMIT_START = 1_700_000_040.0


@pytest.fixture
def clock(monkeypatch):
    """The limiter's time (core.ratelimit.clock), moved by the test instead of sleeping."""
    from core import ratelimit

    now = [RATELIMIT_START]
    monkeypatch.setattr(ratelimit, "clock", lambda: now[0])
    return now


def png_bytes(size: tuple[int, int] = (64, 48), color: str = "orange") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def detailed_png(
    size: tuple[int, int],
    extent: tuple[float, float, float, float] = (-2, -1, 1, 1),
    quality: int = 60,
    *,
    transparent: bool = False,
) -> bytes:
    """A PNG with detail everywhere (a Mandelbrot set), so its sizes and WebP copies differ
    as a photo's or a logo's do; `transparent` gives it an alpha channel and a clear pixel."""
    image = Image.effect_mandelbrot(size, extent, quality)
    image = image.convert("RGBA" if transparent else "RGB")
    if transparent:
        image.putpixel((0, 0), (0, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def forget_webp_copies():
    """core.images remembers, per process, which stored images have WebP copies: forgotten
    before a test that makes or deletes them."""
    from core import images

    images._modern_known.clear()


def make_user(username: str | None = None, **fields) -> User:
    username = username or f"user{next(_counter)}"
    fields.setdefault("password", "pw-for-tests-only")
    return User.objects.create_user(username=username, **fields)


def make_community(name: str | None = None, **fields) -> Community:
    name = name or f"Community {next(_counter)}"
    fields.setdefault("slug", name.lower().replace(" ", "-"))
    return Community.objects.create(name=name, **fields)


def make_story(
    *,
    creator: User,
    community: Community,
    title: str | None = None,
    status: str = Story.Status.PUBLISHED,
    tags: list[str] | None = None,
    published_ago: timedelta = timedelta(days=1),
    **fields,
) -> Story:
    fields.setdefault("body", "<p>Some words about something.</p>")
    if status == Story.Status.PUBLISHED:
        fields.setdefault("published_at", timezone.now() - published_ago)
    story = Story.objects.create(
        creator=creator,
        community=community,
        title=title or f"Story {next(_counter)}",
        status=status,
        **fields,
    )
    if tags:
        story.tags.add(*tags)
    return story


@pytest.fixture
def alice(db) -> User:
    return make_user("alice", display_name="Alice Walker", bio="Writes about gardens.")


@pytest.fixture
def bob(db) -> User:
    return make_user("bob", display_name="Bob Reader")


@pytest.fixture
def sam(db) -> User:
    return make_user("sam", display_name="Sam Staff", is_staff=True)


@pytest.fixture
def lifehack(db) -> Community:
    return make_community("Lifehack", description="Tips for a better life.")


@pytest.fixture
def hero_file() -> ContentFile:
    return ContentFile(png_bytes((1200, 675)), name="hero.png")
