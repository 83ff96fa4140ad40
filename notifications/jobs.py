"""The background jobs that make notifications, one per kind of event, queued by the signal
receivers (notifications.receivers) after the event is committed. Each reads its rows afresh,
says nothing about what is gone or no longer public, and may run twice: notifications are
keyed by their event (Notification.key), so the second run makes nothing new.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.urls import reverse

from challenges.models import Challenge, Entry
from comments.models import Comment
from core.jobs import enqueue_batches, job
from creators.models import User
from notifications import services
from notifications.models import Kind, KindPreference
from stories.announce import creator_to_announce
from stories.models import Story, StoryTransition
from subscriptions.models import Subscription
from support.models import MoneyNotice, PledgePayment, Tip
from support.selectors import money_staff

# Subscribers per batch of the new-story fan-out.
BATCH_SIZE = 500


# --- a new story, to every subscriber, in batches -------------------------------------------


@job
def fan_out_new_story(*, story_id: int) -> int:
    """Hand the new story to the creator's subscribers, one job per batch of ids; returns the
    number of batches. Like subscriptions.emails.fan_out_new_story, whose walk it shares."""
    creator_id = creator_to_announce(story_id)
    if creator_id is None:
        return 0
    subscriptions = Subscription.objects.filter(
        creator_id=creator_id, subscriber__is_active=True
    ).order_by("pk")
    return enqueue_batches(
        notify_new_story_batch,
        subscriptions.values_list("pk", "subscriber_id"),
        batch_size=BATCH_SIZE,
        ids_argument="subscriber_ids",
        story_id=story_id,
    )


@job
def notify_new_story_batch(*, story_id: int, subscriber_ids: list[int]) -> int:
    """Notify these subscribers of the story, checked again now (minutes may have passed);
    returns how many were notified. Run twice, it makes nothing twice."""
    story = Story.objects.published().select_related("creator").filter(pk=story_id).first()
    if story is None:
        return 0
    turned_off = KindPreference.objects.filter(
        user_id__in=subscriber_ids, kind=Kind.NEW_STORY, in_app=False
    ).values("user_id")
    wanting = (
        User.objects.filter(
            pk__in=subscriber_ids, is_active=True, subscriptions__creator=story.creator
        )
        .exclude(pk__in=turned_off)
        .values_list("pk", flat=True)
    )
    return services.notify_many(
        kind=Kind.NEW_STORY,
        recipient_ids=list(wanting),
        key=f"new_story:{story.pk}",
        story=story,
        actor=story.creator,
    )


# --- one reader, one event -------------------------------------------------------------------


@job
def notify_reply(*, comment_id: int) -> None:
    """Tell a commenter that someone answered their comment."""
    comment = (
        Comment.objects.select_related("author", "parent__author", "story__creator")
        .filter(pk=comment_id, parent__isnull=False)
        .first()
    )
    if comment is None or not comment.is_shown or not comment.story.is_public:
        return
    services.notify(
        kind=Kind.COMMENT_REPLY,
        recipient=comment.parent.author,
        key=f"reply:{comment.pk}",
        story=comment.story,
        actor=comment.author,
        data={"comment_id": comment.pk, "detail": _excerpt(comment.body)},
        at=comment.created_at,
    )


def _excerpt(text: str, limit: int = 140) -> str:
    words = " ".join(text.split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


@job
def notify_grouped_event(*, kind: str, story_id: int, actor_id: int, day: str) -> None:
    """Count `actor` in the story creator's group of `kind` for `day` (insights, likes)."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    story = Story.objects.published().select_related("creator").filter(pk=story_id).first()
    actor = User.objects.filter(pk=actor_id, is_active=True).first()
    if story is None or actor is None:
        return
    services.notify_grouped(
        kind=kind,
        recipient=story.creator,
        story=story,
        actor=actor,
        day=date.fromisoformat(day),
    )


