"""Communities and stories: what readers read, and the lifecycle that guards what is public."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager

from core.images import DisplaySizesMixin
from core.sanitizer import clean_html, html_to_text, word_count
from stories import body_images

# Display sizes of hero images: card, phone and reading column, reading column at 2x.
HERO_WIDTHS = (400, 800, 1360)

# Adults read non-fiction at about 238 words a minute (Brysbaert, 2019).
WORDS_PER_MINUTE = 238

# Community pages live at /<slug>/, so a community may not take a top-level path of the site.
RESERVED_SLUGS = frozenset(
    {
        "subscribe",
        "unsubscribe",
        "comments",
        "insights",
        "tips",
        "pledges",
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
        "notes",  # issue 16, part 5
        "library",  # issue 16: the reader's saved stories (reactions)
        "leaderboard",  # issue 17: top creators (stats)
        "challenges",  # issue 17
    }
)


def validate_community_slug(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            "“%(slug)s” is reserved for a page of the site; choose another slug.",
            code="reserved_slug",
            params={"slug": value},
        )


def unique_slug(
    model: type[models.Model], text: str, *, max_length: int = 80, exclude_pk=None, **scope
) -> str:
    """A slug from `text` that no other row of `model` within `scope` uses yet."""
    base = slugify(text)[:max_length].strip("-") or "untitled"
    others = model._default_manager.filter(**scope).exclude(pk=exclude_pk)
    candidate, n = base, 2
    while others.filter(slug=candidate).exists():
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)] + suffix
        n += 1
    return candidate


# A community's logo is shown 40 px wide on its stories and 72 px on its own page: these cover
# both on screens up to 3x, so a page never sends the whole upload for a badge.
LOGO_WIDTHS = (80, 144, 216)


class Community(DisplaySizesMixin, models.Model):
    display_sizes = {"logo": LOGO_WIDTHS}

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

    @property
    def cover_tone(self) -> int:
        """Which of the site's COVER_TONES colours this community's generated covers take.

        Communities keep no colour of their own, so it comes from the id: stable through
        renames, and neighbouring communities (made one after another) differ.
        """
        return (self.pk or 0) % COVER_TONES


# How many colours generated covers have: the .cover--tone-<n> rules in static/css/site.css,
# each dark enough for white text (tests/stories/test_covers.py measures them).
COVER_TONES = 8


class CardImage(NamedTuple):
    """The picture a story card shows, and the display sizes (srcset widths) it was made in."""

    file: FieldFile
    width: int
    height: int
    widths: str


# Where StoryQuerySet.for_cards puts a story's tags.
CARD_TAGS = "prefetched_card_tags"


class StoryQuerySet(models.QuerySet):
    def published(self) -> StoryQuerySet:
        """The only way a public page lists stories: published, by an active account."""
        return self.filter(status=Story.Status.PUBLISHED, creator__is_active=True)

    def picked(self) -> StoryQuerySet:
        """Staff picks, newest pick first: the home page's Top Stories."""
        return self.filter(picked_at__isnull=False).order_by("-picked_at", "-pk")

    def for_cards(self) -> StoryQuerySet:
        """What a story card shows, fetched in a constant number of queries.

        The tags go into a plain list (Story.card_tags): prefetched into the taggit manager,
        each card's tags cost a queryset built per story, most of a list page's ORM time.
        """
        tags = models.Prefetch("tags", to_attr=CARD_TAGS)
        return self.select_related("creator", "community").prefetch_related(tags)

    def visible_to(self, user) -> StoryQuerySet:
        """Published stories for everyone; a creator also sees their own; staff see all."""
        if user.is_authenticated and user.is_staff:
            return self.all()
        published = Q(status=Story.Status.PUBLISHED, creator__is_active=True)
        if user.is_authenticated:
            return self.filter(published | Q(creator=user))
        return self.filter(published)


