"""Accounts and public creator profiles: the ground floor every other app builds on."""

from django.apps import AppConfig


class CreatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "creators"
    verbose_name = "Creators and accounts"

    def ready(self) -> None:
        from creators import cached_pages

        cached_pages.connect()
