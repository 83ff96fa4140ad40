"""Emails `stories` sends its creators: the outcome of a review.

Background jobs (core.jobs). Sending is each job's last step, so a job is retried only when
its one email was not sent.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from core.jobs import job
from core.links import absolute
from stories.models import Story


def _context(story: Story, **extra: object) -> dict[str, object]:
    return {
        "story": story,
        "creator": story.creator,
        "story_url": absolute(story.get_absolute_url()),
        "editor_url": absolute(f"/write/{story.pk}/"),
        "SITE_NAME": settings.SITE_NAME,
        **extra,
    }


@job
def send_unpublished(*, story_id: int, reason: str = "") -> None:
    story = Story.objects.select_related("creator", "community").get(pk=story_id)
    if story.creator.email:
        body = render_to_string("emails/story_unpublished.txt", _context(story, reason=reason))
        subject = f"“{story.title}” was unpublished"
        send_mail(subject, body, None, [story.creator.email])


@job
def send_review_outcome(*, story_id: int, published: bool, edit: bool, reason: str = "") -> None:
    story = Story.objects.select_related("creator", "community").get(pk=story_id)
    creator = story.creator
    if not creator.email:
        return
    context = _context(story, edit=edit, reason=reason)
    if published:
        what = f"changes to “{story.title}” are" if edit else f"“{story.title}” is"
        subject = f"Your {what} live"
        template = "emails/story_published.txt"
    else:
        subject = f"Changes requested for “{story.title}”"
        template = "emails/story_changes_requested.txt"
    send_mail(subject, render_to_string(template, context), None, [creator.email])
