"""Who reads the whole of a story for supporters (stories.access asks; support answers).

A reader whose pledge to the creator is paid up reads it: active, or being retried after a
failed payment, and when cancelled only until the end of the month already paid for
(`current_period_end`, compared with the time of the request, not the status, which the
renewal job changes later). A creator who takes no pledges has nobody to support them, so
their stories for supporters are open to everyone rather than locked for good.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, Q
from django.utils import timezone

from creators.models import User
from support.models import Pledge, SupportSettings


def pledge_gives_access(*, story: Any, user: User | None) -> bool:
    """One query; `user` is None for an anonymous reader."""
    now = timezone.now()
    no_pledges = SupportSettings.objects.filter(creator_id=story.creator_id, accepts_support=False)
    if user is None:
        return no_pledges.exists()
    paid_up = Pledge.objects.filter(
        supporter_id=user.pk,
        creator_id=story.creator_id,
        status__in=(Pledge.Status.ACTIVE, Pledge.Status.PAST_DUE),
    ).filter(Q(cancel_at_period_end=False) | Q(current_period_end__gt=now))
    return (
        User.objects.filter(pk=story.creator_id)
        .filter(Exists(paid_up) | Exists(no_pledges))
        .exists()
    )


def connect() -> None:
    from stories import access

    access.register(pledge_gives_access)
