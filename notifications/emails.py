"""Notification emails, as background jobs: one at once for each notification a reader wants
emailed instantly, or one a day listing the day's (`send_notification_digest`).

Each send is recorded under a key naming what it is (core.mail.send_once): a notification's
email by its id, a digest by reader and day. A job or a daily command that runs twice sends
nothing twice.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.jobs import enqueue, job
from core.links import absolute
from core.mail import send_once
from creators.models import User
from notifications.models import EmailSettings, Notification

logger = logging.getLogger(__name__)

# Readers per digest job.
DIGEST_BATCH = 200


def _context(recipient: User, **extra: object) -> dict[str, object]:
    return {
        "recipient": recipient,
        "notifications_url": absolute(reverse("notifications:list")),
        "settings_url": absolute(reverse("creators:settings") + "#notifications"),
        "SITE_NAME": settings.SITE_NAME,
        **extra,
    }


@job
def send_instant(*, notification_id: int) -> bool:
    """Email one notification to its reader; False when it is no longer wanted."""
    notification = (
        Notification.objects.select_related("recipient", "actor", "story__community")
        .filter(pk=notification_id, email=Notification.Email.INSTANT)
        .first()
    )
    if notification is None:
        return False  # pruned, or the story deleted, before the job ran
    recipient = notification.recipient
    if not (recipient.is_active and recipient.email):
        return False
    body = render_to_string(
        "emails/notifications_instant.txt",
        _context(
            recipient,
            notification=notification,
            url=absolute(notification.get_absolute_url()),
        ),
    )
    message = EmailMessage(notification.summary, body, None, [recipient.email])
    return send_once(f"notifications.instant:{notification.pk}", message)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def digest_rows(day: date):
    start, end = _day_bounds(day)
    return Notification.objects.filter(
        email=Notification.Email.DIGEST, created_at__gte=start, created_at__lt=end
    )


def digests_queue(*, day: date) -> tuple[int, int]:
    """Queue the digests of `day`: one job per batch of readers who have notifications waiting
    for it. Returns (readers, batches)."""
    reader_ids = sorted(set(digest_rows(day).values_list("recipient_id", flat=True)))
    batches = 0
    for start in range(0, len(reader_ids), DIGEST_BATCH):
        enqueue(
            send_digest_batch,
            reader_ids=reader_ids[start : start + DIGEST_BATCH],
            day=day.isoformat(),
        )
        batches += 1
    return len(reader_ids), batches


@job
def send_digest_batch(*, reader_ids: list[int], day: str) -> int:
    """Send each of these readers one email with their notifications of `day`, if they still
    want the digest; returns how many were sent now."""
    the_day = date.fromisoformat(day)
    still_digest = EmailSettings.objects.filter(
        user_id__in=reader_ids, mode=EmailSettings.Mode.DIGEST
    ).values("user_id")
    readers = (
        User.objects.filter(pk__in=reader_ids, is_active=True)
        .filter(pk__in=still_digest)
        .exclude(email="")
        .order_by("pk")
    )
    rows = (
        digest_rows(the_day)
        .filter(recipient_id__in=reader_ids)
        .select_related("actor", "story__community")
        .order_by("-updated_at", "-pk")
    )
    by_reader: dict[int, list[Notification]] = {}
    for notification in rows:
        by_reader.setdefault(notification.recipient_id, []).append(notification)
    sent = failed = 0
    for reader in readers:
        items = by_reader.get(reader.pk)
        if not items:
            continue
        lines = [(n.summary, n.detail, absolute(n.get_absolute_url())) for n in items]
        body = render_to_string(
            "emails/notifications_digest.txt", _context(reader, lines=lines, day=the_day)
        )
        count = len(items)
        subject = f"Your day on {settings.SITE_NAME}: {count} notification{'s' * (count != 1)}"
        message = EmailMessage(subject, body, None, [reader.email])
        try:
            sent += send_once(f"notifications.digest:{reader.pk}:{day}", message)
        except Exception:
            # One bad address must not cost the others; the batch is retried for it at the
            # end (core.jobs), and the ones recorded as sent are skipped then.
            logger.exception("Digest of %s for reader %s failed", day, reader.pk)
            failed += 1
    if failed:
        raise DigestsFailed(f"{failed} of the batch's digests failed; retrying")
    return sent


class DigestsFailed(Exception):
    """Some digests of a batch failed: raised so that core.jobs runs the batch again."""
