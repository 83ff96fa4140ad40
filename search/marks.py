"""The sentinels the database wraps each match in, and how they become <mark> elements."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# The database wraps each match in these; they cannot come from a story (`plain` strips them),
# so after escaping everything else they are the only places a <mark> may go.
MARK_START, MARK_END = "\x02", "\x03"
MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}")
SENTINELS = re.compile(f"[\x00{MARK_START}{MARK_END}]")


def marked(text: str | None) -> SafeString:
    """Escape text from the database, then turn its match sentinels into <mark> elements."""
    escaped = escape(text or "")
    return mark_safe(SENTINELS.sub("", MARKED.sub(r"<mark>\1</mark>", escaped)))


def plain(text: str) -> str:
    """Story text with the sentinels taken out, so that only the database can add them."""
    return SENTINELS.sub("", text or "")
