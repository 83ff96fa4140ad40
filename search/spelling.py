"""One-letter typos: the words readers look for, and the nearest known word to one they mistype.

Both databases, one way: every word of the index's titles, subtitles, tags and writers' names is
kept under itself and under each form it takes with one letter deleted ("garden": "garden",
"arden", "gaden", ...). Two words one edit apart (a letter changed, added, dropped, or two
swapped) share such a form, so a mistyped word's own forms find its neighbours in one indexed
lookup, with no extension (pg_trgm) on PostgreSQL and no second FTS5 table on SQLite.
Only consulted when a search finds nothing; bodies are left out to keep the table small.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from search.models import Spelling

# Shorter words have too many neighbours one letter away to guess which was meant.
MIN_LENGTH = 4
MAX_LENGTH = 40
_WORD = re.compile(r"[^\W\d_]+")


def fold(word: str) -> str:
    """Lower case without accents, as both indexes compare words."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(*texts: str) -> set[str]:
    """The words of some texts worth knowing for spelling, folded."""
    found = set()
    for text in texts:
        for word in _WORD.findall(text or ""):
            word = fold(word)
            if MIN_LENGTH <= len(word) <= MAX_LENGTH:
                found.add(word)
    return found


def variants(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def remember(known: Iterable[str]) -> None:
    """Add words to the vocabulary (one statement; words already known are skipped)."""
    rows = [Spelling(variant=v, word=w) for w in sorted(set(known)) for v in sorted(variants(w))]
    if rows:
        Spelling.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000)


def distance(a: str, b: str) -> int:
    """Edits from a to b: letters changed, added, dropped, or two neighbours swapped."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def corrections(asked: Iterable[str]) -> dict[str, str]:
    """For each asked word the vocabulary does not know, the known word one edit away (one
    query for all of them); words it knows, short words and words with no neighbour are left
    out."""
    asked = {fold(w) for w in asked if MIN_LENGTH <= len(w) <= MAX_LENGTH}
    if not asked:
        return {}
    lookups = set().union(*(variants(w) for w in asked))
    found: dict[str, set[str]] = {}
    for variant, word in Spelling.objects.filter(variant__in=sorted(lookups)).values_list(
        "variant", "word"
    ):
        found.setdefault(variant, set()).add(word)
    result = {}
    for word in sorted(asked):
        if word in found.get(word, set()):
            continue  # a known word: nothing to correct
        near = {c for v in variants(word) for c in found.get(v, ()) if distance(word, c) == 1}
        if near:
            result[word] = min(near)
    return result
