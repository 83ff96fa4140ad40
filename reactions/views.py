"""Like and save buttons (GET asks to confirm, POST does it), and the reader's /library/.

Anonymous readers' buttons are GET forms that lead to the confirmation, so the pages they sit on
carry no CSRF token and one stored copy serves every anonymous reader (core/pagecache.py). Its
POST asks them to log in or sign up and is finished when they do (receivers.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core import ratelimit
from core.links import safe_next
from reactions import selectors, services
from reactions.receivers import remember_pending
from stories.models import Story

# The largest id the database holds: a larger one in the URL names nothing (and would overflow).
MAX_ID = 2**63 - 1


def get_public_story_or_404(story_id: int) -> Story:
    """A story readers can see; a draft, or a suspended creator's story, is simply not found."""
    return get_object_or_404(
        Story.objects.published().select_related("creator", "community"), pk=story_id
    )


def _confirm(request: HttpRequest, story: Story, template: str, back: str) -> HttpResponse:
    state = selectors.reader_state(story_id=story.pk, reader=request.user)
    return render(
        request,
        template,
        {
            "story": story,
            "next": back,
            "state": state,
            "is_creator": request.user.is_authenticated and request.user.pk == story.creator_id,
        },
    )


@require_http_methods(["GET", "POST"])
def like(request: HttpRequest, story_id: int) -> HttpResponse:
    """GET: a page that asks to confirm; POST `action=like|unlike`: do it, back to the story."""
    story = get_public_story_or_404(story_id)
    back = safe_next(request) or story.get_absolute_url()
    if request.method == "GET":
        return _confirm(request, story, "reactions/like_confirm.html", back)
    action = request.POST.get("action", "like")
    if action not in ("like", "unlike"):
        messages.error(request, "Choose Like or Unlike.")
        return redirect(back)
    if not request.user.is_authenticated:
        if action == "like":
            remember_pending(request, "like", story)
            messages.info(
                request, "Log in or sign up to like this story; you’ll come straight back."
            )
        return redirect_to_login(back)
    try:
        ratelimit.take_for_request(request, "like")
    except ratelimit.RateLimited as error:
        return ratelimit.refused(request, error, back_url=back)
    try:
        if action == "like":
            services.like_add(story=story, reader=request.user)
            messages.success(request, f"You like “{story.title}”.")
        else:
            services.like_remove(story=story, reader=request.user)
            messages.info(request, f"You no longer like “{story.title}”.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(back)


@require_http_methods(["GET", "POST"])
def save(request: HttpRequest, story_id: int) -> HttpResponse:
    """GET: a page that asks to confirm; POST `action=save|remove`: do it, back where it was."""
    story = get_public_story_or_404(story_id)
    back = safe_next(request) or story.get_absolute_url()
    if request.method == "GET":
        return _confirm(request, story, "reactions/save_confirm.html", back)
    action = request.POST.get("action", "save")
    if action not in ("save", "remove"):
        messages.error(request, "Choose Save or Remove.")
        return redirect(back)
    if not request.user.is_authenticated:
        if action == "save":
            remember_pending(request, "save", story)
            messages.info(
                request,
                "Log in or sign up to save this story for later; you’ll come straight back.",
            )
        return redirect_to_login(back)
    try:
        ratelimit.take_for_request(request, "save")
    except ratelimit.RateLimited as error:
        return ratelimit.refused(request, error, back_url=back)
    try:
        if action == "save":
            services.save_add(story=story, reader=request.user)
            messages.success(request, f"“{story.title}” is saved in your library.")
        else:
            services.save_remove(story_id=story.pk, reader=request.user)
            messages.info(request, f"“{story.title}” is no longer in your library.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(back)


@login_required
def library(request: HttpRequest) -> HttpResponse:
    """/library/: the reader's saved stories, newest saved first, in keyset pages."""
    page = selectors.library_page(
        reader=request.user, after=request.GET.get("after"), before=request.GET.get("before")
    )
    return render(request, "reactions/library.html", {"page": page})


@require_POST
def library_remove(request: HttpRequest, story_id: int) -> HttpResponse:
    """Take a story out of the library, whether it is still published or not."""
    library_url = reverse("reactions:library")
    if story_id > MAX_ID:
        raise Http404("No such story.")
    if not request.user.is_authenticated:
        return redirect_to_login(library_url)
    back = safe_next(request) or library_url
    if services.save_remove(story_id=story_id, reader=request.user):
        messages.info(request, "Removed from your library.")
    elif not Story.objects.filter(pk=story_id).exists():
        raise Http404("No such story.")
    else:
        messages.info(request, "That story was not in your library.")
    return redirect(back)
