"""Likes and saves in the admin: for moderators looking into a count, read-only.

Staff may delete a like (a sock puppet's, say): the story's count follows (receivers.py) and its
page is emptied (cached_pages.py), and the deletion is in the admin's history with who did it.
Saves are a reader's private list: staff see them but change nothing.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from reactions.models import Like, SavedStory


class ReadOnlyAdmin(admin.ModelAdmin):
    list_display = ["story", "reader", "created_at"]
    list_select_related = ["story", "reader"]
    search_fields = ["story__title", "reader__username", "reader__display_name"]
    list_filter = ["created_at"]
    date_hierarchy = "created_at"
    readonly_fields = ["story", "reader", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # Viewing stays allowed (view permission); nothing on these rows is edited by staff.
        return False


@admin.register(Like)
class LikeAdmin(ReadOnlyAdmin):
    pass


@admin.register(SavedStory)
class SavedStoryAdmin(ReadOnlyAdmin):
    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
