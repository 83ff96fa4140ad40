"""Notifications in the admin: for staff looking into what a reader was told, and when."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from notifications import services
from notifications.models import EmailSettings, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "kind", "story", "count", "created_at", "updated_at", "read_at")
    list_select_related = ("recipient", "story", "actor")
    list_filter = ("kind", "email", "in_app", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("recipient__username", "recipient__email", "story__title", "key")
    date_hierarchy = "updated_at"
    ordering = ("-updated_at",)
    readonly_fields = (
        "recipient",
        "kind",
        "key",
        "story",
        "actor",
        "count",
        "data",
        "in_app",
        "email",
        "created_at",
        "updated_at",
        "read_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by the jobs from events, never by hand

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    # Deleting is allowed; the readers' bells are recounted after it.
    def delete_model(self, request: HttpRequest, obj: Notification) -> None:
        super().delete_model(request, obj)
        services.recount([obj.recipient_id])

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        readers = set(queryset.values_list("recipient_id", flat=True))
        super().delete_queryset(request, queryset)
        services.recount(readers)


@admin.register(EmailSettings)
class EmailSettingsAdmin(admin.ModelAdmin):
    list_display = ("user", "mode")
    list_select_related = ("user",)
    list_filter = ("mode",)
    search_fields = ("user__username", "user__email")
    readonly_fields = ("user", "mode")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
