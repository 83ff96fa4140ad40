"""Search: the story index and the suggestions' prefixes, kept up to date from stories' and
creators' model signals."""

from django.apps import AppConfig


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "search"

    def ready(self) -> None:
        from search import signals, suggest_index

        signals.connect()
        suggest_index.connect()
