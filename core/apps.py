from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        post_migrate.connect(_forget_another_databases_pages, sender=self)


def _forget_another_databases_pages(**kwargs) -> None:
    """The disk cache sits beside the SQLite file: one deleted and made again (`make run` on a
    fresh database) must not meet the pages and stamps of the old one. Only that cache: a Redis
    database may hold other things (a queue) and is emptied by whoever owns it."""
    from django.core.cache import caches

    from core.cache_backends import SharedDiskCache

    if isinstance(caches["default"], SharedDiskCache):
        caches["default"].clear()
