"""Writes to notifications: make them (one, a group, a batch), mark them read, prune them, and
save a reader's switches. Everything that changes who has unread notifications keeps the
bell's number, `User.unread_notifications`, exact in the same transaction: F() increments
where one row is new, a recount from the rows where many are (a batch, mark-read, pruning).

Called by the background jobs in `notifications.jobs`, never in a request, except for marking
read and the settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.jobs import enqueue
from creators.models import User
from notifications import emails
from notifications.models import (
    EMAIL_BY_DEFAULT,
    EMAILED_ELSEWHERE,
    GROUPED,
    KEEP_DAYS,
    EmailSettings,
    Kind,
    KindPreference,
    Notification,
    NotificationActor,
)
from stories.models import Story

# Rows written (bulk_create) and recipients recounted per statement.
CHUNK = 500


# --- what a reader wants -------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    in_app: bool
    email: str  # Notification.Email

    @property
    def wanted(self) -> bool:
        return self.in_app or bool(self.email)


def delivery_for(user: User, kind: str) -> Delivery:
    """Where a notification of `kind` for `user` goes, by their switches (or the defaults)."""
    preference = KindPreference.objects.filter(user=user, kind=kind).first()
    in_app = preference.in_app if preference else True
    wants_email = preference.email if preference else kind in EMAIL_BY_DEFAULT
    email = Notification.Email.NONE
    if wants_email and kind not in EMAILED_ELSEWHERE and user.email:
        row = EmailSettings.objects.filter(user=user).first()
        mode = row.mode if row else EmailSettings.Mode.INSTANT
        if mode == EmailSettings.Mode.INSTANT:
            email = Notification.Email.INSTANT
        elif mode == EmailSettings.Mode.DIGEST:
            email = Notification.Email.DIGEST
    return Delivery(in_app=in_app, email=email)


def preferences_of(user: User) -> tuple[dict[str, KindPreference], str]:
    """The reader's switches for every kind (defaults filled in) and their email mode."""
    saved = {p.kind: p for p in KindPreference.objects.filter(user=user)}
    switches = {
        kind: saved.get(kind)
        or KindPreference(user=user, kind=kind, email=kind in EMAIL_BY_DEFAULT)
        for kind in Kind.values
    }
    row = EmailSettings.objects.filter(user=user).first()
    return switches, row.mode if row else EmailSettings.Mode.INSTANT


@transaction.atomic
def preferences_update(
    *, user: User, in_app: Iterable[str], email: Iterable[str], mode: str
) -> None:
    """Save the reader's switches: the kinds shown on the site, the kinds emailed, and how."""
    on_site, by_email = set(in_app), set(email)
    for kind in Kind.values:
        KindPreference.objects.update_or_create(
            user=user,
            kind=kind,
            defaults={"in_app": kind in on_site, "email": kind in by_email},
        )
    EmailSettings.objects.update_or_create(user=user, defaults={"mode": mode})


# --- making notifications --------------------------------------------------------------------


def _bump(user_id: int) -> None:
    User.objects.filter(pk=user_id).update(unread_notifications=F("unread_notifications") + 1)


