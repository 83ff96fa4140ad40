"""Admin for communities and stories: the moderators' tool for finding a story fast."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models

from creators.images import SafeImageField
from stories.models import Community, Story, StoryTransition
from stories.services import story_publish

IMAGE_UPLOADS = {models.ImageField: {"form_class": SafeImageField}}


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    formfield_overrides = IMAGE_UPLOADS


class StoryTransitionInline(admin.TabularInline):
    model = StoryTransition
    fields = ("created_at", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "History"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ("title", "creator", "community", "status", "published_at", "reading_time")
    list_filter = ("status", "community", "published_at", "tags")
    list_select_related = ("creator", "community")
    search_fields = (
        "title",
        "subtitle",
        "slug",
        "creator__username",
        "creator__display_name",
        "tags__name",
    )
    date_hierarchy = "published_at"
    autocomplete_fields = ("creator", "community")
    # Status moves only through the lifecycle actions, so every change is recorded.
    readonly_fields = (
        "status",
        "published_at",
        "word_count",
        "reading_time",
        "created_at",
        "updated_at",
    )
    actions = ["publish"]
    inlines = [StoryTransitionInline]
    formfield_overrides = IMAGE_UPLOADS
    fieldsets = (
        (None, {"fields": ("title", "subtitle", "slug", "creator", "community", "tags")}),
        ("Hero image", {"fields": ("hero_image", "hero_caption", "hero_alt")}),
        ("Body", {"fields": ("body",)}),
        (
            "Publication",
            {
                "fields": (
                    "status",
                    "published_at",
                    "word_count",
                    "reading_time",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )
    # Slug is filled from the title on save when left blank.
    prepopulated_fields = {"slug": ("title",)}

    @admin.action(description="Publish selected stories")
    def publish(self, request, queryset) -> None:
        published, refused = 0, []
        for story in queryset.select_related("community"):
            try:
                story_publish(story=story, actor=request.user)
            except ValidationError as error:
                refused.append(f"“{story.title}”: {error.messages[0]}")
            else:
                published += 1
        if published:
            self.message_user(
                request, f"Published {published} stor{'y' if published == 1 else 'ies'}."
            )
        for message in refused:
            self.message_user(request, message, level=messages.WARNING)


@admin.register(StoryTransition)
class StoryTransitionAdmin(admin.ModelAdmin):
    list_display = ("story", "from_status", "to_status", "actor", "created_at")
    list_filter = ("to_status", "created_at")
    list_select_related = ("story", "actor")
    search_fields = ("story__title", "actor__username", "reason")
    readonly_fields = ("story", "from_status", "to_status", "actor", "reason", "created_at")

    def has_add_permission(self, request) -> bool:
        return False
