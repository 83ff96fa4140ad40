"""Comments on stories, with one level of replies, reports and moderation."""

from django.apps import AppConfig


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"

    def ready(self) -> None:
        from comments import cached_pages

        cached_pages.connect()
