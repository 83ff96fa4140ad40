"""Signed unsubscribe tokens for email links: they name a reader and a creator, need no login."""

from __future__ import annotations

from django.core import signing

SALT = "subscriptions.unsubscribe"


class BadToken(Exception):
    """The token was not made by this site, was altered, or does not name a subscription."""


def make_token(*, subscriber_id: int, creator_id: int) -> str:
    # The pair rather than the subscription's id, so a link keeps working for someone who
    # unsubscribes and subscribes again. No expiry: an old email's link must still work.
    return signing.dumps([subscriber_id, creator_id], salt=SALT)


def read_token(token: str) -> tuple[int, int]:
    """``(subscriber_id, creator_id)`` from a token, or BadToken."""
    try:
        value = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadToken(str(error)) from None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in value)
    ):
        raise BadToken("unexpected token contents")
    return value[0], value[1]
