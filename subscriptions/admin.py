"""Admin for subscriptions: who follows whom, searchable by either side, and the new-story
emails, where staff see what never went out and send it again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from core.jobs import enqueue
from subscriptions.emails import send_new_story_batch
from subscriptions.models import NewStoryEmail, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("subscriber", "creator", "created_at")
    list_select_related = ("subscriber", "creator")
    list_filter = ("created_at", "subscriber__email_new_stories", "creator__is_active")
    search_fields = (
        "subscriber__username",
        "subscriber__display_name",
        "subscriber__email",
        "creator__username",
        "creator__display_name",
    )
    # Searching an account beats a select with 100,000 options.
    autocomplete_fields = ("subscriber", "creator")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)


@admin.register(NewStoryEmail)
class NewStoryEmailAdmin(admin.ModelAdmin):
    """Every new-story email, and above all the ones that never went out: filter by status."""

    list_display = ("story", "subscriber", "status", "attempts", "sent_at", "last_error")
    list_select_related = ("story", "subscriber")
    list_filter = ("status", "sent_at")
    search_fields = ("subscriber__username", "subscriber__email", "story__title")
    date_hierarchy = "sent_at"
    ordering = ("-sent_at",)
    readonly_fields = ("story", "subscriber", "status", "attempts", "sent_at", "last_error")
    actions = ("send_again",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rows are the fan-out's records, not something staff make

    @admin.action(description="Send the selected unsent emails again")
    def send_again(self, request: HttpRequest, queryset: QuerySet) -> None:
        unsent = queryset.exclude(status=NewStoryEmail.Status.SENT)
        by_story: dict[int, list[int]] = {}
        for story_id, subscriber_id in unsent.values_list("story_id", "subscriber_id"):
            by_story.setdefault(story_id, []).append(subscriber_id)
        with transaction.atomic():
            # Failed, not refused: the batch skips refused addresses, and staff say to try.
            count = unsent.update(status=NewStoryEmail.Status.FAILED)
            for story_id, subscriber_ids in by_story.items():
                enqueue(send_new_story_batch, story_id=story_id, subscriber_ids=subscriber_ids)
        self.message_user(
            request,
            f"Queued {count} email{'s' if count != 1 else ''} to be sent again.",
            messages.SUCCESS,
        )
