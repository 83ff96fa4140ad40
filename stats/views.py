"""The read beacon, and the creator's stats page."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from stats.services import read_record, reader_key_for
from stories.models import Story

# What read-tracker.js sends as the browser's id: a random UUID it keeps in localStorage.
BROWSER_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


# Exempt from CSRF so the story page carries no token and stays cacheable; the worst a forged
# request can do is count one read per reader per story per day, which the key already caps.
@csrf_exempt
@require_POST
def read_beacon(request: HttpRequest, pk: int) -> HttpResponse:
    """POSTed by read-tracker.js once the reader has scrolled through or stayed long enough."""
    story = get_object_or_404(Story.objects.published().select_related("creator"), pk=pk)
    browser_id = request.POST.get("reader", "")
    key = reader_key_for(
        user=request.user,
        browser_id=browser_id if BROWSER_ID.fullmatch(browser_id) else "",
        address=request.META.get("REMOTE_ADDR", ""),
        agent=request.META.get("HTTP_USER_AGENT", "")[:200],
    )
    read_record(story=story, reader_key=key, user=request.user)
    # Counted or not, the answer is the same: the page has nothing to update.
    return HttpResponse(status=204)
