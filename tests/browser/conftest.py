"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.servers.basehttp import WSGIServer
from django.db import connection, transaction
from django.test.testcases import LiveServerThread

from platform_site.pages import ensure_footer_pages
from search.index import rebuild_index

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("BYLINE_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
REQUIRE_BROWSER = os.environ.get("BYLINE_REQUIRE_BROWSER", "").lower() in {"1", "true", "yes"}
# Screenshots are for people to look at (`make screenshots`), never checked by a test; taking
# them (a full-page PNG each) was an eighth of the browser tests' time, so only when asked.
TAKE_SCREENSHOTS = os.environ.get("BYLINE_SCREENSHOTS", "").lower() in {"1", "true", "yes"}
DEMO_PASSWORD = "demo-password-for-tests"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


def _missing_browser() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (make test installs it)"
    return None


class OneRequestAtATime(WSGIServer):
    """The live server without a thread per request, for SQLite's in-memory test database.

    That database is one connection, which the live server hands to every request thread; two
    requests at once (a form's POST and the page's read beacon) then collide in it ("cannot
    open savepoint - SQL statements in progress"). Served one at a time, with Django's
    single-threaded server closing each connection, they cannot.
    """

    # Chromium opens spare connections ahead of need (preconnect) and may send nothing on one;
    # a server that serves one connection at a time would wait on it while the real request
    # queues behind (a click's navigation once hung 30 s so in a full run). A connection that
    # says nothing for this long is dropped (the handler logs "Request timed out" and closes).
    IDLE_CONNECTION_SECONDS = 3

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)

    def get_request(self):
        connection, address = super().get_request()
        connection.settimeout(self.IDLE_CONNECTION_SECONDS)
        return connection, address


@pytest.fixture(scope="session", autouse=True)
def _serial_live_server_on_sqlite(request):
    """Start pytest-django's (session-wide) live server with OneRequestAtATime on SQLite, and
    put the class back at once: other tests start threaded servers of their own."""
    if not django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return
    threaded = LiveServerThread.server_class
    LiveServerThread.server_class = OneRequestAtATime
    try:
        request.getfixturevalue("live_server")
    finally:
        LiveServerThread.server_class = threaded


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    reason = _missing_browser()
    if reason:
        if REQUIRE_BROWSER:
            pytest.fail(f"Browser tests are required here (BYLINE_REQUIRE_BROWSER) but {reason}.")
        pytest.skip(f"Browser tests skipped: {reason}.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# Page methods after which a page is not handed to another test: what they set stays with
# the page (or its context) and cannot be taken back. Such a page is closed after its test.
_LASTING = {
    "page": (
        "add_init_script", "route", "route_from_har", "route_web_socket", "emulate_media",
        "expose_function", "expose_binding", "set_extra_http_headers", "set_viewport_size",
        "set_default_timeout", "set_default_navigation_timeout", "add_locator_handler",
    ),
    "context": (
        "add_init_script", "route", "route_from_har", "route_web_socket", "expose_function",
        "expose_binding", "set_extra_http_headers", "grant_permissions", "set_offline",
        "set_geolocation", "set_default_timeout", "set_default_navigation_timeout",
    ),
}  # fmt: skip


# A page's scripts are fetched after its first paint (core/first_paint.js), and <html> says
# data-scripts="loaded" once they have run. goto() and reload() wait for that too, as a reader
# who clicks a moment after the page appears does; a page without them (the admin's) is ready
# once loaded.
SCRIPTS_RAN = """() => document.readyState === "complete" && (
    document.documentElement.dataset.scripts === "loaded"
    || !document.querySelector("template[data-later-scripts]"))"""


def scripted(page):
    """The page, its goto() and reload() waiting for its scripts too (see SCRIPTS_RAN): for
    the tests that open pages of their own rather than through page_at."""
    for name in ("goto", "reload"):
        setattr(page, name, _with_scripts(page, getattr(page, name)))
    return page


def _with_scripts(page, navigate):
    def navigated(*args, **kwargs):
        response = navigate(*args, **kwargs)
        if kwargs.get("wait_until") in (None, "load", "networkidle"):
            page.wait_for_function(SCRIPTS_RAN, timeout=10_000)
        return response

    return navigated


@dataclass
class PooledPage:
    """A page in a context of its own, kept between tests: a new context starts a new renderer
    process (about 0.3 s of CPU); putting an old one back to blank costs half that."""

    context: object
    page: object
    devtools: object
    changed: list[str]
    listening: dict[str, int]  # Playwright's own listeners on the page: any more are a test's

    @classmethod
    def open(cls, browser, viewport: dict[str, int]) -> PooledPage:
        context = browser.new_context(viewport=viewport, device_scale_factor=1)
        page = scripted(context.new_page())
        pooled = cls(context, page, context.new_cdp_session(page), [], cls._listening(page))
        for owner, names in (("page", _LASTING["page"]), ("context", _LASTING["context"])):
            impl = getattr(pooled, owner)._impl_obj
            for name in names:
                if hasattr(impl, name):
                    setattr(impl, name, pooled._noting(f"{owner}.{name}", getattr(impl, name)))
        return pooled

    @staticmethod
    def _listening(page) -> dict[str, int]:
        impl = page._impl_obj
        return {event: len(impl.listeners(event)) for event in impl.event_names()}

    def _noting(self, name: str, method):
        def noted(*args, **kwargs):
            self.changed.append(name)
            return method(*args, **kwargs)

        return noted

    def reset(self, origin: str) -> bool:
        """Back to a blank page with no cookie, storage or cache of the site, as a new context
        is; False when that cannot be promised (the test changed what stays, opened or closed
        pages, listens to events), and the page is then closed instead."""
        if self.changed or self.page.is_closed() or len(self.context.pages) != 1:
            return False
        if self._listening(self.page) != self.listening:
            return False
        try:
            self.page.goto("about:blank", timeout=5000)
            self.context.clear_cookies()
            self.devtools.send("Network.clearBrowserCache")
            self.devtools.send(
                "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"}
            )
        except Exception:  # a page that will not leave (an unload prompt): not reused
            return False
        return True


