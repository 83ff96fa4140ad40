"""Admin for communities and stories: the moderators' tool for finding a story fast and for
reviewing what creators submit (the review queue), with every decision recorded."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from core.images import SafeImageField
from stories import review
from stories.forms import PickForm, ReasonForm
from stories.models import Community, Story, StoryImport, StoryTransition, Submission
from stories.services import (
    story_pick,
    story_publish,
    story_request_changes,
    story_unpick,
    story_unpublish,
)

IMAGE_UPLOADS = {models.ImageField: {"form_class": SafeImageField}}
# An imported story's original address (issue 18), typed without a scheme, is an https one.
STORY_FIELDS = {**IMAGE_UPLOADS, models.URLField: {"assume_scheme": "https"}}

# What a reviewer compares between a published story and its pending edit (tags come apart).
COMPARED_FIELDS = (
    "title",
    "subtitle",
    "community",
    "hero_image",
    "hero_caption",
    "hero_alt",
    "body",
)


def count_stories(n: int) -> str:
    return f"{n} stor{'y' if n == 1 else 'ies'}"


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    formfield_overrides = IMAGE_UPLOADS


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text="Optional. Kept in the story’s history and sent to the creator by email.",
    )


class ReviewActions:
    """Publish, request changes, unpublish: the lifecycle actions both story admins offer.

    Every one goes through stories.services with the acting staff user, so each step is a
    StoryTransition saying who, when and why. Reviewing takes the "Can change story" permission.
    """

    def has_review_permission(self, request: HttpRequest) -> bool:
        opts = Story._meta
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}")

    def _stories(self, queryset: QuerySet) -> QuerySet[Story]:
        # Plain stories for the services (the queue's rows are a proxy), oldest first.
        return (
            Story.objects.filter(pk__in=queryset.values("pk"))
            .select_related("community")
            .order_by("created_at", "pk")
        )

    def _refusals(self, request: HttpRequest, refused: list[str]) -> None:
        for message in refused:
            self.message_user(request, message, level=messages.WARNING)

    def _confirmation(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        *,
        action: str,
        form: forms.Form,
        title: str,
        intro: str,
        submit: str,
    ) -> TemplateResponse:
        """An intermediate page like Django's delete confirmation, keeping the selection."""
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "submit": submit,
            "optional_label": "Reason (optional)",
            "opts": self.opts,
            "form": form,
            "selected": Story.objects.filter(pk__in=queryset.values("pk"))
            .select_related("creator", "community")
            .order_by("title", "pk"),
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/stories/review_confirmation.html", context)

    @admin.action(description="Publish selected stories", permissions=["review"])
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        new, edits, refused = 0, 0, []
        for story in self._stories(queryset):
            is_edit = story.status == Story.Status.PUBLISHED
            try:
                story_publish(story=story, actor=request.user)
            except ValidationError as error:
                refused.append(f"“{story.title}”: {error.messages[0]}")
            else:
                edits += is_edit
                new += not is_edit
        if new:
            self.message_user(request, f"Published {count_stories(new)}.", messages.SUCCESS)
        if edits:
            self.message_user(
                request, f"Published the changes to {count_stories(edits)}.", messages.SUCCESS
            )
        self._refusals(request, refused)

    @admin.action(description="Request changes to selected stories", permissions=["review"])
    def request_changes(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        # First the confirmation page; its form comes back here with "post" set.
        form = ReasonForm(request.POST if "post" in request.POST else None)
        if not form.is_valid():
            return self._confirmation(
                request,
                queryset,
                action="request_changes",
                form=form,
                title="Request changes",
                intro="Send these back to their creators. Each creator is emailed your note "
                "and sees it in their dashboard; a published story stays up while its "
                "changes are reworked.",
                submit="Send back to the creators",
            )
        sent, refused = 0, []
        for story in self._stories(queryset):
            try:
                story_request_changes(
                    story=story, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                refused.append(f"“{story.title}”: {error.messages[0]}")
            else:
                sent += 1
        if sent:
            whom = "its creator" if sent == 1 else "their creators"
            self.message_user(
                request, f"Sent {count_stories(sent)} back to {whom}.", messages.SUCCESS
            )
        self._refusals(request, refused)
        return None

    @admin.action(description="Unpublish selected stories", permissions=["review"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = UnpublishForm(request.POST if "post" in request.POST else None)
        if not form.is_valid():
            return self._confirmation(
                request,
                queryset,
                action="unpublish",
                form=form,
                title="Unpublish stories",
                intro="These leave every public page at once and go back to their creators "
                "as drafts.",
                submit="Unpublish",
            )
        done, refused = 0, []
        for story in self._stories(queryset):
            # The service would also move a story under review back to draft; unpublishing
            # is for what readers can see, so anything else is refused here.
            if story.status != Story.Status.PUBLISHED:
                refused.append(f"“{story.title}”: it is not published.")
                continue
            try:
                story_unpublish(story=story, actor=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                refused.append(f"“{story.title}”: {error.messages[0]}")
            else:
                done += 1
        if done:
            self.message_user(request, f"Unpublished {count_stories(done)}.", messages.SUCCESS)
        self._refusals(request, refused)
        return None


class StoryTransitionInline(admin.TabularInline):
    model = StoryTransition
    fields = ("created_at", "about", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields
    ordering = ("-created_at", "-pk")
    extra = 0
    can_delete = False
    verbose_name_plural = "History (newest first)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[StoryTransition]:
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        # The history is part of the story: whoever may see the story sees how it got here.
        opts = Story._meta
        return any(
            request.user.has_perm(f"{opts.app_label}.{get_permission_codename(perm, opts)}")
            for perm in ("view", "change")
        )

    @admin.display(description="About")
    def about(self, transition: StoryTransition) -> str:
        return "Changes to the published story" if transition.is_edit else "The story"


class TopStoryFilter(admin.SimpleListFilter):
    title = "Top Story"
    parameter_name = "top"

    def lookups(self, request, model_admin):
        return [("yes", "Picked"), ("no", "Not picked")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(picked_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(picked_at__isnull=True)
        return queryset


@admin.register(Story)
class StoryAdmin(ReviewActions, admin.ModelAdmin):
    list_display = (
        "title",
        "creator",
        "community",
        "status",
        "published_at",
        "reading_time",
        "read_count",
        "like_count",  # issue 16: kept by reactions
        "is_top_story",
    )
    list_filter = ("status", TopStoryFilter, "for_supporters", "community", "published_at", "tags")
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
        "review",
        "published_at",
        "word_count",
        "reading_time",
        "created_at",
        "updated_at",
        "read_count",
        "like_count",
        "picked_at",
        "pick_reason",
        "picked_by",
        "import_key",
    )
    actions = ["publish", "request_changes", "unpublish", "pick", "unpick"]
    inlines = [StoryTransitionInline]
    formfield_overrides = STORY_FIELDS
    fieldsets = (
        (None, {"fields": ("title", "subtitle", "slug", "creator", "community", "tags")}),
        ("Hero image", {"fields": ("hero_image", "hero_caption", "hero_alt")}),
        ("Body", {"fields": ("body",)}),
        (
            "Publication",
            {
                "fields": (
                    "status",
                    "for_supporters",
                    "review",
                    "published_at",
                    "word_count",
                    "reading_time",
                    "read_count",
                    "like_count",
                    "created_at",
                    "updated_at",
                )
            },
        ),
        ("Top Story", {"fields": ("picked_at", "pick_reason", "picked_by")}),
        # Issue 18: an imported story's origin; staff may correct the date or the address.
        (
            "First published elsewhere",
            {"fields": ("first_published_elsewhere", "original_url", "import_key")},
        ),
    )
    # Slug is filled from the title on save when left blank.
    prepopulated_fields = {"slug": ("title",)}

    @admin.display(description="Top Story", boolean=True, ordering="picked_at")
    def is_top_story(self, story: Story) -> bool:
        return story.picked_at is not None

    @admin.action(description="Pick as Top Stories, with a reason", permissions=["review"])
    def pick(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = PickForm(request.POST if "post" in request.POST else None)
        if not form.is_valid():
            return self._confirmation(
                request,
                queryset,
                action="pick",
                form=form,
                title="Pick as Top Stories",
                intro="These lead the home page under Top Stories, newest pick first. Readers "
                "see your reason with each one.",
                submit="Pick",
            )
        done, refused = 0, []
        for story in self._stories(queryset):
            try:
                story_pick(story=story, actor=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                refused.append(f"“{story.title}”: {error.messages[0]}")
            else:
                done += 1
        if done:
            self.message_user(
                request, f"Picked {count_stories(done)} as Top Stories.", messages.SUCCESS
            )
        self._refusals(request, refused)
        return None

    @admin.action(description="Remove from Top Stories", permissions=["review"])
    def unpick(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for story in self._stories(queryset.filter(picked_at__isnull=False)):
            story_unpick(story=story)
            done += 1
        self.message_user(
            request, f"Removed {count_stories(done)} from Top Stories.", messages.SUCCESS
        )

    @admin.display(description="Review")
    def review(self, story: Story) -> str:
        """Where to review it, when the story or its pending changes await review."""
        if story.pk is None:
            return "—"
        edit = getattr(story, "pending_edit", None)
        if story.status == Story.Status.SUBMITTED:
            what = "Awaiting review"
        elif story.status == Story.Status.PUBLISHED and edit is not None:
            if edit.status != edit.Status.SUBMITTED:
                return f"The creator is working on changes ({edit.get_status_display().lower()})."
            what = "Changes awaiting review"
        else:
            return "—"
        url = reverse("admin:stories_submission_change", args=[story.pk])
        return format_html('{}: <a href="{}">open in the review queue</a>', what, url)


@admin.register(StoryTransition)
class StoryTransitionAdmin(admin.ModelAdmin):
    """The lifecycle's record: looked at, never written here. Rows go only with their story."""

    list_display = ("story", "about", "from_status", "to_status", "actor", "reason", "created_at")
    list_filter = ("to_status", "is_edit", "created_at")
    list_select_related = ("story", "actor")
    search_fields = ("story__title", "actor__username", "reason")
    readonly_fields = (
        "story",
        "is_edit",
        "from_status",
        "to_status",
        "actor",
        "reason",
        "created_at",
    )
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    # Delete permission stays as it is so that deleting a story still takes its history along;
    # the history itself offers no way to delete a step.
    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "show_delete": False}
        )

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied

    @admin.display(description="About", boolean=False, ordering="is_edit")
    def about(self, transition: StoryTransition) -> str:
        return "Changes to the published story" if transition.is_edit else "The story"


@admin.register(StoryImport)
class StoryImportAdmin(admin.ModelAdmin):
    """Imports from other platforms (issue 18), to look into when a creator asks; read-only."""

    list_display = ("creator", "format", "status", "done", "total", "created_at", "finished_at")
    list_filter = ("format", "status", "created_at")
    list_select_related = ("creator",)
    search_fields = ("creator__username", "filename")
    exclude = ("archive",)  # the upload: bytes nobody should read here
    readonly_fields = (
        "creator",
        "community",
        "format",
        "filename",
        "status",
        "cancel_requested",
        "total",
        "done",
        "message",
        "report",
        "created_at",
        "finished_at",
    )
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).defer("archive")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# --- the review queue -------------------------------------------------------------------------


class KindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("new", "New story"), ("edit", "Changes to a published story")]

    def queryset(self, request, queryset):
        if self.value() == "new":
            return queryset.filter(status=Story.Status.SUBMITTED)
        if self.value() == "edit":
            return queryset.filter(status=Story.Status.PUBLISHED)
        return queryset


@admin.register(Submission)
class SubmissionAdmin(ReviewActions, admin.ModelAdmin):
    """What awaits review, oldest submission first; a row opens a preview, not a form."""

    list_display = (
        "headline",
        "creator",
        "community_under_review",
        "kind",
        "submitted",
        "waiting",
        "length",
    )
    list_display_links = ("headline",)
    list_filter = (KindFilter, "community")
    list_select_related = ("creator", "community", "pending_edit", "pending_edit__community")
    search_fields = ("title", "pending_edit__title", "creator__username", "creator__display_name")
    actions = ["publish", "request_changes", "unpublish"]
    preview_template = "admin/stories/submission/preview.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Submission]:
        return Submission.objects.awaiting_review()

    def get_ordering(self, request: HttpRequest) -> list[str]:
        # The annotation is not a model field, so this cannot be the `ordering` attribute.
        return ["submitted_at", "pk"]

    # Stories reach the queue by being submitted and leave it by being reviewed: nothing is
    # added, edited or deleted here. Seeing the queue and reviewing follow the Story permissions.
    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        opts = Story._meta
        can_view = request.user.has_perm(
            f"{opts.app_label}.{get_permission_codename('view', opts)}"
        )
        return can_view or self.has_review_permission(request)

    # Not sortable: for an edit this is the edit's title, which the database cannot order by.
    @admin.display(description="Title")
    def headline(self, submission: Submission) -> str:
        return submission.under_review.title

    @admin.display(description="Community")
    def community_under_review(self, submission: Submission) -> Community:
        return submission.under_review.community

    @admin.display(description="Kind")
    def kind(self, submission: Submission) -> str:
        return submission.kind

    @admin.display(description="Submitted", ordering="submitted_at")
    def submitted(self, submission: Submission):
        return submission.submitted_at

    # Issue 16, part 6: how long each has waited; the queue is oldest first, so the longest
    # wait is the top row, and the changelist says it above the list (change_list.html).
    @admin.display(description="Waiting", ordering="submitted_at")
    def waiting(self, submission: Submission) -> str:
        return f"waiting for {review.age_in_words(timezone.now() - submission.submitted_at)}"

    def changelist_view(self, request: HttpRequest, extra_context=None):
        oldest = Submission.objects.awaiting_review().values_list("submitted_at", flat=True)[:1]
        oldest_wait = review.age_in_words(timezone.now() - oldest[0]) if oldest else ""
        extra_context = {
            **(extra_context or {}),
            "oldest_wait": oldest_wait,
            "expected_wait": review.expected_wait(),
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description="Length")
    def length(self, submission: Submission) -> str:
        content = submission.under_review
        return f"{content.word_count:,} words · {content.reading_time} min"

    # -- the preview and its two buttons ------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/publish/",
                wrap(require_POST(self.publish_view)),
                name="{}_{}_publish".format(*info),
            ),
            path(
                "<path:object_id>/request-changes/",
                wrap(require_POST(self.request_changes_view)),
                name="{}_{}_request_changes".format(*info),
            ),
            *super().get_urls(),
        ]

    def _queue_url(self) -> str:
        return reverse("admin:stories_submission_changelist", current_app=self.admin_site.name)

    def _gone(self, request: HttpRequest) -> HttpResponseRedirect:
        self.message_user(
            request, "That story is no longer awaiting review.", level=messages.WARNING
        )
        return HttpResponseRedirect(self._queue_url())

    def _submission(self, request: HttpRequest, object_id: str) -> Submission | None:
        """The story if it is still awaiting review, with what the preview shows."""
        queryset = self.get_queryset(request).select_related(*self.list_select_related)
        try:
            return queryset.get(pk=unquote(object_id))
        except (Submission.DoesNotExist, ValueError, ValidationError):
            return None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A readable preview of what is under review, with the reviewer's two decisions."""
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        submission = self._submission(request, object_id)
        if submission is None:
            return self._gone(request)
        return self._preview(request, submission, ReasonForm())

    def _preview(
        self, request: HttpRequest, submission: Submission, form: ReasonForm
    ) -> TemplateResponse:
        content = submission.under_review
        context = {
            **self.admin_site.each_context(request),
            "title": f"Review “{content.title}”",
            "opts": self.opts,
            "original": submission,
            "submission": submission,
            "content": content,
            # Safe to render as is: StoryContent.save() cleaned it with core.sanitizer,
            # whatever wrote it. Nothing else from the story is marked safe.
            "body": mark_safe(content.body),
            "tags": submission.tag_names_under_review,
            "changed": changed_fields(submission) if submission.is_edit else [],
            "history": submission.transitions.select_related("actor").order_by(
                "-created_at", "-pk"
            ),
            "form": form,
            "can_review": self.has_review_permission(request),
            "has_view_permission": True,
            "story_admin_url": reverse(
                "admin:stories_story_change", args=[submission.pk], current_app=self.admin_site.name
            ),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.preview_template, context)

    def publish_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_review_permission(request):
            raise PermissionDenied
        submission = self._submission(request, object_id)
        if submission is None:
            return self._gone(request)
        story = Story.objects.select_related("community").get(pk=submission.pk)
        try:
            story = story_publish(story=story, actor=request.user)
        except ValidationError as error:
            self.message_user(
                request, f"“{story.title}”: {error.messages[0]}", level=messages.WARNING
            )
        else:
            what = "the changes to " if submission.is_edit else ""
            self.message_user(request, f"Published {what}“{story.title}”.", messages.SUCCESS)
        return HttpResponseRedirect(self._queue_url())

    def request_changes_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_review_permission(request):
            raise PermissionDenied
        submission = self._submission(request, object_id)
        if submission is None:
            return self._gone(request)
        form = ReasonForm(request.POST)
        if not form.is_valid():
            return self._preview(request, submission, form)
        story = Story.objects.select_related("community").get(pk=submission.pk)
        try:
            story_request_changes(
                story=story, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            self.message_user(
                request, f"“{story.title}”: {error.messages[0]}", level=messages.WARNING
            )
        else:
            title, creator = submission.under_review.title, submission.creator
            self.message_user(
                request, f"Sent “{title}” back to {creator} with your note.", messages.SUCCESS
            )
        return HttpResponseRedirect(self._queue_url())


def changed_fields(submission: Submission) -> list[str]:
    """The labels of what a pending edit changes in the published story."""
    edit = submission.pending_edit
    changed = [
        str(Story._meta.get_field(name).verbose_name)
        for name in COMPARED_FIELDS
        if _value(submission, name) != _value(edit, name)
    ]
    if sorted(submission.tags.names()) != sorted(submission.tag_names_under_review):
        changed.append("tags")
    return changed


def _value(content, name: str) -> str:
    # Compare ids for the community and stored names for the image, not the objects.
    return str(getattr(content, "community_id" if name == "community" else name))
