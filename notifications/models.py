"""Notifications: what happened to a reader's comments, stories and subscriptions, and what
each reader wants to hear about, on the site and by email.

A notification is one row per recipient and event, named by a `key` unique per recipient
(`reply:<comment id>`), so a job that runs twice makes it once. Likes and insights are grouped:
one row per recipient, kind, story and day (`insights:<story id>:<day>`), whose `count` is the
number of different people and whose `actor` is the latest of them ("12 people liked …").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class Kind(models.TextChoices):
    NEW_STORY = "new_story", "New stories from creators I subscribe to"
    COMMENT_REPLY = "comment_reply", "Replies to my comments"
    INSIGHTS = "insights", "Insights on my stories"
    LIKES = "likes", "Likes on my stories"
    SUBSCRIBER = "subscriber", "New subscribers"
    TIP = "tip", "Tips"
    PLEDGE = "pledge", "New monthly pledges"
    REVIEW = "review", "Review decisions on my stories"
    PICK = "pick", "My stories picked as Top Stories"
    CHALLENGE = "challenge", "Results of challenges I entered"
    MONEY = "money", "Refunds, disputes and payout problems"


# Grouped per recipient, story and day: one row counts the people.
GROUPED = frozenset({Kind.INSIGHTS, Kind.LIKES})

# Kinds another app already emails on its own (Settings → Emails; review decisions always):
# notifications never emails these, so nobody gets the same news twice.
EMAILED_ELSEWHERE = {
    Kind.NEW_STORY: "Emailed on its own: see “Emails” above.",
    Kind.COMMENT_REPLY: "Emailed on its own: see “Emails” above.",
    Kind.REVIEW: "Always emailed on its own.",
    Kind.CHALLENGE: "Always emailed on its own.",
    Kind.MONEY: "Always emailed on its own.",
}

# Emailed unless the reader turns them off. None: the emails readers got before notifications
# came stay all they get until they tick a kind "By email" (the bell tells them meanwhile).
EMAIL_BY_DEFAULT: frozenset[str] = frozenset()

# How long a notification is kept (prune_notifications).
KEEP_DAYS = 90


class NotificationQuerySet(models.QuerySet):
    def listed_for(self, user) -> NotificationQuerySet:
        """The notifications page: the reader's own, shown on the site, latest event first."""
        return (
            self.filter(recipient=user, in_app=True)
            .select_related("actor", "story__community")
            .order_by("-updated_at", "-pk")
        )

    def unread(self) -> NotificationQuerySet:
        return self.filter(in_app=True, read_at__isnull=True)


