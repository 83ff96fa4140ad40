"""Accounts: every user can publish, so the user model carries the public creator profile."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse

from core.images import DisplaySizesMixin
from core.sanitizer import clean_text

# Avatars are shown at most 72 px wide: these cover that on screens up to 3x.
AVATAR_WIDTHS = (72, 144, 216)

# Columns other apps keep with F() updates: never written by a whole-row save (User.save).
COUNTERS = frozenset({"unread_notifications"})


class User(DisplaySizesMixin, AbstractUser):
    display_name = models.CharField(
        max_length=100,
        blank=True,
        help_text="Shown on stories and the profile instead of the username.",
    )
    bio = models.TextField(
        blank=True, help_text="Plain text; links become clickable. Shown under “About the Creator”."
    )
    # The bio as readers see it, made once on save by the one sanitiser.
    bio_html = models.TextField(blank=True, editable=False)
    avatar = models.ImageField(upload_to="avatars/%Y/%m/", blank=True)

    display_sizes = {"avatar": AVATAR_WIDTHS}

    # Which emails the person wants; each one also carries a link to turn it off.
    email_new_stories = models.BooleanField(
        "new stories from creators I subscribe to", default=True
    )
    email_comment_replies = models.BooleanField("replies to my comments", default=True)
    email_story_activity = models.BooleanField("comments and insights on my stories", default=True)
    show_read_counts = models.BooleanField(
        "show read counts on my stories",
        default=True,
        help_text="Readers see how many people read each story. You always see it in your stats.",
    )
    # Issue 16, part 5: private notes from readers (the notes app). On the row the story page
    # already loads, so whether to offer the note costs no query and changing it empties the
    # stored story pages (creator:<id>).
    accepts_notes = models.BooleanField(
        "accept private notes from readers",
        default=True,
        help_text="Signed-in readers can select a passage of your story and send you a private "
        "note about it, such as a typo, a source or a thank-you.",
    )
    # The header's bell reads this from the row every signed-in request loads anyway, so it
    # costs no query. Kept by the notifications app alone (F() updates, recounted on "mark as
    # read"); a whole-row save leaves it out (save() below), so a form loaded before a new
    # notification cannot write back an old number.
    unread_notifications = models.PositiveIntegerField(default=0, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.bio_html = clean_text(self.bio)
        whole_row = not args and kwargs.get("update_fields") is None
        if whole_row and not self._state.adding and not kwargs.get("force_insert"):
            # (Fields left unloaded by only()/defer() stay unsaved, as Django itself does.)
            skip = COUNTERS | self.get_deferred_fields()
            kwargs["update_fields"] = [
                field.attname
                for field in self._meta.concrete_fields
                if not field.primary_key and field.attname not in skip
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("stories:profile", kwargs={"username": self.username})

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def initials(self) -> str:
        """Two letters for the avatar placeholder: "Amelia Wilson" → "AW"."""
        words = [w for w in self.name.split() if w[:1].isalnum()]
        if not words:
            return "?"
        if len(words) == 1:
            return words[0][:2].upper()
        return (words[0][0] + words[-1][0]).upper()


class SocialLink(models.Model):
    class Network(models.TextChoices):
        WEBSITE = "website", "Website"
        MASTODON = "mastodon", "Mastodon"
        BLUESKY = "bluesky", "Bluesky"
        X = "x", "X (Twitter)"
        INSTAGRAM = "instagram", "Instagram"
        FACEBOOK = "facebook", "Facebook"
        LINKEDIN = "linkedin", "LinkedIn"
        YOUTUBE = "youtube", "YouTube"
        TIKTOK = "tiktok", "TikTok"
        GITHUB = "github", "GitHub"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="social_links")
    network = models.CharField(max_length=20, choices=Network.choices)
    url = models.URLField(max_length=300)

    class Meta:
        ordering = ["network"]
        constraints = [
            models.UniqueConstraint(fields=["user", "network"], name="sociallink_one_per_network"),
        ]

    def __str__(self) -> str:
        return f"{self.get_network_display()}: {self.url}"

    def get_absolute_url(self) -> str:
        return self.url