@job
def notify_subscriber(*, subscription_id: int) -> None:
    """Tell a creator that a reader subscribed to them."""
    subscription = (
        Subscription.objects.select_related("subscriber", "creator")
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None or not subscription.subscriber.is_active:
        return  # unsubscribed again before the job ran
    services.notify(
        kind=Kind.SUBSCRIBER,
        recipient=subscription.creator,
        key=f"subscriber:{subscription.pk}",
        actor=subscription.subscriber,
        at=subscription.created_at,
    )


@job
def notify_tip(*, tip_id: int) -> None:
    """Tell a creator about a tip, on a story or on their profile."""
    tip = (
        Tip.objects.select_related("creator", "supporter", "story")
        .filter(pk=tip_id, status__in=[Tip.Status.SUCCEEDED, Tip.Status.REFUNDED])
        .first()
    )
    if tip is None:
        return
    services.notify(
        kind=Kind.TIP,
        recipient=tip.creator,
        key=f"tip:{tip.pk}",
        story=tip.story,
        actor=tip.supporter,
        data={"amount": tip.display_amount, "detail": _excerpt(tip.message)},
        at=tip.paid_at,
    )


@job
def notify_pledge(*, payment_id: int) -> None:
    """Tell a creator about a new monthly pledge: its first paid month, not its renewals."""
    payment = (
        PledgePayment.objects.select_related("pledge__creator", "pledge__supporter")
        .filter(pk=payment_id)
        .first()
    )
    if payment is None:
        return
    pledge = payment.pledge
    first = (
        PledgePayment.objects.filter(pledge=pledge, status__in=PledgePayment.PAID)
        .order_by("period_start", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if first != payment.pk:
        return  # a renewal
    services.notify(
        kind=Kind.PLEDGE,
        recipient=pledge.creator,
        key=f"pledge:{pledge.pk}",
        actor=pledge.supporter,
        data={"amount": payment.display_amount},
    )


@job
def notify_money(*, notice_id: int) -> int:
    """Tell the creator, and each staff member who handles money, that money moved at the
    payment provider, with the amounts and the reason; returns how many were told. The
    emails go from support (support.emails.send_money_notice)."""
    notice = MoneyNotice.objects.select_related("creator").filter(pk=notice_id).first()
    if notice is None:
        return 0
    detail = notice.reason
    if notice.balance_change:
        detail = f"{detail} Balance change: {notice.display_change}.".strip()
    told = bool(
        services.notify(
            kind=Kind.MONEY,
            recipient=notice.creator,
            key=f"money:{notice.pk}",
            data={"summary": notice.summary, "detail": detail},
            at=notice.created_at,
        )
    )
    url = reverse("admin:support_moneynotice_change", args=[notice.pk])
    for staff in money_staff().exclude(pk=notice.creator_id):
        told += bool(
            services.notify(
                kind=Kind.MONEY,
                recipient=staff,
                key=f"money:{notice.pk}",
                data={
                    "summary": f"{notice.creator.name}: {notice.summary}",
                    "detail": detail,
                    "url": url,
                },
                at=notice.created_at,
            )
        )
    return told


# What each review step means to its creator.
OUTCOMES = {
    Story.Status.PUBLISHED: "published",
    Story.Status.CHANGES_REQUESTED: "changes_requested",
}


@job
def notify_review(*, transition_id: int) -> None:
    """Tell a creator what review decided about their story, with the reviewer's reason."""
    step = (
        StoryTransition.objects.select_related("story__creator")
        .filter(pk=transition_id)
        .filter(
            Q(to_status__in=list(OUTCOMES))
            | Q(from_status=Story.Status.PUBLISHED, to_status=Story.Status.DRAFT)
        )
        .first()
    )
    if step is None:
        return
    outcome = OUTCOMES.get(step.to_status, "unpublished")
    story = step.story
    services.notify(
        kind=Kind.REVIEW,
        recipient=story.creator,
        key=f"review:{step.pk}",
        story=story,
        actor=None,  # staff decide as the site, not as a person the creator should know
        data={"outcome": outcome, "edit": step.is_edit, "detail": step.reason},
        at=step.created_at,
    )


@job
def notify_pick(*, story_id: int, picked_at: str) -> None:
    """Tell a creator that staff picked their story as a Top Story, with staff's reason."""
    story = (
        Story.objects.published()
        .select_related("creator")
        .filter(pk=story_id, picked_at__isnull=False)
        .first()
    )
    if story is None:
        return  # unpicked or unpublished before the job ran
    services.notify(
        kind=Kind.PICK,
        recipient=story.creator,
        key=f"pick:{story.pk}:{picked_at}",
        story=story,
        data={"detail": story.pick_reason},
    )


@job
def notify_challenge_decided(*, challenge_id: int) -> int:
    """Tell everyone who entered a decided challenge: the winners what they won (with the
    judges' reason), the others that the results are out. One per creator and challenge."""
    challenge = Challenge.objects.filter(pk=challenge_id, status="decided").first()
    if challenge is None:
        return 0
    best: dict[int, Entry] = {}
    for entry in Entry.objects.filter(challenge=challenge).select_related("creator", "story"):
        held = best.get(entry.creator_id)
        if held is None or _award_rank(entry) < _award_rank(held):
            best[entry.creator_id] = entry
    made = 0
    for entry in best.values():
        made += bool(
            services.notify(
                kind=Kind.CHALLENGE,
                recipient=entry.creator,
                key=f"challenge:{challenge.pk}",
                story=entry.story,
                data={
                    "challenge": challenge.title,
                    "award": entry.award_label,
                    "detail": entry.reason if entry.award_label else "",
                    "url": challenge.get_absolute_url(),
                },
                at=challenge.decided_at,
            )
        )
    return made


def _award_rank(entry: Entry) -> tuple[int, int]:
    if entry.place:
        return (0, entry.place)
    return (1, 0) if entry.honourable_mention else (2, 0)


# --- upkeep ----------------------------------------------------------------------------------


@job
def recount_unread(*, user_ids: list[int]) -> None:
    """Set these readers' bells from their rows (after a story and its notifications went)."""
    services.recount(user_ids)


@job
def prune_notifications() -> int:
    return services.notifications_prune()
