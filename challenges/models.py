"""Challenges: a brief with a deadline and prizes, the stories entered, the judges' decisions
and the prizes awarded (paid through support's ledger)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.images import DisplaySizesMixin
from core.sanitizer import clean_html
from stories.models import Community, Story


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def time_left(moment: datetime, now: datetime | None = None) -> str:
    """A plain-text countdown: "closes in 3 days", "in 5 hours", "in 12 minutes"."""
    seconds = (moment - (now or timezone.now())).total_seconds()
    if seconds <= 0:
        return "closed"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = int(seconds // size)
            return f"in {n} {unit}{'s' if n != 1 else ''}"
    return "in less than a minute"


class ChallengeQuerySet(models.QuerySet):
    def public(self) -> ChallengeQuerySet:
        """What readers see: everything but drafts."""
        return self.exclude(status=Challenge.Status.DRAFT)

    def with_prize_total(self) -> ChallengeQuerySet:
        total = models.Subquery(
            Prize.objects.filter(challenge=models.OuterRef("pk"))
            .values("challenge")
            .annotate(total=models.Sum("amount"))
            .values("total")[:1]
        )
        return self.annotate(prize_total=models.functions.Coalesce(total, 0))


class Challenge(DisplaySizesMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        JUDGING = "judging", "Judging"
        DECIDED = "decided", "Decided"

    # The order a challenge goes through; staff may move it by hand, the job by date.
    ORDER = [Status.DRAFT, Status.OPEN, Status.JUDGING, Status.DECIDED]

    display_sizes = {"cover": (400, 800, 1200)}

    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    brief = models.TextField(help_text="HTML; sanitised on every save.")
    rules = models.TextField(blank=True, help_text="Plain text, one rule a line.")
    cover = models.ImageField(upload_to="challenges/", blank=True)
    cover_alt = models.CharField("cover description (alt text)", max_length=200, blank=True)
    community = models.ForeignKey(
        Community, on_delete=models.SET_NULL, null=True, blank=True, related_name="challenges"
    )
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    judging_by = models.DateTimeField()
    max_entries_per_creator = models.PositiveSmallIntegerField(default=1)
    mention_amount = models.PositiveIntegerField(
        "prize for each honourable mention", default=0, help_text="Cents; 0 for none."
    )
    currency = models.CharField(max_length=3, default=settings.SUPPORT_CURRENCY, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=models.F("closes_at"))
                & Q(closes_at__lte=models.F("judging_by")),
                name="challenge_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(max_entries_per_creator__gte=1), name="challenge_allows_an_entry"
            ),
        ]
        indexes = [
            # /challenges/ and the home page's open challenges; the job's moves by date.
            models.Index(fields=["status", "closes_at"], name="challenge_status_closes_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.brief = clean_html(self.brief)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("challenges:detail", kwargs={"slug": self.slug})

    def accepts_entries(self, now: datetime | None = None) -> bool:
        """Open by status and by date: [opens_at, closes_at)."""
        now = now or timezone.now()
        return self.status == self.Status.OPEN and self.opens_at <= now < self.closes_at

    def countdown(self, now: datetime | None = None) -> str:
        if self.status == self.Status.OPEN:
            left = time_left(self.closes_at, now)
            return "Closed to entries" if left == "closed" else f"Closes {left}"
        if self.status == self.Status.JUDGING:
            return "Closed to entries: judging"
        if self.status == self.Status.DECIDED:
            return "Decided"
        return "Not open yet"

    def rule_lines(self) -> list[str]:
        return [line.strip() for line in self.rules.splitlines() if line.strip()]


class Prize(models.Model):
    """A place's prize, in minor units (cents)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="prizes")
    place = models.PositiveSmallIntegerField()
    amount = models.PositiveIntegerField(help_text="Cents.")

    class Meta:
        ordering = ["place"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "place"], name="prize_once_per_place"),
            models.CheckConstraint(condition=Q(place__gte=1), name="prize_place_positive"),
        ]

    def __str__(self) -> str:
        return f"{ordinal(self.place)} place"


class EntryQuerySet(models.QuerySet):
    def public(self) -> EntryQuerySet:
        """Entries whose story readers can see: a withdrawn story's entry is gone, an
        unpublished one's hidden (and it cannot win)."""
        return self.filter(story__status=Story.Status.PUBLISHED, story__creator__is_active=True)


class Entry(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="entries")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="challenge_entries")
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="challenge_entries"
    )
    created_at = models.DateTimeField(default=timezone.now)
    shortlisted = models.BooleanField(default=False)
    shortlist_note = models.CharField(max_length=500, blank=True)
    place = models.PositiveSmallIntegerField(null=True, blank=True)
    honourable_mention = models.BooleanField(default=False)
    reason = models.CharField("public reason", max_length=200, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(fields=["challenge", "story"], name="entry_once_per_story"),
            models.UniqueConstraint(
                fields=["challenge", "place"],
                condition=Q(place__isnull=False),
                name="entry_one_per_place",
            ),
            models.CheckConstraint(
                condition=Q(place__isnull=True) | Q(honourable_mention=False),
                name="entry_placed_or_mentioned",
            ),
        ]
        indexes = [
            # The challenge page's entries, newest first.
            models.Index(fields=["challenge", "-created_at"], name="entry_challenge_new_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.story} in {self.challenge}"

    def get_absolute_url(self) -> str:
        return self.story.get_absolute_url()

    @property
    def award_label(self) -> str:
        if self.place:
            return f"{ordinal(self.place)} place"
        if self.honourable_mention:
            return "Honourable mention"
        return ""


class JudgingDecision(models.Model):
    """One step of judging, like a story's review transitions: who, when, what, why."""

    class Action(models.TextChoices):
        SHORTLIST = "shortlist", "Shortlisted"
        UNSHORTLIST = "unshortlist", "Taken off the shortlist"
        PLACE = "place", "Placed"
        MENTION = "mention", "Honourable mention"
        CLEAR = "clear", "Placing cleared"
        STATUS = "status", "Status changed"

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="decisions")
    entry = models.ForeignKey(
        Entry, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    place = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.challenge})"


class Award(models.Model):
    """A prize awarded when a challenge is decided, and whether it was paid. Unique per entry,
    so deciding twice awards once; an unpaid award (a suspended winner) waits for staff."""

    class Status(models.TextChoices):
        PAID = "paid", "Paid"
        UNPAID_SUSPENDED = "unpaid_suspended", "Not paid: winner suspended"
        NO_MONEY = "no_money", "No money prize"

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="awards")
    entry = models.OneToOneField(
        Entry, on_delete=models.SET_NULL, null=True, blank=True, related_name="award"
    )
    # The prize's name in the ledger too (support's LedgerEntry.prize_key): one per entry.
    key = models.CharField(max_length=100, unique=True)
    winner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=40)
    amount = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices)
    ledger_entry_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["challenge", "-created_at"]

    def __str__(self) -> str:
        return f"{self.label} in {self.challenge}: {self.get_status_display()}"

    @property
    def is_unpaid(self) -> bool:
        return self.status == self.Status.UNPAID_SUSPENDED
