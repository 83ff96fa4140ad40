"""Which cached pages (core/pagecache.py) support settings empty: the creator's support box."""

from __future__ import annotations

from core.pagecache import creator_name, watch
from support.models import SupportSettings


def settings_shows(account: SupportSettings) -> list[str]:
    return [creator_name(account.creator_id)]


def connect() -> None:
    watch(SupportSettings, settings_shows)