@pytest.fixture(scope="session")
def _page_pool() -> dict[tuple[int, int], list[PooledPage]]:
    return {}


@pytest.fixture
def page_at(browser, _page_pool, live_server):
    """A blank page with the given viewport, in a context of its own: `page_at(PHONE)`.

    As a new context would be: no cookie, storage or cache. Taken from those earlier tests
    left clean, or new; after the test it goes back to the pool, or is closed.
    """
    taken: list[tuple[tuple[int, int], PooledPage]] = []

    def open_page(viewport: dict[str, int]):
        key = (viewport["width"], viewport["height"])
        free = _page_pool.setdefault(key, [])
        pooled = free.pop() if free else PooledPage.open(browser, viewport)
        taken.append((key, pooled))
        return pooled.page

    yield open_page
    origin = live_server.url
    for key, pooled in taken:
        if pooled.reset(origin):
            _page_pool[key].append(pooled)
        else:
            pooled.context.close()


def screenshot(page, name: str, *, of=None) -> Path | None:
    """The whole page, or the element `of` locates, as artifacts/screenshots/<name>.png; only
    with BYLINE_SCREENSHOTS set (`make screenshots`)."""
    if not TAKE_SCREENSHOTS:
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if of is None:
        page.screenshot(path=str(path), full_page=True)
    else:
        of.screenshot(path=str(path))
    return path


def assert_accessible(page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    bad = [v for v in violations if v.get("impact") in {"serious", "critical"}]
    details = "\n".join(
        f"{v['impact']}: {v['id']} – {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in bad
    )
    assert not bad, f"axe found serious or critical violations on {page.url}:\n{details}"


# --- The demo, built once per test process --------------------------------------------------
#
# `load_demo` draws and re-encodes 35 pictures (seconds each time). A browser test needs a
# live server, hence a transactional database that is emptied after every test; so instead
# of building the demo again for each, the first test in a process builds it and keeps a copy
# of every table and of the media it wrote, and the next tests put that copy back (a few
# hundred milliseconds). Each test still starts from the same demo, and still may write.


def build_demo() -> None:
    """`make demo`'s data: the footer pages (a flush empties them) and `load_demo`."""
    ensure_footer_pages(Site, FlatPage)
    call_command("load_demo", password=DEMO_PASSWORD, verbosity=0)


@dataclass
class Snapshot:
    rows: dict[str, tuple[list[str], list[tuple]]]
    media: Path


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _take_snapshot(media_root: Path, keep_media: Path) -> Snapshot:
    rows = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT * FROM {quote(table)}")
            rows[table] = ([column[0] for column in cursor.description], cursor.fetchall())
    if media_root.exists():
        shutil.copytree(media_root, keep_media, dirs_exist_ok=True)
    return Snapshot(rows=rows, media=keep_media)


def _restore(snapshot: Snapshot, media_root: Path) -> None:
    """Every table back to the snapshot: emptied, refilled with the same rows and ids."""
    quote = connection.ops.quote_name
    tables = _tables()
    assert set(tables) == set(snapshot.rows), "the tables changed since the snapshot"
    # SQLite: foreign keys are switched off outside a transaction. PostgreSQL: Django's foreign
    # keys are deferred, so they are checked at the commit, with every row back.
    with connection.constraint_checks_disabled(), transaction.atomic():
        with connection.cursor() as cursor:
            for sql in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
                cursor.execute(sql)
            for table, (columns, rows) in snapshot.rows.items():
                if not rows:
                    continue
                names = ", ".join(quote(column) for column in columns)
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)
            models = [
                model
                for model in apps.get_models(include_auto_created=True)
                if model._meta.db_table in snapshot.rows
            ]
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
        # Ids may differ from what the in-process caches saw since the last flush.
        ContentType.objects.clear_cache()
        Site.objects.clear_cache()
        # The search index is a table of its own, outside Django's; fill it from the stories.
        rebuild_index()
    if connection.vendor == "sqlite":
        connection.check_constraints()
    if snapshot.media.exists():
        shutil.copytree(snapshot.media, media_root, dirs_exist_ok=True, copy_function=_link)


def _link(source: str, target: str) -> None:
    # Hard links: the same bytes without copying them; a test that deletes one loses its own.
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


@pytest.fixture(scope="session")
def _demo_snapshots() -> dict[str, Snapshot]:
    return {}


@pytest.fixture
def demo_data(transactional_db, settings, tmp_path_factory, _demo_snapshots):
    """`demo_data(key, build)`: the database and media as `build()` left them, built once.

    The first call for a key in this process runs `build()` and keeps what it made; later
    calls put it back instead. `build` must depend on nothing but the key.
    """

    def load(key: str, build: Callable[[], None]) -> None:
        media_root = Path(settings.MEDIA_ROOT)
        snapshot = _demo_snapshots.get(key)
        if snapshot is None:
            build()
            keep = tmp_path_factory.mktemp(f"snapshot-{key}-media", numbered=True)
            _demo_snapshots[key] = _take_snapshot(media_root, keep)
        else:
            _restore(snapshot, media_root)

    return load