class Notification(models.Model):
    class Email(models.TextChoices):
        NONE = "", "Not emailed"
        INSTANT = "instant", "Emailed at once"
        DIGEST = "digest", "In the daily digest"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # the unique (recipient, key) pair and the list index lead with it
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What event(s) it stands for, unique per recipient: a job that runs twice makes it once.
    key = models.CharField(max_length=120)
    story = models.ForeignKey(
        "stories.Story", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Who did it; for a group, the latest of them. None: anonymous, or an account since deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # How many different people a group counts; 1 for everything else.
    count = models.PositiveIntegerField(default=1)
    # What the line shows besides names and the title: a reason, an amount, an excerpt.
    data = models.JSONField(default=dict, blank=True)
    # Shown on the site (the reader's "on this site" switch for its kind when it was made).
    in_app = models.BooleanField(default=True)
    email = models.CharField(max_length=10, choices=Email.choices, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    # The latest event: a group moves up when someone joins it.
    updated_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key"),
            models.CheckConstraint(condition=Q(count__gte=1), name="notification_counts_someone"),
        ]
        indexes = [
            # The notifications page: a reader's notifications, latest first.
            models.Index(fields=["recipient", "-updated_at"], name="notification_list_idx"),
            # Recounting a reader's unread notifications (the bell's number).
            models.Index(
                fields=["recipient"],
                name="notification_unread_idx",
                condition=Q(in_app=True, read_at__isnull=True),
            ),
            # The daily digest: the day's notifications waiting for it.
            models.Index(
                fields=["created_at"], name="notification_digest_idx", condition=Q(email="digest")
            ),
            # prune_notifications: the oldest first.
            models.Index(fields=["updated_at"], name="notification_age_idx"),
        ]

    def __str__(self) -> str:
        return self.summary

    def get_absolute_url(self) -> str:
        """Where the line leads: the story, the comment, the subscriber, the wallet, the editor."""
        kind, story = self.kind, self.story
        if kind in (Kind.TIP, Kind.PLEDGE):
            return reverse("support:wallet")
        if kind == Kind.MONEY:
            return self.data.get("url") or reverse("support:wallet")
        if kind == Kind.CHALLENGE and self.data.get("url"):
            return self.data["url"]
        if kind == Kind.SUBSCRIBER:
            return self.actor.get_absolute_url() if self.actor else reverse("stories:dashboard")
        if story is None:
            return reverse("stories:dashboard")
        if kind == Kind.REVIEW and self.data.get("outcome") != "published":
            return reverse("stories:edit", kwargs={"pk": story.pk})
        if kind == Kind.COMMENT_REPLY and self.data.get("comment_id"):
            return f"{story.get_absolute_url()}#comment-{self.data['comment_id']}"
        return story.get_absolute_url()

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def actor_name(self) -> str:
        return self.actor.name if self.actor else "Someone"

    @property
    def summary(self) -> str:
        """The line as the reader reads it, plain text (templates escape it)."""
        who, n, data = self.actor_name, self.count, self.data
        title = f"“{self.story.title}”" if self.story else "a story"
        match self.kind:
            case Kind.NEW_STORY:
                for_supporters = self.story is not None and self.story.for_supporters
                return f"{who} published {title}" + (" for supporters" if for_supporters else "")
            case Kind.COMMENT_REPLY:
                return f"{who} replied to your comment on {title}"
            case Kind.INSIGHTS:
                if n == 1:
                    return f"{who} left an insight on {title}"
                return f"{n} readers left insights on {title}"
            case Kind.LIKES:
                return f"{who} liked {title}" if n == 1 else f"{n} people liked {title}"
            case Kind.SUBSCRIBER:
                return f"{who} subscribed to you"
            case Kind.TIP:
                giver = who if self.actor else "An anonymous reader"
                on = f" for {title}" if self.story else ""
                return f"{giver} tipped you {data.get('amount', '')}{on}"
            case Kind.PLEDGE:
                return f"{who} now supports you with {data.get('amount', '')} a month"
            case Kind.REVIEW:
                return _review_words(data.get("outcome"), title, edit=bool(data.get("edit")))
            case Kind.PICK:
                return f"{title} was picked as a Top Story"
            case Kind.MONEY:
                return data.get("summary", "Money moved at the payment provider")
            case Kind.CHALLENGE:
                challenge = f"“{data.get('challenge', 'a challenge')}”"
                if data.get("award"):
                    return f"{title} won {data['award']} in {challenge}"
                return f"The results of {challenge} are out"
        return title

    @property
    def detail(self) -> str:
        """A second line: the reviewer's reason, the pick's reason, the reply's first words,
        or who joined a group last."""
        if self.kind in GROUPED and self.count > 1:
            return f"Latest: {self.actor_name}"
        return self.data.get("detail", "")


def _review_words(outcome: str | None, title: str, *, edit: bool) -> str:
    changes = "your changes to " if edit else ""
    if outcome == "published":
        return f"Your changes to {title} are published" if edit else f"{title} is published"
    if outcome == "changes_requested":
        return f"Changes were requested on {changes}{title}"
    if outcome == "unpublished":
        return f"{title} was unpublished"
    return f"{title} was reviewed"


class NotificationActor(models.Model):
    """One person counted in a grouped notification, so that liking, un-liking and liking
    again (or withdrawing an insight and leaving it again) counts them once."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "actor"], name="notificationactor_once_per_group"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} in notification {self.notification_id}"


class KindPreference(models.Model):
    """A reader's switches for one kind; without a row, the defaults (on the site: yes; by
    email: EMAIL_BY_DEFAULT)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    in_app = models.BooleanField("on this site", default=True)
    email = models.BooleanField("by email", default=False)

    class Meta:
        constraints = [
            # Also the index of the new-story fan-out's "who turned these off?".
            models.UniqueConstraint(fields=["user", "kind"], name="kindpreference_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"


class EmailSettings(models.Model):
    """How a reader's notification emails go out: at once, in a daily digest, or not at all."""

    class Mode(models.TextChoices):
        INSTANT = "instant", "One email for each notification, as it happens"
        DIGEST = "digest", "One email a day with the day’s notifications"
        OFF = "off", "No notification emails"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.INSTANT)

    class Meta:
        verbose_name = "notification email setting"

    def __str__(self) -> str:
        return f"{self.user_id}: {self.mode}"
