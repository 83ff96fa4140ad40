"""Stories for supporters: where the free part of a story ends, and who reads the rest.

A story marked `for_supporters` shows everyone its title, hero and the body up to the break
its creator placed (core.sanitizer.SUPPORTERS_BREAK), or its first FREE_SHARE of words cut at
a block boundary when there is none. Who reads the rest is not for `stories` to know: the
floors above that can answer (support: a live pledge to the creator) register a check here in
their AppConfig.ready, so `stories` never imports them (DESIGN.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from core.sanitizer import SUPPORTERS_BREAK, html_to_text, word_count

if TYPE_CHECKING:
    from stories.models import Story

# Without a break, readers who don't support the creator read this share of the words.
FREE_SHARE = 0.3

# A check answers "may `user` read the whole of `story`?" for a reader who is not its creator
# or staff (`user` is None for an anonymous one), in at most one query; any yes is enough.
Check = Callable[..., bool]
_checks: list[Check] = []


def register(check: Check) -> None:
    """Called by an app that can grant access (support, in its AppConfig.ready)."""
    if check not in _checks:
        _checks.append(check)


def may_read_whole(story: Story, user: Any) -> bool:
    """Whether `user` reads all of `story`. No query for an ordinary story, the creator or
    staff; the registered checks' own (one) otherwise."""
    if not story.for_supporters:
        return True
    signed_in = user is not None and user.is_authenticated
    if signed_in and (user.pk == story.creator_id or user.is_staff):
        return True
    return any(check(story=story, user=user if signed_in else None) for check in _checks)


class _TopLevelBlocks(HTMLParser):
    """The offsets in a body where a top-level block ends, with the words before each."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.line_starts = [0]
        for index, char in enumerate(html):
            if char == "\n":
                self.line_starts.append(index + 1)
        self.depth = 0
        self.ends: list[int] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _VOID:
            if self.depth == 0:
                self.ends.append(self._offset() + len(self.get_starttag_text() or ""))
            return
        self.depth += 1

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if self.depth == 0:
            self.ends.append(self._offset() + len(self.get_starttag_text() or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        self.depth = max(0, self.depth - 1)
        if self.depth == 0:
            self.ends.append(self.html.index(">", self._offset()) + 1)


_VOID = frozenset({"br", "hr", "img"})


@functools.lru_cache(maxsize=64)  # bodies are up to 200 kB: at most ~13 MB
def split_body(body: str) -> tuple[str, str]:
    """(free part, the rest) of a sanitised body; the two joined are the body.

    At the creator's break (which starts the rest), else at the last top-level block boundary
    with at most FREE_SHARE of the story's words before it (or after the first block, if that
    alone is more). Never the whole story: a story of one block has an empty free part.
    """
    if SUPPORTERS_BREAK in body:
        at = body.index(SUPPORTERS_BREAK)
        return body[:at], body[at:]
    total = word_count(html_to_text(body))
    parser = _TopLevelBlocks(body)
    parser.feed(body)
    parser.close()
    # Boundaries before the end of the body, with the words read once each is passed.
    read, start, boundaries = 0, 0, []
    for end in parser.ends:
        if end >= len(body.rstrip()):
            break
        read += word_count(html_to_text(body[start:end]))
        boundaries.append((end, read))
        start = end
    within = [end for end, words in boundaries if words <= total * FREE_SHARE]
    # The first block alone may be more than the share: then it is the free part, so a reader
    # still sees how the story begins.
    cut = within[-1] if within else (boundaries[0][0] if boundaries else 0)
    return body[:cut], body[cut:]


def free_body(story: Story) -> str:
    """What everyone may read of the story's body: all of it unless it is for supporters."""
    return split_body(story.body)[0] if story.for_supporters else story.body


def free_text(story: Story) -> str:
    """The free part as plain text: for descriptions, feeds, search and emails."""
    return html_to_text(free_body(story))
