"""Admin for comments and their reports: staff find comments, read what readers reported, and
hide, remove or restore them, singly or in bulk, with who did it and when recorded.

Both pages are for reading and acting, not editing: a comment's text is its author's, so every
change goes through an action, and through comments.services like the story page's buttons.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from comments.models import Comment, CommentReport
from comments.services import comment_moderate, report_resolve

Status = Comment.Status


def count_comments(n: int) -> str:
    return f"{n} comment{'' if n == 1 else 's'}"


class ReportsFilter(admin.SimpleListFilter):
    title = "reports"
    parameter_name = "reports"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("open", "Open reports"), ("any", "Any reports"), ("none", "No reports")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        reports = CommentReport.objects.filter(comment=OuterRef("pk"))
        if self.value() == "open":
            return queryset.filter(Exists(reports.filter(resolved_at__isnull=True)))
        if self.value() == "any":
            return queryset.filter(Exists(reports))
        if self.value() == "none":
            return queryset.filter(~Exists(reports))
        return queryset


class CommentReportInline(admin.TabularInline):
    model = CommentReport
    fields = ("reporter", "reason", "created_at", "resolved_at", "resolved_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ModerationActions:
    """Hide, remove, restore: the same actions on comments and on the reports about them."""

    def _comments(self, queryset: QuerySet) -> QuerySet[Comment]:
        return queryset

    def _moderate(self, request: HttpRequest, queryset: QuerySet, status: str, verb: str) -> None:
        comments = list(self._comments(queryset))
        done = comment_moderate(comments=comments, status=status, actor=request.user)
        if done:
            self.message_user(request, f"{verb} {count_comments(done)}.", messages.SUCCESS)
        skipped = len(comments) - done
        if skipped:
            self.message_user(
                request,
                f"{count_comments(skipped).capitalize()} left as they were: already "
                f"{Status(status).label.lower()}, or deleted by their authors.",
                messages.WARNING,
            )

    @admin.action(description="Hide selected comments", permissions=["change"])
    def hide(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._moderate(request, queryset, Status.HIDDEN, "Hid")

    @admin.action(description="Remove selected comments", permissions=["change"])
    def remove(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._moderate(request, queryset, Status.REMOVED, "Removed")

    @admin.action(description="Restore selected comments", permissions=["change"])
    def restore(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._moderate(request, queryset, Status.VISIBLE, "Restored")


@admin.register(Comment)
class CommentAdmin(ModerationActions, admin.ModelAdmin):
    list_display = ("excerpt", "author", "story", "status", "created_at", "reports")
    list_filter = ("status", ReportsFilter, "created_at")
    search_fields = (
        "body",
        "author__username",
        "author__display_name",
        "author__email",
        "story__title",
    )
    list_select_related = ("author", "story")
    actions = ("hide", "remove", "restore")
    date_hierarchy = "created_at"
    fields = (
        "story",
        "author",
        "parent",
        "body",
        "status",
        "created_at",
        "edited_at",
        "moderated_by",
        "moderated_at",
    )
    readonly_fields = fields
    inlines = (CommentReportInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                report_count=Count("reports"),
                open_report_count=Count("reports", filter=Q(reports__resolved_at__isnull=True)),
            )
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The list's actions need "change"; the page of one comment is for reading it.
        return obj is None and super().has_change_permission(request)

    @admin.display(description="comment")
    def excerpt(self, comment: Comment) -> str:
        return Truncator(comment.body).chars(80)

    @admin.display(description="reports", ordering="open_report_count")
    def reports(self, comment: Comment) -> str:
        if not comment.report_count:
            return "–"
        return f"{comment.report_count} ({comment.open_report_count} open)"


class ResolvedFilter(admin.SimpleListFilter):
    title = "resolved"
    parameter_name = "resolved"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("no", "Open"), ("yes", "Resolved")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in {"yes", "no"}:
            return queryset.filter(resolved_at__isnull=self.value() == "no")
        return queryset


@admin.register(CommentReport)
class CommentReportAdmin(ModerationActions, admin.ModelAdmin):
    list_display = ("comment_link", "comment_status", "reporter", "reason_excerpt", "created_at")
    list_filter = (ResolvedFilter, "comment__status", "created_at")
    search_fields = ("reason", "reporter__username", "comment__body", "comment__story__title")
    list_select_related = ("reporter", "comment__author", "comment__story")
    actions = ("mark_resolved", "hide", "remove")
    fields = ("comment_link", "reporter", "reason", "created_at", "resolved_at", "resolved_by")
    readonly_fields = fields

    def _comments(self, queryset: QuerySet) -> QuerySet[Comment]:
        return Comment.objects.filter(pk__in=queryset.values("comment_id"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is None and super().has_change_permission(request)

    @admin.action(description="Mark selected reports resolved", permissions=["change"])
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = report_resolve(reports=queryset, actor=request.user)
        self.message_user(
            request, f"Marked {done} report{'' if done == 1 else 's'} resolved.", messages.SUCCESS
        )

    @admin.display(description="comment")
    def comment_link(self, report: CommentReport) -> str:
        comment = report.comment
        return format_html(
            '<a href="{}">{}</a> by {}',
            reverse("admin:comments_comment_change", args=[comment.pk]),
            Truncator(comment.body).chars(60),
            comment.author,
        )

    @admin.display(description="status", ordering="comment__status")
    def comment_status(self, report: CommentReport) -> str:
        return report.comment.get_status_display()

    @admin.display(description="reason")
    def reason_excerpt(self, report: CommentReport) -> str:
        return Truncator(report.reason).chars(80)
