"""Admin for ratings, qualities and reader insights.

Staff add, reword, reorder and retire ratings and qualities. One that readers have used is never
deleted (past insights keep it): it is retired instead, which takes it out of the form only.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from insights.models import Insight, Quality, Rating


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class ChoiceAdmin(admin.ModelAdmin):
    """What ratings and qualities share: usage counts, in-place ordering, retire, no delete."""

    list_editable = ["position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    ordering = ["position", "pk"]
    actions = ["retire", "offer_again"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(usage=Count("insights", distinct=True))

    @admin.display(description="used in insights", ordering="usage")
    def usage(self, obj) -> int:
        return obj.usage

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # A used choice is retired, not deleted: past insights keep showing it.
        # The change page's object carries its annotated usage; otherwise ask the database.
        used = getattr(obj, "usage", None)
        if obj is not None and (used if used is not None else obj.insights.exists()):
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description="Retire selected (stop offering; past insights keep them)")
    def retire(self, request: HttpRequest, queryset: QuerySet) -> None:
        changed = _set_active(queryset.filter(is_active=True), False)
        self.message_user(request, f"Retired {_plural(changed, self.noun)}.", messages.SUCCESS)

    @admin.action(description="Offer selected again")
    def offer_again(self, request: HttpRequest, queryset: QuerySet) -> None:
        changed = _set_active(queryset.filter(is_active=False), True)
        self.message_user(
            request, f"{_plural(changed, self.noun).capitalize()} offered again.", messages.SUCCESS
        )


@admin.register(Rating)
class RatingAdmin(ChoiceAdmin):
    noun = "rating"
    list_display = ["name", "phrase", "position", "is_active", "usage"]
    search_fields = ["name", "phrase"]


@admin.register(Quality)
class QualityAdmin(ChoiceAdmin):
    noun = "quality"
    list_display = ["name", "position", "is_active", "usage"]


@admin.register(Insight)
class InsightAdmin(admin.ModelAdmin):
    """Read-mostly: staff look insights up and may delete an abusive one, but never edit one."""

    list_display = ["story", "reader", "rating", "quality_names", "updated_at"]
    list_select_related = ["story", "reader", "rating"]
    list_filter = ["rating", "qualities", "updated_at"]
    search_fields = ["story__title", "reader__username", "reader__display_name"]
    date_hierarchy = "updated_at"
    readonly_fields = ["story", "reader", "rating", "quality_names", "created_at", "updated_at"]
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Insight]:
        return super().get_queryset(request).prefetch_related("qualities")

    @admin.display(description="qualities")
    def quality_names(self, obj: Insight) -> str:
        return ", ".join(q.name for q in obj.qualities.all()) or "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # Viewing stays allowed (view permission); nothing on an insight is edited by staff.
        return False


def _set_active(queryset: QuerySet, active: bool) -> int:
    """Saved one by one, not update()d: each save empties the cached pages that offer it."""
    rows = list(queryset)
    for row in rows:
        row.is_active = active
        row.save(update_fields=["is_active"])
    return len(rows)
