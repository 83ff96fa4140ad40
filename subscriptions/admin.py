"""Admin for subscriptions: who follows whom, searchable by either side."""

from __future__ import annotations

from django.contrib import admin

from subscriptions.models import Subscription


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
