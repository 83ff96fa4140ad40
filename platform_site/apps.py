"""The site package as an app: the footer's staff-edited pages, and the wiring of sibling apps
that may not import each other (the top floor composes them; see docs/architecture.md)."""

from django.apps import AppConfig


class PlatformSiteConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "platform_site"
    verbose_name = "Site"

    def ready(self) -> None:
        from subscriptions import receivers as subscription_receivers
        from support.signals import pledge_started

        # A reader who pledges also gets the creator's stories.
        pledge_started.connect(
            subscription_receivers.subscribe_pledger,
            dispatch_uid="subscriptions.subscribe_pledger",
        )
