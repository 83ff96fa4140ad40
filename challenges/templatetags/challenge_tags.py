"""Challenge blocks on pages other apps own: the home page's open challenges, and "Enter this
story into a challenge" in the editor (templates compose; stories imports nothing of ours)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from challenges.models import Challenge, Entry, time_left
from core.pagecache import current_versions, get_versioned, set_versioned

register = template.Library()

OPEN_KEY = "challenges:open"
STAMPS = ["challenges"]


def open_challenges() -> list[dict]:
    """Open challenges, closing soonest first, as plain data. 1 query."""
    rows = (
        Challenge.objects.filter(status=Challenge.Status.OPEN)
        .with_prize_total()
        .order_by("closes_at")[:3]
    )
    return [
        {
            "title": c.title,
            "url": c.get_absolute_url(),
            "closes_at": c.closes_at,
            "prize_total": c.prize_total,
            "currency": c.currency,
        }
        for c in rows
    ]


@register.inclusion_tag("challenges/_open_block.html", takes_context=True)
def open_challenges_block(context) -> dict:
    """The home page's block, kept in the cache while no challenge changes (no query then)."""
    request = context.get("request")
    found = get_versioned(OPEN_KEY)
    if found is not None:
        rows = found[0]
    else:
        versions = current_versions(STAMPS)
        rows = open_challenges()
        if request is not None:
            set_versioned(request, OPEN_KEY, rows, versions)
    now = timezone.now()
    rows = [dict(row, left=time_left(row["closes_at"], now)) for row in rows]
    return {"challenges": [row for row in rows if row["left"] != "closed"]}


@register.inclusion_tag("challenges/_enter_block.html", takes_context=True)
def enter_challenge_block(context, story) -> dict:
    """The editor's "Enter this story into a challenge": the open challenges it may enter,
    and those it is in. 2 queries."""
    now = timezone.now()
    entered = list(
        Entry.objects.filter(story=story).select_related("challenge").order_by("-created_at")
    )
    entered_ids = {entry.challenge_id for entry in entered}
    open_now = [
        c
        for c in Challenge.objects.filter(
            status=Challenge.Status.OPEN, opens_at__lte=now, closes_at__gt=now
        ).order_by("closes_at")[:10]
        if c.pk not in entered_ids
    ]
    from challenges.services import entry_problem

    # Only the challenges it may enter: every open one, with why not, would crowd the editor.
    choices = [(c, "") for c in open_now if not entry_problem(challenge=c, story=story, now=now)]
    return {
        "story": story,
        "entered": entered,
        "choices": choices,
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }
