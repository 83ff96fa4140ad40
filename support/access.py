"""Who reads the whole of a story for supporters (stories.access asks; support answers).

A reader whose pledge to the creator is paid up reads it: active, or being retried after a
failed payment, and when cancelled only until the end of the month already paid for
(`current_period_end`, compared with the time of the request, not the status, which the
renewal job changes later). A creator who takes no pledges has nobody to support them, so
their stories for supporters are open to everyone rather than locked for good.
"""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Exists, Q, Value
from django.utils import timezone

from creators.models import User
from support.models import Pledge, SupportSettings

# The creator's settings the check read, kept on the story for the card under its free part
# (support_tags.supporters_card), so the page asks for them once.
SETTINGS_ON_STORY = "_support_settings_for_card"
_SETTINGS_FIELDS = (
    "accepts_support",
    "pledge_amount_1",
    "pledge_amount_2",
    "pledge_amount_3",
    "stripe_account_id",
    "payouts_enabled",
)


def pledge_gives_access(*, story: Any, user: User | None) -> bool:
    """One query, with the creator's support settings; `user` is None for an anonymous reader."""
    if user is None:
        pledged = Value(False, output_field=BooleanField())
    else:
        paid_up = (
            Pledge.objects.paying()
            .filter(supporter_id=user.pk, creator_id=story.creator_id)
            .filter(Q(cancel_at_period_end=False) | Q(current_period_end__gt=timezone.now()))
        )
        pledged = Exists(paid_up)
    row = (
        User.objects.filter(pk=story.creator_id)
        .annotate(pledged=pledged)
        .values(
            "pledged", "support_settings__pk", *(f"support_settings__{f}" for f in _SETTINGS_FIELDS)
        )
        .first()
    )
    if row is None:
        return False
    account = SupportSettings(creator_id=story.creator_id)  # a creator who never chose: defaults
    if row["support_settings__pk"] is not None:
        for field in _SETTINGS_FIELDS:
            setattr(account, field, row[f"support_settings__{field}"])
    setattr(story, SETTINGS_ON_STORY, account)
    return bool(row["pledged"]) or not account.accepts_support


def connect() -> None:
    from stories import access

    access.register(pledge_gives_access)
