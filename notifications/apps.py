"""Notifications: the bell, /notifications/, and the emails about what happened to a reader's
comments, stories and subscriptions. The floor above stats: it listens to the signals of every
app below and none of them knows it (docs/architecture.md)."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import pre_delete

        from challenges.signals import challenge_decided
        from comments.signals import comment_posted
        from insights.signals import insight_added
        from notifications import receivers
        from reactions.signals import story_liked
        from stories.models import Story
        from stories.signals import story_picked, story_published, story_reviewed
        from subscriptions.signals import subscribed
        from support.signals import money_notice_made, pledge_payment_received, tip_received

        for signal, receiver in (
            (story_published, receivers.story_published),
            (story_reviewed, receivers.story_reviewed),
            (story_picked, receivers.story_picked),
            (comment_posted, receivers.comment_posted),
            (insight_added, receivers.insight_added),
            (story_liked, receivers.story_liked),
            (subscribed, receivers.subscribed),
            (tip_received, receivers.tip_received),
            (pledge_payment_received, receivers.pledge_payment_received),
            (challenge_decided, receivers.challenge_decided),
            (money_notice_made, receivers.money_notice_made),
        ):
            signal.connect(receiver, dispatch_uid=f"notifications.{receiver.__name__}")
        # Proxies (the review queue's Submission) send under their own name.
        for model in apps.get_models():
            if issubclass(model, Story):
                pre_delete.connect(
                    receivers.story_deleting,
                    sender=model,
                    dispatch_uid=f"notifications.story_deleting.{model._meta.label_lower}",
                )
