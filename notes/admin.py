"""Admin for notes: moderators find notes (those creators reported first), read them, resolve
reports and delete notes. A note is its reader's words to one creator, so nothing is edited
here; deleting is the admin's own action (recorded in its history with the acting user), and
resolving a report records who did it and when."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator

from notes.models import Note
from notes.services import report_resolve


class ReportedFilter(admin.SimpleListFilter):
    title = "reports"
    parameter_name = "reported"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("open", "Open reports"), ("any", "Reported"), ("none", "Not reported")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "open":
            return queryset.filter(reported_at__isnull=False, report_resolved_at__isnull=True)
        if self.value() == "any":
            return queryset.filter(reported_at__isnull=False)
        if self.value() == "none":
            return queryset.filter(reported_at__isnull=True)
        return queryset


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ("excerpt", "reader", "creator", "story", "created_at", "state", "report")
    list_filter = (ReportedFilter, "created_at", "replied_at")
    search_fields = (
        "body",
        "quote",
        "reply",
        "report_reason",
        "reader__username",
        "reader__email",
        "creator__username",
        "story__title",
    )
    list_select_related = ("reader", "creator", "story")
    actions = ("resolve_reports",)  # and the admin's own "Delete selected notes"
    date_hierarchy = "created_at"
    fields = (
        "story",
        "reader",
        "creator",
        "quote",
        "body",
        "created_at",
        "done_at",
        "reply",
        "replied_at",
        "reported_at",
        "report_reason",
        "report_resolved_at",
        "report_resolved_by",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The list's actions need "change"; the page of one note is for reading it.
        return obj is None and super().has_change_permission(request)

    @admin.action(description="Mark reports on selected notes resolved", permissions=["change"])
    def resolve_reports(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = report_resolve(notes=queryset, actor=request.user)
        if done:
            self.message_user(
                request, f"Resolved {done} report{'' if done == 1 else 's'}.", messages.SUCCESS
            )
        else:
            self.message_user(request, "None of the selected notes had an open report.")

    @admin.display(description="note")
    def excerpt(self, note: Note) -> str:
        return Truncator(note.body).chars(80)

    @admin.display(description="state", ordering="done_at")
    def state(self, note: Note) -> str:
        replied = ", replied" if note.has_reply else ""
        return ("done" if note.is_done else "open") + replied

    @admin.display(description="report", ordering="reported_at")
    def report(self, note: Note) -> str:
        if not note.is_reported:
            return "–"
        return "resolved" if note.report_resolved_at else "open"