class StoryContent(DisplaySizesMixin, models.Model):
    """What a reader reads: shared by a story and by a pending edit of a published story."""

    display_sizes = {"hero_image": HERO_WIDTHS}

    title = models.CharField(max_length=200)
    subtitle = models.CharField(max_length=300, blank=True)
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
    word_count = models.PositiveIntegerField(default=0, editable=False)
    reading_time = models.PositiveSmallIntegerField(
        default=1, editable=False, help_text="Minutes, rounded up."
    )

    CONTENT_FIELDS = (
        "title", "subtitle", "community", "hero_image", "hero_width", "hero_height",
        "hero_caption", "hero_alt", "body", "word_count", "reading_time",
    )  # fmt: skip

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        # Sanitise on every save, whatever wrote the body: editor, admin, shell or import.
        self.body = clean_html(self.body)
        self.word_count = word_count(html_to_text(self.body))
        self.reading_time = max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))
        kwargs["update_fields"] = self.body_cleaned(kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def body_cleaned(self, update_fields: Iterable[str] | None) -> Iterable[str] | None:
        """For subclasses: what to derive from the just-sanitised body; returns update_fields."""
        return update_fields


class Story(StoryContent):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Awaiting review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        PUBLISHED = "published", "Published"

    slug = models.SlugField(max_length=90, blank=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stories"
    )
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="stories")
    tags = TaggableManager(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept by stats.services.read_record, so a card shows the count without a query.
    read_count = models.PositiveIntegerField(default=0, editable=False)
    # Kept by reactions (its receivers, on every like made or removed), so a card and the
    # story's stored page show the count without a query.
    like_count = models.PositiveIntegerField(default=0, editable=False)
    # A staff pick is a Top Story on the home page, shown with the reason staff gave for it.
    picked_at = models.DateTimeField("picked as a Top Story", null=True, blank=True)
    pick_reason = models.CharField(
        "why it was picked",
        max_length=200,
        blank=True,
        help_text="One short sentence, shown to readers under the story on the home page.",
    )
    picked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # A distinction a floor above gave the story ("1st place: Spring Shorts", set by the
    # challenges app when a challenge is decided), kept on the row so a stored card shows it
    # without a query; saving it bumps the story's page stamps like any other change.
    distinction = models.CharField(max_length=120, blank=True, default="", editable=False)
    distinction_url = models.CharField(max_length=200, blank=True, default="", editable=False)
    # The body's first image when it is one of our uploads (stories/body_images.py), found
    # on save so a list page reads it with its stories: cards without a hero show it.
    body_image = models.ImageField(
        upload_to=f"{body_images.UPLOAD_FOLDER}/",
        blank=True,
        editable=False,
        width_field="body_image_width",
        height_field="body_image_height",
    )
    body_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    body_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # Issue 18: everyone reads the free part (stories.access.split_body); readers whose pledge
    # to the creator is live read the rest. A setting of the story, not of its content: it
    # takes effect at once, without review (stories.services.story_set_for_supporters).
    for_supporters = models.BooleanField(
        "for supporters",
        default=False,
        help_text="Readers who pledge to the creator read the whole story; everyone else "
        "reads up to the supporters break, or its first part.",
    )
    # Issue 18: a story imported from another platform keeps where and when it first appeared,
    # and the key that stops the same archive from importing it twice ("medium:<url>").
    first_published_elsewhere = models.DateTimeField(null=True, blank=True)
    original_url = models.URLField("original address", max_length=500, blank=True)
    import_key = models.CharField(max_length=500, blank=True, default="", editable=False)

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
            models.CheckConstraint(
                condition=Q(picked_at__isnull=True) | ~Q(pick_reason=""),
                name="story_pick_has_reason",
            ),
            # Importing the same archive again skips what it brought the first time; the
            # import looks the keys up, and this keeps two imports at once from racing.
            models.UniqueConstraint(
                fields=["creator", "import_key"],
                condition=~Q(import_key=""),
                name="story_import_key_unique_per_creator",
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
            # The home page's Top Stories: the few picked stories, newest pick first.
            models.Index(
                fields=["-picked_at"], name="story_picked_idx", condition=Q(picked_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
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

    BODY_IMAGE_FIELDS = ("body_image", "body_image_width", "body_image_height")

    def body_cleaned(self, update_fields: Iterable[str] | None) -> Iterable[str] | None:
        """Find the body's first image again, and make its card sizes when it is a new one.

        Nothing is opened while the first image stays the same, so autosaves cost nothing.
        """
        if update_fields is not None and "body" not in update_fields:
            return update_fields
        name = body_images.first_upload(self.body)
        if name != (self.body_image.name or ""):
            if name:
                candidate = self.body_image.field.attr_class(self, self.body_image.field, name)
                name = name if body_images.make_card_sizes(candidate) else ""
            # Assigning the name makes the ImageField read the width and height (or clear them).
            self.body_image = name
        if update_fields is None:
            return None
        return {*update_fields, *self.BODY_IMAGE_FIELDS}

    @property
    def card_image(self) -> CardImage | None:
        """What a card shows above its text: the hero, else the body's first image, else
        None, and the card draws a cover in its community's colour."""
        if self.hero_image:
            widths = " ".join(str(width) for width in HERO_WIDTHS)
            return CardImage(self.hero_image, self.hero_width, self.hero_height, widths)
        if self.body_image and self.body_image_width:
            widths = " ".join(str(width) for width in body_images.CARD_WIDTHS)
            return CardImage(self.body_image, self.body_image_width, self.body_image_height, widths)
        return None

    @property
    def cover_initial(self) -> str:
        """The letter a generated cover shows: the title's first letter or digit."""
        return next((char.upper() for char in self.title if char.isalnum()), "")

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.creator.is_active

    @property
    def is_editable(self) -> bool:
        """A story under review is frozen until it is withdrawn or reviewed."""
        return self.status != self.Status.SUBMITTED

    @property
    def shows_read_count(self) -> bool:
        """Readers see the count only where the creator allows it."""
        return self.creator.show_read_counts

    @property
    def card_tags(self) -> list:
        """The tags a story card shows: fetched with the list by for_cards(), else now."""
        tags = getattr(self, CARD_TAGS, None)
        return list(self.tags.all()) if tags is None else tags


class StoryEdit(StoryContent):
    """Changes to a published story, waiting for review while the published version stays up."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Awaiting review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    story = models.OneToOneField(Story, on_delete=models.CASCADE, related_name="pending_edit")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    tag_names = models.CharField(
        max_length=500, blank=True, help_text="Comma-separated; applied when the edit is published."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "edit of a published story"

    def __str__(self) -> str:
        return f"Edit of “{self.story}”"

    def get_absolute_url(self) -> str:
        return self.story.get_absolute_url()

    @property
    def is_editable(self) -> bool:
        return self.status != self.Status.SUBMITTED


class StoryTransition(models.Model):
    """One step of a story's lifecycle: who moved it, when, and why."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Story.Status.choices)
    to_status = models.CharField(max_length=20, choices=Story.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    # True when the step concerns a pending edit of the published story, not the story itself.
    is_edit = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The review queue's "submitted at" and the dashboard's latest editor's note.
            models.Index(
                fields=["story", "to_status", "-created_at"], name="transition_story_to_idx"
            ),
        ]

    def __str__(self) -> str:
        what = "edit " if self.is_edit else ""
        return f"{self.story}: {what}{self.from_status} → {self.to_status}"


class SubmissionQuerySet(StoryQuerySet):
    def awaiting_review(self) -> SubmissionQuerySet:
        """Submitted stories and published stories with submitted changes, oldest first.

        `submitted_at` is when it last went to review; a story that reached "submitted" without
        a recorded transition (an import, a fixture) falls back to its last change.
        """
        from django.db.models.functions import Coalesce

        last_submitted = (
            StoryTransition.objects.filter(
                story=models.OuterRef("pk"), to_status=Story.Status.SUBMITTED
            )
            .order_by("-created_at", "-pk")
            .values("created_at")[:1]
        )
        return (
            self.filter(
                Q(status=Story.Status.SUBMITTED)
                # A story's edit only counts while the story is public: it replaces what is live.
                | Q(status=Story.Status.PUBLISHED, pending_edit__status=StoryEdit.Status.SUBMITTED)
            )
            .annotate(
                submitted_at=Coalesce(models.Subquery(last_submitted), models.F("updated_at"))
            )
            .order_by("submitted_at", "pk")
        )


class Submission(Story):
    """A story as the review queue sees it: what is awaiting review, new or changed."""

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = "story awaiting review"
        verbose_name_plural = "review queue"

    @property
    def is_edit(self) -> bool:
        """In the queue, a published story is there for its pending edit."""
        return self.status == Story.Status.PUBLISHED

    @property
    def under_review(self) -> StoryContent:
        """What the reviewer approves: the pending edit's content, or the story itself."""
        return self.pending_edit if self.is_edit else self

    @property
    def kind(self) -> str:
        return "Changes to a published story" if self.is_edit else "New story"

    @property
    def tag_names_under_review(self) -> list[str]:
        if self.is_edit:
            return [name.strip() for name in self.pending_edit.tag_names.split(",") if name.strip()]
        return sorted(self.tags.names())


class StoryImport(models.Model):
    """One archive a creator uploaded from another platform, and what importing it did.

    The archive is kept in the row (`archive`), not in a file: the worker that runs the import
    may be on another machine than the web process that took the upload, the database is the
    one store both see, and nothing under MEDIA is public by accident. It is at most
    IMPORT_MAX_BYTES, and emptied as soon as the import ends, however it ends.
    """

    class Format(models.TextChoices):
        MEDIUM = "medium", "Medium"
        SUBSTACK = "substack", "Substack"
        WORDPRESS = "wordpress", "WordPress"
        GHOST = "ghost", "Ghost"
        MARKDOWN = "markdown", "Markdown (Byline export)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)

    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="story_imports"
    )
    # Where the drafts go. An old import must not keep staff from deleting a community.
    community = models.ForeignKey(Community, on_delete=models.SET_NULL, null=True, related_name="+")
    format = models.CharField(max_length=20, choices=Format.choices)
    filename = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    cancel_requested = models.BooleanField(default=False)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # One entry per story: {"title", "outcome", "story_id", "dropped": [...], "notes": [...]}.
    report = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=300, blank=True)
    archive = models.BinaryField(editable=False, default=b"")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The import page lists the creator's latest imports.
            models.Index(fields=["creator", "-created_at"], name="storyimport_creator_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} import by {self.creator} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("stories:import_detail", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED
