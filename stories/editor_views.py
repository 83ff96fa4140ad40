"""The creator's side: dashboard, editor with autosave and preview, submit, withdraw, delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import Prefetch, Q
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.images import process_upload
from core.ratelimit import RateLimited, take_for_request
from stories import review, services
from stories.export import build_export, export_filename
from stories.forms import StoryForm
from stories.models import Story, StoryContent, StoryEdit, StoryTransition
from stories.uploads import upload_save


def get_own_story_or_404(request: HttpRequest, pk: int) -> Story:
    """The signed-in creator's own story; anyone else's is not found, never forbidden."""
    return get_object_or_404(
        Story.objects.select_related("community", "creator", "pending_edit"),
        pk=pk,
        creator=request.user,
    )


def working_copy(story: Story) -> StoryContent:
    """What the editor shows: the pending edit of a published story, else the story itself."""
    if story.status == Story.Status.PUBLISHED:
        return getattr(story, "pending_edit", None) or story
    return story


def latest_reason(story: Story) -> str:
    transition = story.transitions.filter(to_status=Story.Status.CHANGES_REQUESTED).first()
    return transition.reason if transition else ""


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    # Why staff sent a story back, or took it down: the creator reads it on the dashboard.
    staff_notes = Q(to_status=Story.Status.CHANGES_REQUESTED) | Q(
        from_status=Story.Status.PUBLISHED, to_status=Story.Status.DRAFT, is_edit=False
    )
    requests = Prefetch(
        "transitions",
        queryset=StoryTransition.objects.filter(staff_notes),
        to_attr="change_requests",
    )
    stories = list(
        Story.objects.filter(creator=request.user)
        .select_related("community", "pending_edit")
        .prefetch_related(requests)
        .order_by("-updated_at")
    )
    groups = {status: [] for status in Story.Status}
    for story in stories:
        groups[Story.Status(story.status)].append(story)
    # Issue 16, part 6: where each story under review is in the queue, and the wait to expect
    # (two more queries, only for a creator with something under review; the wait is cached).
    expected_wait = ""
    in_review = [story for story in stories if review.is_in_review(story)]
    if in_review:
        places = review.queue_places()
        for story in in_review:
            story.review_place = places.get(story.pk)
        expected_wait = review.expected_wait()
    sections = [
        (Story.Status.CHANGES_REQUESTED, "Changes requested", "Your editor asked for changes."),
        (Story.Status.DRAFT, "Drafts", "Only you can see these."),
        (Story.Status.SUBMITTED, "Awaiting review", "Our editors read every story first."),
        (Story.Status.PUBLISHED, "Published", "Live for everyone."),
    ]
    return render(
        request,
        "stories/dashboard.html",
        {
            "sections": [(label, note, groups[status]) for status, label, note in sections],
            "total": len(stories),
            "expected_wait": expected_wait,
        },
    )


def _handle_editor_post(request: HttpRequest, story: Story | None) -> HttpResponse:
    content = working_copy(story) if story else None
    if request.FILES.get("hero_image"):
        try:
            take_for_request(request, "upload")
        except RateLimited as error:
            return _upload_refused(request, story, content, error)
    form = StoryForm(request.POST, request.FILES, content=content)
    action = request.POST.get("action", "save")
    if form.is_valid():
        try:
            if story is None:
                story = services.story_create(
                    creator=request.user, data=form.content_data(), tags=form.cleaned_data["tags"]
                )
            else:
                services.story_update(
                    story=story, data=form.content_data(), tags=form.cleaned_data["tags"]
                )
            services.story_set_for_supporters(
                story=story,
                actor=request.user,
                for_supporters=form.cleaned_data["for_supporters"],
            )
            if action == "submit":
                services.story_submit(story=story, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if action == "submit":
                messages.success(
                    request,
                    f"“{story.title}” is submitted. Our editors will review it; you will get an "
                    "email when they have.",
                )
                return redirect("stories:dashboard")
            if action == "preview":
                return redirect("stories:preview", pk=story.pk)
            messages.success(request, "Saved.")
            return redirect("stories:edit", pk=story.pk)
    return render(request, "stories/editor.html", _editor_context(story, form), status=400)


def _upload_refused(
    request: HttpRequest, story: Story | None, content: StoryContent | None, error: RateLimited
) -> HttpResponse:
    """The editor again, with what was typed and why the image was not taken; nothing saved.

    The image is left out before the form is cleaned, so it is never decoded.
    """
    form = StoryForm(request.POST, content=content)
    form.is_valid()
    form.add_error("hero_image", error)
    response = render(request, "stories/editor.html", _editor_context(story, form), status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


def _editor_context(story: Story | None, form: StoryForm) -> dict[str, object]:
    content = working_copy(story) if story else None
    return {
        "story": story,
        "content": content,
        "form": form,
        "is_edit_of_published": isinstance(content, StoryEdit),
        "reason": latest_reason(story) if story else "",
        "frozen": content is not None and not content.is_editable,
        # Where uploaded images live: the editor keeps only images from there.
        "media_url": default_storage.url(""),
        "autosave_url": (
            reverse("stories:autosave", kwargs={"pk": story.pk})
            if story
            else reverse("stories:autosave_new")
        ),
    }


@login_required
def story_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _handle_editor_post(request, None)
    return render(request, "stories/editor.html", _editor_context(None, StoryForm()))


@login_required
def story_edit(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_own_story_or_404(request, pk)
    if request.method == "POST":
        return _handle_editor_post(request, story)
    form = StoryForm(content=working_copy(story))
    return render(request, "stories/editor.html", _editor_context(story, form))


@login_required
@require_POST
def story_autosave(request: HttpRequest, pk: int | None = None) -> JsonResponse:
    """Saves what the creator has typed so far; the editor's script calls it while they type."""
    story = get_own_story_or_404(request, pk) if pk else None
    # Files are never autosaved: the script leaves them out, and an upload waits for "Save".
    form = StoryForm(request.POST, content=working_copy(story) if story else None)
    form.fields["hero_image"].disabled = True
    form.fields["hero_alt"].required = False
    if not form.is_valid():
        errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
        errors.pop("hero_alt", None)
        if errors:
            return JsonResponse({"saved": False, "errors": errors}, status=400)
    data = form.content_data()
    data.pop("hero_image", None)
    try:
        if story is None:
            story = services.story_create(
                creator=request.user, data=data, tags=form.cleaned_data["tags"]
            )
        else:
            services.story_update(story=story, data=data, tags=form.cleaned_data["tags"])
    except ValidationError as error:
        return JsonResponse({"saved": False, "errors": {"__all__": error.messages}}, status=409)
    return JsonResponse(
        {
            "saved": True,
            "saved_at": timezone.now().isoformat(),
            "edit_url": reverse("stories:edit", kwargs={"pk": story.pk}),
            "autosave_url": reverse("stories:autosave", kwargs={"pk": story.pk}),
            "preview_url": reverse("stories:preview", kwargs={"pk": story.pk}),
        }
    )


@login_required
def story_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The story exactly as readers will see it, from what the creator has saved."""
    story = get_own_story_or_404(request, pk)
    content = working_copy(story)
    if isinstance(content, StoryEdit):
        # Show the edit through the reader's template without touching the published story.
        shown = Story(
            pk=story.pk,
            creator=story.creator,
            slug=story.slug,
            status=story.status,
            published_at=story.published_at,
        )
        for field in StoryContent.CONTENT_FIELDS:
            setattr(shown, field, getattr(content, field))
        tags = [{"name": n.strip(), "slug": ""} for n in content.tag_names.split(",") if n.strip()]
    else:
        shown, tags = story, list(story.tags.all())
    return render(
        request,
        "stories/story_detail.html",
        {"story": shown, "tags": tags, "preview": True, "editor_story": story},
    )


@login_required
@require_POST
def story_submit(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_own_story_or_404(request, pk)
    try:
        services.story_submit(story=story, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("stories:edit", pk=story.pk)
    messages.success(request, f"“{story.title}” is submitted for review.")
    return redirect("stories:dashboard")


@login_required
@require_POST
def story_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_own_story_or_404(request, pk)
    try:
        services.story_withdraw(story=story, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Withdrawn from review. You can edit it again.")
    return redirect("stories:edit", pk=story.pk)


@login_required
@require_POST
def story_discard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_own_story_or_404(request, pk)
    try:
        services.story_discard_edit(story=story, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Your changes were discarded; the published version stays.")
    return redirect("stories:dashboard")


@login_required
def story_delete(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_own_story_or_404(request, pk)
    if request.method == "POST":
        title = story.title
        services.story_delete(story=story, actor=request.user)
        messages.success(request, f"“{title}” was deleted.")
        return redirect("stories:dashboard")
    return render(request, "stories/confirm_delete.html", {"story": story})


@login_required
@require_POST
def image_upload(request: HttpRequest) -> JsonResponse:
    """An image for inside a story body, through the one image module; answers with its URL."""
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"error": "Choose an image to upload."}, status=400)
    try:
        # Counted before decoding: a refused upload costs nothing.
        take_for_request(request, "upload")
    except RateLimited as error:
        response = JsonResponse({"error": error.messages[0]}, status=429)
        response["Retry-After"] = str(error.retry_after)
        return response
    try:
        clean = process_upload(upload)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    # Kept from now on; stories.uploads deletes it a day later if no story uses it.
    name = upload_save(user_id=request.user.pk, image=clean, suffix=_suffix(clean.name))
    return JsonResponse({"url": default_storage.url(name)}, status=201)


def _suffix(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponse:
    """GET explains what the zip holds; POST downloads it, drafts included: their words."""
    user = request.user
    if request.method == "POST":
        return FileResponse(
            build_export(user=user),
            as_attachment=True,
            filename=export_filename(user=user),
            content_type="application/zip",
        )
    return render(request, "stories/export.html", {"story_count": user.stories.count()})