def recount(user_ids: Iterable[int]) -> None:
    """Set the bell's number of these readers from their rows: exact whatever happened."""
    unread = (
        Notification.objects.unread()
        .filter(recipient=OuterRef("pk"))
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    ids = list(user_ids)
    for start in range(0, len(ids), CHUNK):
        User.objects.filter(pk__in=ids[start : start + CHUNK]).update(
            unread_notifications=Coalesce(Subquery(unread), Value(0))
        )


def _email_it(notification: Notification) -> None:
    if notification.email == Notification.Email.INSTANT:
        enqueue(emails.send_instant, notification_id=notification.pk)


def _concerns_someone_else(recipient: User, actor: User | None) -> bool:
    return recipient.is_active and (actor is None or actor.pk != recipient.pk)


@transaction.atomic
def notify(
    *,
    kind: str,
    recipient: User,
    key: str,
    story: Story | None = None,
    actor: User | None = None,
    data: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> Notification | None:
    """Tell `recipient` about one event named by `key`; None when they want neither channel
    (or it is their own doing). Making the same key again changes nothing."""
    if not _concerns_someone_else(recipient, actor):
        return None
    delivery = delivery_for(recipient, kind)
    if not delivery.wanted:
        return None
    when = at or timezone.now()
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                key=key,
                story=story,
                actor=actor,
                data=dict(data or {}),
                in_app=delivery.in_app,
                email=delivery.email,
                created_at=when,
                updated_at=when,
            )
    except IntegrityError:
        return Notification.objects.get(recipient=recipient, key=key)  # made by an earlier run
    if delivery.in_app:
        _bump(recipient.pk)
    _email_it(notification)
    return notification


def group_key(kind: str, story_id: int, day: date) -> str:
    return f"{kind}:{story_id}:{day.isoformat()}"


@transaction.atomic
def notify_grouped(
    *, kind: str, recipient: User, story: Story, actor: User, day: date | None = None
) -> Notification | None:
    """Count `actor` in the recipient's group of `kind` for `story` on `day`: "12 people liked …".

    The generic way for any per-story event that comes in numbers (insights, likes): one row per
    recipient, kind, story and day, counting each person once, made unread again and moved up
    when someone new joins. Only the group's first event is emailed at once; a digest shows
    the group as it stands.
    """
    if kind not in GROUPED:
        raise ValueError(f"{kind!r} is not a grouped kind")
    if not _concerns_someone_else(recipient, actor):
        return None
    key = group_key(kind, story.pk, day or timezone.localdate())
    now = timezone.now()
    group = Notification.objects.select_for_update().filter(recipient=recipient, key=key).first()
    if group is None:
        delivery = delivery_for(recipient, kind)
        if not delivery.wanted:
            return None
        try:
            with transaction.atomic():
                group = Notification.objects.create(
                    recipient=recipient,
                    kind=kind,
                    key=key,
                    story=story,
                    actor=actor,
                    in_app=delivery.in_app,
                    email=delivery.email,
                    created_at=now,
                    updated_at=now,
                )
                NotificationActor.objects.create(notification=group, actor=actor)
        except IntegrityError:
            # Another job made the group meanwhile: join it like any later event.
            group = Notification.objects.select_for_update().get(recipient=recipient, key=key)
        else:
            if group.in_app:
                _bump(recipient.pk)
            _email_it(group)
            return group
    try:
        with transaction.atomic():
            NotificationActor.objects.create(notification=group, actor=actor)
    except IntegrityError:
        return group  # counted already (liked, un-liked and liked again)
    was_read = group.read_at is not None
    Notification.objects.filter(pk=group.pk).update(
        count=F("count") + 1, actor=actor, updated_at=now, read_at=None
    )
    if group.in_app and was_read:
        _bump(recipient.pk)
    group.refresh_from_db()
    return group


@transaction.atomic
def notify_many(
    *,
    kind: str,
    recipient_ids: Iterable[int],
    key: str,
    story: Story | None = None,
    actor: User | None = None,
    data: Mapping[str, Any] | None = None,
) -> int:
    """The same event for many readers at once (a batch of a fan-out), shown on the site only:
    the callers' kinds are emailed elsewhere. The readers' switches are the caller's to check.

    Rows that exist already (a batch run twice) are left alone by the unique (recipient, key)
    pair, and the bell's numbers are recounted from the rows, so they stay exact either way.
    Returns how many readers were asked for.
    """
    ids = sorted(set(recipient_ids) - ({actor.pk} if actor else set()))
    now = timezone.now()
    story_id, actor_id = (story.pk if story else None), (actor.pk if actor else None)
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=recipient_id,
                kind=kind,
                key=key,
                story_id=story_id,
                actor_id=actor_id,
                data=dict(data or {}),
                created_at=now,
                updated_at=now,
            )
            for recipient_id in ids
        ],
        batch_size=CHUNK,
        ignore_conflicts=True,
    )
    recount(ids)
    return len(ids)


# --- reading them ----------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, notification: Notification, reader: User) -> bool:
    """Mark one of the reader's notifications read; False if it already was."""
    marked = Notification.objects.filter(
        pk=notification.pk, recipient=reader, read_at__isnull=True
    ).update(read_at=timezone.now())
    recount([reader.pk])
    return bool(marked)


@transaction.atomic
def notifications_mark_all_read(*, reader: User) -> int:
    """Mark every notification of the reader read; returns how many were unread."""
    marked = Notification.objects.unread().filter(recipient=reader).update(read_at=timezone.now())
    recount([reader.pk])
    return marked


# --- keeping the table small -----------------------------------------------------------------


def notifications_prune(*, now: datetime | None = None) -> int:
    """Delete notifications whose last event is more than KEEP_DAYS old; returns how many.

    In chunks, each its own transaction that recounts the readers whose unread ones went, so a
    large first run neither holds a long lock nor leaves a bell wrong. Safe to run twice.
    """
    cutoff = (now or timezone.now()) - timedelta(days=KEEP_DAYS)
    deleted = 0
    while True:
        with transaction.atomic():
            rows = list(
                Notification.objects.filter(updated_at__lt=cutoff)
                .order_by("updated_at", "pk")
                .values_list("pk", "recipient_id", "read_at", "in_app")[:CHUNK]
            )
            if not rows:
                return deleted
            Notification.objects.filter(pk__in=[pk for pk, *_ in rows]).delete()
            recount({recipient for _, recipient, read_at, in_app in rows if in_app and not read_at})
        deleted += len(rows)
