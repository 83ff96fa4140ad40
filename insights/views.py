"""Reader insight views: save or withdraw your insight on a story; both POST, both go back to it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from core import ratelimit
from insights import services
from insights.forms import InsightForm
from stories.models import Story


def get_published_story_or_404(story_id: int) -> Story:
    """A story readers can see; a draft, or a suspended creator's story, is simply not found."""
    return get_object_or_404(
        Story.objects.published().select_related("creator", "community"), pk=story_id
    )


def back_to_insights(story: Story) -> str:
    return story.get_absolute_url() + "#insights"


@require_POST
def insight_save(request: HttpRequest, story_id: int) -> HttpResponse:
    story = get_published_story_or_404(story_id)
    if not request.user.is_authenticated:
        return redirect_to_login(back_to_insights(story))
    form = InsightForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.error_text())
        return redirect(back_to_insights(story))
    try:
        ratelimit.take_for_request(request, "insight")
    except ratelimit.RateLimited as error:
        # A choice of buttons, nothing typed to lose: a page saying when to come back.
        return ratelimit.refused(request, error, back_url=back_to_insights(story))
    try:
        _, created = services.insight_save(
            story=story,
            reader=request.user,
            rating_id=form.cleaned_data["rating"],
            quality_ids=form.cleaned_data["qualities"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if created:
            messages.success(request, f"Thank you: your insight on “{story.title}” is added.")
        else:
            messages.success(request, "Your insight is updated.")
    return redirect(back_to_insights(story))


@require_POST
def insight_withdraw(request: HttpRequest, story_id: int) -> HttpResponse:
    story = get_published_story_or_404(story_id)
    if not request.user.is_authenticated:
        return redirect_to_login(back_to_insights(story))
    if services.insight_withdraw(story=story, reader=request.user):
        messages.success(request, "Your insight is withdrawn.")
    else:
        messages.info(request, "You had no insight on this story to withdraw.")
    return redirect(back_to_insights(story))
