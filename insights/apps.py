"""Reader insights on stories: a rating and qualities a reader awards, which staff manage."""

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "insights"

    def ready(self) -> None:
        from insights import cached_pages

        cached_pages.connect()
