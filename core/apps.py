from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        post_migrate.connect(_forget_another_databases_pages, sender=self)
        post_migrate.connect(_analyze_sqlite, sender=self)


def _forget_another_databases_pages(**kwargs) -> None:
    """The disk cache sits beside the SQLite file: one deleted and made again (`make run` on a
    fresh database) must not meet the pages and stamps of the old one. Only that cache: a Redis
    database may hold other things (a queue) and is emptied by whoever owns it."""
    from django.core.cache import caches

    from core.cache_backends import SharedDiskCache

    if isinstance(caches["default"], SharedDiskCache):
        caches["default"].clear()


def _analyze_sqlite(using: str = "default", **kwargs) -> None:
    """After migrate, SQLite's planner gets statistics (PostgreSQL's autovacuum keeps its own).

    Without them SQLite takes an index on an equality (`status = 'published'`) to be selective,
    so a page's cards, fetched by id, were read by walking every published story's index
    entry: 17 ms of CPU per search at 100,000 stories, 2.4 ms with statistics
    (docs/benchmarks.md, issue 19). The ratios they record (how many stories share a status)
    hold as the site grows, and every deployment's migrate refreshes them. analysis_limit
    samples each index, so this takes milliseconds on any size of database.
    """
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")
