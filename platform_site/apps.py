"""The site package as an app: it owns the footer's staff-edited pages."""

from django.apps import AppConfig


class PlatformSiteConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "platform_site"
    verbose_name = "Site"
