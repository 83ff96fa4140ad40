"""Reads in the admin: read-only, for looking into a suspicious count."""

from django.contrib import admin

from stats.models import Read


@admin.register(Read)
class ReadAdmin(admin.ModelAdmin):
    list_display = ["story", "day", "reader", "created_at"]
    list_filter = ["day"]
    search_fields = ["story__title", "reader__username"]
    list_select_related = ["story", "reader"]
    date_hierarchy = "day"
    readonly_fields = ["story", "reader_key", "reader", "day", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
