"""Reader insights on stories: a rating and qualities a reader awards, which staff manage."""

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "insights"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from insights import cached_pages
        from insights.defaults import defaults_after_migrate

        cached_pages.connect()
        post_migrate.connect(
            defaults_after_migrate, sender=self, dispatch_uid="insights.defaults_after_migrate"
        )
