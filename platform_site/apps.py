"""The site package as an app: the footer's staff-edited pages, and the wiring of sibling apps
that may not import each other (the top floor composes them; see docs/architecture.md)."""

from django.apps import AppConfig, apps


class PlatformSiteConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "platform_site"
    verbose_name = "Site"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed
        from django.db.models.signals import post_migrate

        from platform_site.login_guard import count_failure
        from platform_site.pages import footer_pages_after_migrate
        from platform_site.sites import site_in_step
        from subscriptions import receivers as subscription_receivers
        from support.signals import pledge_started

        # A reader who pledges also gets the creator's stories.
        pledge_started.connect(
            subscription_receivers.subscribe_pledger,
            dispatch_uid="subscriptions.subscribe_pledger",
        )
        # After axes' own receiver (its app comes first), which records the failure per username.
        user_login_failed.connect(count_failure, dispatch_uid="platform_site.count_failure")
        # Sent for the sites app (this one has no models, so none is sent for it), after the
        # sites app's own handler, which may have just made the row.
        post_migrate.connect(
            site_in_step,
            sender=apps.get_app_config("sites"),
            dispatch_uid="platform_site.site_in_step",
        )
        # After a flush (which sends post_migrate too), the footer pages again.
        post_migrate.connect(
            footer_pages_after_migrate,
            sender=apps.get_app_config("flatpages"),
            dispatch_uid="platform_site.footer_pages_after_migrate",
        )
