"""Which cached pages (core/pagecache.py) a change to an account or its social links empties."""

from __future__ import annotations

from core.pagecache import creator_name, watch
from creators.models import SocialLink, User

# A save that writes only these changes nothing a page shows.
PRIVATE_FIELDS = frozenset({"last_login", "password"})


def user_shows(user: User) -> list[str]:
    # Names and avatars show wherever people do: bylines, cards, comments.
    return ["site", creator_name(user.pk)]


def social_link_shows(link: SocialLink) -> list[str]:
    return [creator_name(link.user_id)]


def connect() -> None:
    # A new account is on no page yet.
    watch(User, user_shows, on_create=False, private_fields=PRIVATE_FIELDS)
    watch(SocialLink, social_link_shows)
