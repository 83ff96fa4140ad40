"""Which cached pages (core/pagecache.py) a change to a challenge or an entry empties: the
home page's open challenges (kept under the "challenges" stamp, on a "listing" page)."""

from __future__ import annotations

from challenges.models import Challenge, Entry, Prize
from core.pagecache import watch

# The home page is stored under "site" and "listing"; its open-challenges block under
# "challenges". Challenges change rarely, so emptying the listings is cheap.
NAMES = ["challenges", "listing"]


def connect() -> None:
    watch(Challenge, lambda challenge: NAMES)
    watch(Prize, lambda prize: NAMES)
    watch(Entry, lambda entry: ["challenges"])
