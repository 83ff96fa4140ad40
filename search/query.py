"""What a reader's query means: the parser both databases share."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Longer input is cut, not refused: nobody types 200 characters into a search box on purpose.
MAX_QUERY_LENGTH = 200
# Each word is a term the database looks up; beyond this many a query only gets slower.
MAX_WORDS = 16

# Words as both tokenizers see them: letters and digits; everything else separates.
_WORD = re.compile(r"[^\W_]+")
# A query's pieces, as on web search engines: `"a phrase"`, `-excluded`, `or`, plain words.
_PIECE = re.compile(r'(-?)(?:"([^"]*)"?|([^\s"]+))')

# PostgreSQL's English stop words (tsearch_data/english.stop). Its index leaves them out, and
# FTS5's keeps them; dropping a piece of a query made only of them gives both databases the
# same answer, and spares SQLite ranking nearly every story for "the".
_STOP_WORDS = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


# --- what a query means ---------------------------------------------------------------------


Phrase = tuple[str, ...]


@dataclass(frozen=True)
class ParsedQuery:
    """Any of `groups` (each: all of its phrases), and none of `excluded`."""

    groups: tuple[tuple[Phrase, ...], ...]
    excluded: tuple[Phrase, ...]


def parse_query(text: str) -> ParsedQuery | None:
    """What the reader asked for, or None if it has nothing to look for.

    Both databases get the same structure, built from words of letters and digits only, so no
    input can be a syntax error in FTS5 or tsquery, and `"`, `NEAR(`, `a:b` or `*` are plain
    punctuation rather than operators. A word or phrase of stop words only is left out; inside
    a phrase they stay, so "state of the art" still means those words in that order.
    """
    groups: list[list[Phrase]] = [[]]
    excluded: list[Phrase] = []
    budget = MAX_WORDS
    for match in _PIECE.finditer(text[:MAX_QUERY_LENGTH]):
        negated, quoted, bare = match.groups()
        raw = quoted if quoted is not None else bare
        if quoted is None and not negated and raw.lower() == "or":
            groups.append([])
            continue
        words = tuple(word.lower() for word in _WORD.findall(raw))[:budget]
        if STOP_WORDS.issuperset(words):
            continue
        (excluded if negated else groups[-1]).append(words)
        budget -= len(words)
        if budget <= 0:
            break
    wanted = tuple(tuple(group) for group in groups if group)
    if not wanted:
        return None
    return ParsedQuery(groups=wanted, excluded=tuple(excluded))
