"""Stories, communities and the public reading pages."""

from django.apps import AppConfig


class StoriesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stories"

    def ready(self) -> None:
        from stories import cached_pages

        cached_pages.connect()
