"""Signal receivers, connected in NotificationsConfig.ready(): each queues the job that makes
the notification (notifications.jobs), so the request that caused the event does no more than
queue it. The signals are sent once the event is committed, by the apps below.
"""

from __future__ import annotations

from django.utils import timezone

from core.jobs import enqueue
from notifications import jobs
from notifications.models import Kind, Notification


def story_published(sender, story, **kwargs) -> None:
    """stories.signals.story_published: a new story for the creator's subscribers."""
    enqueue(jobs.fan_out_new_story, story_id=story.pk)


def comment_posted(sender, comment, **kwargs) -> None:
    """comments.signals.comment_posted: a reply tells the commenter it answers."""
    if comment.parent_id is not None:
        enqueue(jobs.notify_reply, comment_id=comment.pk)


def grouped(kind: str, *, story_id: int, actor_id: int) -> None:
    """Queue counting `actor_id` in the story creator's group of `kind` for today.

    The day is the event's, taken here: a job that runs after midnight still counts it in the
    day it happened.
    """
    enqueue(
        jobs.notify_grouped_event,
        kind=kind,
        story_id=story_id,
        actor_id=actor_id,
        day=timezone.localdate().isoformat(),
    )


def insight_added(sender, insight, **kwargs) -> None:
    """insights.signals.insight_added: "3 readers left insights on …"."""
    grouped(Kind.INSIGHTS, story_id=insight.story_id, actor_id=insight.reader_id)


def story_liked(sender, like=None, story=None, reader=None, **kwargs) -> None:
    """reactions.signals.story_liked(like, story, reader): "12 people liked …"."""
    grouped(Kind.LIKES, story_id=story.pk, actor_id=reader.pk)


def subscribed(sender, subscription, **kwargs) -> None:
    """subscriptions.signals.subscribed: a creator has a new subscriber."""
    enqueue(jobs.notify_subscriber, subscription_id=subscription.pk)


def tip_received(sender, tip, **kwargs) -> None:
    enqueue(jobs.notify_tip, tip_id=tip.pk)


def pledge_payment_received(sender, payment, **kwargs) -> None:
    # The job tells a pledge's first month from its renewals.
    enqueue(jobs.notify_pledge, payment_id=payment.pk)


def money_notice_made(sender, notice, **kwargs) -> None:
    """support.signals.money_notice_made: the creator and staff hear of a refund, dispute,
    returned transfer or payout problem."""
    enqueue(jobs.notify_money, notice_id=notice.pk)


def story_reviewed(sender, story, transition, **kwargs) -> None:
    enqueue(jobs.notify_review, transition_id=transition.pk)


def story_picked(sender, story, **kwargs) -> None:
    # The pick's moment names it, so a story picked, unpicked and picked again is told twice.
    enqueue(jobs.notify_pick, story_id=story.pk, picked_at=story.picked_at.isoformat())


def challenge_decided(sender, challenge, **kwargs) -> None:
    """challenges.signals.challenge_decided: the winners and everyone who entered."""
    enqueue(jobs.notify_challenge_decided, challenge_id=challenge.pk)


def story_deleting(sender, instance, **kwargs) -> None:
    """pre_delete of a story: its notifications go with it (CASCADE), so the bells of readers
    who had them unread are recounted once the deletion is committed."""
    readers = list(
        Notification.objects.unread()
        .filter(story=instance)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    for start in range(0, len(readers), 1000):
        enqueue(jobs.recount_unread, user_ids=readers[start : start + 1000])
