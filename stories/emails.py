"""Emails `stories` sends its creators: a story is in the review queue, the outcome of a review.

Background jobs (core.jobs). Sending is each job's last step, so a job is retried only when
its one email was not sent.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from core.jobs import job
from core.links import absolute
from stories import review
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


@job
def send_submitted(*, story_id: int) -> None:
    """Issue 16, part 6: "it is in the queue", with its place and the wait to expect.

    Worked out when the job runs; a story no longer awaiting review by then (withdrawn, or
    already reviewed, which sends its own email) gets no email.
    """
    story = Story.objects.select_related("creator", "community").get(pk=story_id)
    creator = story.creator
    place = review.queue_places().get(story.pk)
    if not creator.email or place is None:
        return
    wait = review.expected_wait()
    context = _context(
        story,
        place=place,
        edit=place.is_edit,
        expected_wait=wait,
        has_history=wait != review.NO_HISTORY,
        dashboard_url=absolute(reverse("stories:dashboard")),
    )
    if place.is_edit:
        subject = f"Your changes to “{story.title}” are in the review queue"
    else:
        subject = f"“{story.title}” is in the review queue"
    send_mail(
        subject, render_to_string("emails/story_submitted.txt", context), None, [creator.email]
    )
