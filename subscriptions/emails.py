"""New-story emails to subscribers, sent as background jobs in batches.

`fan_out_new_story` only walks subscription ids and hands out batches; each batch is its own
job (`send_new_story_batch`) with one mail connection, so a creator with 100,000 subscribers
costs the publishing request one queued job, and a failing address costs only its own email.
Each send is recorded (`NewStoryEmail`) as it is made, so a batch that is retried or run
twice mails nobody twice.
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import mail
from core.jobs import enqueue_batches, job
from core.links import absolute
from core.mail import AlreadySent, deliver
from creators.models import User
from stories.announce import creator_to_announce
from stories.models import Story
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
    creator_id = creator_to_announce(story_id)
    if creator_id is None:
        return 0
    recipients = selectors.new_story_recipients(creator_id=creator_id)
    return enqueue_batches(
        send_new_story_batch,
        recipients.values_list("pk", "subscriber_id"),
        batch_size=BATCH_SIZE,
        ids_argument="subscriber_ids",
        story_id=story_id,
    )


class SendsFailed(Exception):
    """Some emails of a batch failed for reasons that may pass (a timeout, a 4xx): the job
    raises it so that core.jobs runs the batch again later, for those readers only."""


@job
def send_new_story_batch(*, story_id: int, subscriber_ids: list[int]) -> int:
    """Email the story to these subscribers over one connection; returns how many were sent.

    Who wants the email is checked again here: with a queue, minutes can pass between the
    fan-out and this batch, and a reader may have unsubscribed or opted out meanwhile. Readers
    this story was already sent to, or whose address the mail server refused for good, are
    skipped: a batch run again (a retry, a second worker, a worker that died halfway) goes on
    where it stopped. One failing address never stops the others.
    """
    story = (
        Story.objects.published().select_related("creator", "community").filter(pk=story_id).first()
    )
    if story is None:
        return 0
    done = NewStoryEmail.objects.filter(
        story=story, status__in=[NewStoryEmail.Status.SENT, NewStoryEmail.Status.REFUSED]
    )
    readers = list(
        User.objects.filter(
            pk__in=subscriber_ids,
            is_active=True,
            email_new_stories=True,
            subscriptions__creator=story.creator,
        )
        .exclude(email="")
        .exclude(pk__in=done.values("subscriber_id"))
        .order_by("pk")
    )
    if not readers:
        return 0
    failed_before = set(
        NewStoryEmail.objects.filter(
            story=story, status=NewStoryEmail.Status.FAILED, subscriber_id__in=subscriber_ids
        ).values_list("subscriber_id", flat=True)
    )
    context = {
        "story": story,
        "creator": story.creator,
        "story_url": absolute(story.get_absolute_url()),
        "settings_url": absolute(reverse("creators:settings")) + "#emails",
        "SITE_NAME": settings.SITE_NAME,
    }
    subject = f"New from {story.creator.name}: {story.title}"
    sent = will_retry = 0
    with get_connection() as connection, mail.quick_commits():
        for reader in readers:
            try:
                deliver(
                    _message(subject, context, reader, connection),
                    connection=connection,
                    claim=functools.partial(
                        _claim,
                        story_id=story.pk,
                        subscriber_id=reader.pk,
                        failed_before=reader.pk in failed_before,
                    ),
                    release=functools.partial(_release, story_id=story.pk, subscriber_id=reader.pk),
                )
            except AlreadySent:
                continue  # another run of this batch got there first
            except Exception as error:
                # One bad address (refused, malformed) or a hiccup must not cost the others.
                refused = mail.refusal(error)
                permanent = refused is not None and refused.permanent
                _record_failure(
                    story_id=story.pk, subscriber_id=reader.pk, error=error, permanent=permanent
                )
                logger.warning(
                    "New-story email for story %s to user %s failed: %s: %s",
                    story_id,
                    reader.pk,
                    type(error).__name__,
                    error,
                )
                will_retry += not permanent
                mail.reset(connection)
            else:
                sent += 1
    if will_retry:
        raise SendsFailed(f"{will_retry} of {len(readers)} new-story emails failed; retrying")
    return sent


def _claim(*, story_id: int, subscriber_id: int, failed_before: bool) -> bool:
    """Record the email as sent, in `deliver`'s transaction; False if another run has recorded
    it already.

    Compare-and-set either way, so two runs racing for one reader cannot both win: the
    unique pair for a first send, the status for a retry of a failed one.
    """
    if failed_before:
        return bool(
            NewStoryEmail.objects.filter(
                story_id=story_id, subscriber_id=subscriber_id, status=NewStoryEmail.Status.FAILED
            ).update(
                status=NewStoryEmail.Status.SENT,
                sent_at=timezone.now(),
                last_error="",
                attempts=F("attempts") + 1,
            )
        )
    # IntegrityError if sent (or refused) by another run: `deliver` takes it as a no.
    NewStoryEmail.objects.create(story_id=story_id, subscriber_id=subscriber_id)
    return True


def _release(*, story_id: int, subscriber_id: int) -> None:
    """The server did not take the message after all: the record is not a send."""
    NewStoryEmail.objects.filter(
        story_id=story_id, subscriber_id=subscriber_id, status=NewStoryEmail.Status.SENT
    ).delete()


def _record_failure(*, story_id: int, subscriber_id: int, error: Exception, permanent: bool):
    status = NewStoryEmail.Status.REFUSED if permanent else NewStoryEmail.Status.FAILED
    text = f"{type(error).__name__}: {error}"[:500]
    row, created = NewStoryEmail.objects.get_or_create(
        story_id=story_id,
        subscriber_id=subscriber_id,
        defaults={"status": status, "last_error": text},
    )
    if not created and row.status != NewStoryEmail.Status.SENT:
        NewStoryEmail.objects.filter(pk=row.pk).update(
            status=status, last_error=text, attempts=F("attempts") + 1, sent_at=timezone.now()
        )


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
