"""Reactions: a reader's like (a heart, counted on the story) and save for later (the library)."""

from django.apps import AppConfig


class ReactionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reactions"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_save

        from reactions import cached_pages, receivers
        from reactions.models import Like

        cached_pages.connect()
        post_save.connect(receivers.like_made, sender=Like, dispatch_uid="reactions.like_made")
        post_delete.connect(
            receivers.like_removed, sender=Like, dispatch_uid="reactions.like_removed"
        )
        user_logged_in.connect(
            receivers.complete_pending_reaction, dispatch_uid="reactions.complete_pending"
        )
