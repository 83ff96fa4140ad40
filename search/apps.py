"""Search: the story index, kept up to date from stories' and creators' model signals."""

from django.apps import AppConfig


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "search"

    def ready(self) -> None:
        from search import signals

        signals.connect()
