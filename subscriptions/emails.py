"""New-story emails to subscribers, sent as background jobs in batches.

`fan_out_new_story` only walks subscription ids and hands out batches; each batch is its own
job (`send_new_story_batch`) with one mail connection, so a creator with 100,000 subscribers
costs the publishing request one queued job, and a failing address costs only its own email.
Each send is recorded (`NewStoryEmail`) as it is made, so a batch that is retried or run
twice mails nobody twice.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from core.jobs import enqueue, job
from core.links import absolute
from creators.models import User
from stories.models import Story, StoryTransition
from subscriptions import selectors
from subscriptions.models import NewStoryEmail
from subscriptions.tokens import make_token

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


def unsubscribe_url(*, subscriber_id: int, creator_id: int) -> str:
    token = make_token(subscriber_id=subscriber_id, creator_id=creator_id)
    return absolute(reverse("subscriptions:unsubscribe_email", kwargs={"token": token}))


@job
def fan_out_new_story(*, story_id: int) -> int:
    """Hand the story's email to every subscriber who wants it, one job per batch of ids.

    Returns the number of batches enqueued.
    """
    story = Story.objects.published().filter(pk=story_id).values("creator_id").first()
    if story is None:
        return 0  # unpublished, or its creator suspended, before the job ran
    announced = StoryTransition.objects.filter(
        story_id=story_id, to_status=Story.Status.PUBLISHED, is_edit=False
    ).count()
    if announced > 1:
        return 0  # published before, unpublished and published again: already announced
    recipients = selectors.new_story_recipients(creator_id=story["creator_id"])
    batches, last_pk = 0, 0
    while True:
        # Keyset pagination: each batch starts after the last primary key, so the walk costs
        # the same at the 200th batch as at the first (OFFSET would not).
        rows = list(
            recipients.filter(pk__gt=last_pk).values_list("pk", "subscriber_id")[:BATCH_SIZE]
        )
        if not rows:
            break
        last_pk = rows[-1][0]
        enqueue(send_new_story_batch, story_id=story_id, subscriber_ids=[s for _, s in rows])
        batches += 1
        if len(rows) < BATCH_SIZE:
            break
    return batches


@job
def send_new_story_batch(*, story_id: int, subscriber_ids: list[int]) -> int:
    """Email the story to these subscribers over one connection; returns how many were sent.

    Who wants the email is checked again here: with a queue, minutes can pass between the
    fan-out and this batch, and a reader may have unsubscribed or opted out meanwhile. Readers
    this story was already sent to (an earlier attempt of this batch) are skipped.
    """
    story = (
        Story.objects.published().select_related("creator", "community").filter(pk=story_id).first()
    )
    if story is None:
        return 0
    readers = list(
        User.objects.filter(
            pk__in=subscriber_ids,
            is_active=True,
            email_new_stories=True,
            subscriptions__creator=story.creator,
        )
        .exclude(email="")
        .exclude(pk__in=NewStoryEmail.objects.filter(story=story).values("subscriber_id"))
        .order_by("pk")
    )
    if not readers:
        return 0
    context = {
        "story": story,
        "creator": story.creator,
        "story_url": absolute(story.get_absolute_url()),
        "settings_url": absolute(reverse("creators:settings")) + "#emails",
        "SITE_NAME": settings.SITE_NAME,
    }
    subject = f"New from {story.creator.name}: {story.title}"
    sent = 0
    with get_connection() as connection:
        for reader in readers:
            if not _mark_sent(story_id=story.pk, subscriber_id=reader.pk):
                continue  # another run of this batch got there first
            try:
                _message(subject, context, reader, connection).send()
            except Exception:
                # Not sent, so not recorded: a later fan-out may try this reader again.
                NewStoryEmail.objects.filter(story=story, subscriber=reader).delete()
                # One bad address (refused, malformed, a hiccup) must not cost the others.
                logger.exception(
                    "New-story email for story %s to user %s failed", story_id, reader.pk
                )
                _reset(connection)
            else:
                sent += 1
    return sent


def _mark_sent(*, story_id: int, subscriber_id: int) -> bool:
    """Record the send before making it; False if it was recorded already.

    Committed at once rather than held open over the SMTP conversation, which on SQLite would
    block every other writer; the unique pair is what stops a second run.
    """
    try:
        with transaction.atomic():
            NewStoryEmail.objects.create(story_id=story_id, subscriber_id=subscriber_id)
    except IntegrityError:
        return False
    return True


def _message(
    subject: str, context: dict[str, object], reader: User, connection
) -> EmailMultiAlternatives:
    url = unsubscribe_url(subscriber_id=reader.pk, creator_id=context["creator"].pk)
    context = {**context, "reader": reader, "unsubscribe_url": url}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/subscriptions_new_story.txt", context),
        to=[reader.email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{url}>",
            # RFC 8058: mail clients may POST to the link to unsubscribe in one click.
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string("emails/subscriptions_new_story.html", context), "text/html"
    )
    return message


def _reset(connection) -> None:
    """Reopen the connection after a failure, in case the server dropped it."""
    try:
        connection.close()
        connection.open()
    except Exception:
        logger.exception("Could not reopen the mail connection; later sends will retry")
