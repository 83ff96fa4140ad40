"""Communities and stories: what readers read, and the lifecycle that guards what is public."""

from __future__ import annotations

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager

from creators.sanitizer import clean_html, html_to_text, word_count

# Adults read non-fiction at about 238 words a minute (Brysbaert, 2019).
WORDS_PER_MINUTE = 238

# Community pages live at /<slug>/, so a community may not take a top-level path of the site.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "explore",
        "feed",
        "search",
        "authors",
        "write",
        "settings",
        "static",
        "media",
        "accounts",
        "login",
        "logout",
        "signup",
        "contact",
        "privacy",
        "terms",
        "support",
        "pages",
        "api",
        "healthz",
        "sitemap.xml",
        "robots.txt",
        "rss",
        "atom",
        "tag",
        "tags",
        "stories",
        "communities",
        "wallet",
        "dashboard",
        "notifications",
        "subscriptions",
        "supporting",
    }
)


def validate_community_slug(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            "“%(slug)s” is reserved for a page of the site; choose another slug.",
            code="reserved_slug",
            params={"slug": value},
        )


def unique_slug(model: type[models.Model], text: str, *, max_length: int = 80, **scope) -> str:
    """A slug from `text` that no other row of `model` within `scope` uses yet."""
    base = slugify(text)[:max_length].strip("-") or "untitled"
    candidate, n = base, 2
    while model._default_manager.filter(slug=candidate, **scope).exists():
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)] + suffix
        n += 1
    return candidate


class Community(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True, validators=[validate_community_slug])
    description = models.TextField(blank=True)
    logo = models.ImageField(upload_to="communities/", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "communities"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("stories:community", kwargs={"community_slug": self.slug})

    @property
    def initials(self) -> str:
        return "".join(word[0] for word in self.name.split()[:2]).upper()


class StoryQuerySet(models.QuerySet):
    def published(self) -> StoryQuerySet:
        """The only way a public page lists stories: published, by an active account."""
        return self.filter(status=Story.Status.PUBLISHED, creator__is_active=True)

    def for_cards(self) -> StoryQuerySet:
        """What a story card shows, fetched in a constant number of queries."""
        return self.select_related("creator", "community").prefetch_related("tags")

    def visible_to(self, user) -> StoryQuerySet:
        """Published stories for everyone; a creator also sees their own; staff see all."""
        if user.is_authenticated and user.is_staff:
            return self.all()
        published = Q(status=Story.Status.PUBLISHED, creator__is_active=True)
        if user.is_authenticated:
            return self.filter(published | Q(creator=user))
        return self.filter(published)


class Story(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Awaiting review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    subtitle = models.CharField(max_length=300, blank=True)
    slug = models.SlugField(max_length=90, blank=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stories"
    )
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="stories")
    hero_image = models.ImageField(
        upload_to="heroes/%Y/%m/", blank=True, width_field="hero_width", height_field="hero_height"
    )
    hero_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_caption = models.CharField(max_length=300, blank=True)
    hero_alt = models.CharField(
        "hero image alt text",
        max_length=300,
        blank=True,
        help_text="Describes the image for readers who cannot see it.",
    )
    body = models.TextField(blank=True, help_text="HTML; sanitised on every save.")
    tags = TaggableManager(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    word_count = models.PositiveIntegerField(default=0, editable=False)
    reading_time = models.PositiveSmallIntegerField(
        default=1, editable=False, help_text="Minutes, rounded up."
    )

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name_plural = "stories"
        constraints = [
            models.UniqueConstraint(
                fields=["community", "slug"], name="story_slug_unique_in_community"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="story_published_has_date",
            ),
        ]
        indexes = [
            # Explore and the home page: newest published first.
            models.Index(fields=["status", "-published_at"], name="story_status_pub_idx"),
            # A creator's profile lists their published stories, newest first.
            models.Index(
                fields=["creator", "status", "-published_at"], name="story_creator_pub_idx"
            ),
            # A community page lists its published stories, newest first.
            models.Index(
                fields=["community", "status", "-published_at"], name="story_community_pub_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # Sanitise on every save, whatever wrote the body: form, admin, shell or import.
        self.body = clean_html(self.body)
        self.word_count = word_count(html_to_text(self.body))
        self.reading_time = max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))
        if not self.slug:
            self.slug = unique_slug(
                Story, self.title, max_length=90, community_id=self.community_id
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "stories:detail",
            kwargs={"community_slug": self.community.slug, "story_slug": self.slug},
        )

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.creator.is_active


class StoryTransition(models.Model):
    """One step of a story's lifecycle: who moved it, when, and why."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Story.Status.choices)
    to_status = models.CharField(max_length=20, choices=Story.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.story}: {self.from_status} → {self.to_status}"
