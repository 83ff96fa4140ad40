"""Challenge pages: /challenges/ and /challenges/<slug>/, and entering or withdrawing a story."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from challenges import services
from challenges.models import Challenge, Entry, Prize
from core.links import safe_next
from stories.models import Story

Status = Challenge.Status


def get_challenge_or_404(request: HttpRequest, slug: str) -> Challenge:
    """A challenge readers may see: drafts only to staff."""
    challenges = Challenge.objects.with_prize_total().select_related("community")
    if not (request.user.is_authenticated and request.user.is_staff):
        challenges = challenges.public()
    return get_object_or_404(challenges, slug=slug)


def challenge_list(request: HttpRequest) -> HttpResponse:
    """Open challenges first (closing soonest first), then being judged, then decided. 1 query."""
    rows = list(Challenge.objects.public().with_prize_total().order_by("closes_at"))
    now = timezone.now()
    return render(
        request,
        "challenges/list.html",
        {
            "open": [c for c in rows if c.status == Status.OPEN],
            "judging": [c for c in rows if c.status == Status.JUDGING],
            "decided": sorted(
                (c for c in rows if c.status == Status.DECIDED),
                key=lambda c: c.decided_at or c.closes_at,
                reverse=True,
            ),
            "now": now,
        },
    )


def enterable_stories(user, challenge: Challenge, entered: set[int]) -> list[Story]:
    """The user's stories that may be entered now (one query)."""
    if not user.is_authenticated or not challenge.accepts_entries():
        return []
    stories = Story.objects.filter(
        creator=user,
        created_at__gte=challenge.opens_at,
        status__in=services.ENTERABLE,
    ).order_by("-created_at")
    if challenge.community_id:
        stories = stories.filter(community_id=challenge.community_id)
    return [story for story in stories[:50] if story.pk not in entered]


def challenge_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The brief, rules, countdown, entries (newest first, with a count) and the winners."""
    challenge = get_challenge_or_404(request, slug)
    prizes = list(Prize.objects.filter(challenge=challenge))
    entries = list(
        Entry.objects.public()
        .filter(challenge=challenge)
        .select_related("story__community", "story__creator")
    )
    winners = sorted(
        (e for e in entries if e.place or e.honourable_mention),
        key=lambda e: (e.place is None, e.place or 0),
    )
    mine: list[Entry] = []
    stories: list[Story] = []
    if request.user.is_authenticated:
        mine = list(
            Entry.objects.filter(challenge=challenge, creator=request.user).select_related("story")
        )
        stories = enterable_stories(request.user, challenge, {e.story_id for e in mine})
    return render(
        request,
        "challenges/detail.html",
        {
            "challenge": challenge,
            "prizes": prizes,
            "entries": entries,
            "winners": winners if challenge.status == Status.DECIDED else [],
            "mine": mine,
            "stories": stories,
            "accepts_entries": challenge.accepts_entries(),
            "entries_left": max(challenge.max_entries_per_creator - len(mine), 0),
        },
    )


def _back(request: HttpRequest, challenge: Challenge) -> HttpResponse:
    return redirect(safe_next(request) or challenge.get_absolute_url())


@login_required
@require_POST
def enter(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = get_challenge_or_404(request, slug)
    raw = request.POST.get("story", "")
    story = None
    if raw.isdigit() and len(raw) < 19:
        story = Story.objects.filter(pk=int(raw), creator=request.user).first()
    if story is None:
        messages.error(request, "Choose one of your stories to enter.")
        return _back(request, challenge)
    try:
        services.entry_create(challenge=challenge, story=story, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{story.title}” is entered in “{challenge.title}”.")
    return _back(request, challenge)


@login_required
@require_POST
def withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    challenge = get_challenge_or_404(request, slug)
    entry = get_object_or_404(
        Entry.objects.select_related("challenge", "story"),
        pk=pk,
        challenge=challenge,
        creator=request.user,
    )
    try:
        services.entry_withdraw(entry=entry, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{entry.story.title}” is withdrawn.")
    return _back(request, challenge)
