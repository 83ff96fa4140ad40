"""The site package as an app: the footer's staff-edited pages and the page cache's receivers."""

from django.apps import AppConfig


class PlatformSiteConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "platform_site"
    verbose_name = "Site"

    def ready(self) -> None:
        from platform_site import pagecache_receivers

        pagecache_receivers.connect()
