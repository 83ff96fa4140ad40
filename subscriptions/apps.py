"""Free subscriptions to creators, the reader's feed and new-story emails."""

from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "subscriptions"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from stories.signals import story_published
        from subscriptions import cached_pages, receivers

        cached_pages.connect()

        story_published.connect(
            receivers.new_story_published, dispatch_uid="subscriptions.new_story_published"
        )
        user_logged_in.connect(
            receivers.complete_pending_subscription,
            dispatch_uid="subscriptions.complete_pending_subscription",
        )
