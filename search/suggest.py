"""Type-ahead suggestions for the header's search box: stories, creators and tags by prefix.

What a reader has typed is folded as the index is (lower case, no accents, words joined by one
space) and looked up in `Suggestion`, a table of prefixes kept by search.suggest_index. Two or
three letters are read in rank order off an index on their first letters; more are a range of
terms (`term >= "garde" AND term < "gardf"`), the same comparison on both databases, with no
LIKE pattern for a "%" or "_" to change. Every candidate is joined with the rows it stands for
under the same rules as the pages they link to (Story.objects.published(), active accounts),
so a stale row can only leave a suggestion out, never show a draft or a suspended creator.
One query for all three kinds, however many there are.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from urllib.parse import urlencode

from django.db import connection
from django.urls import reverse
from taggit.models import Tag

from creators.models import User
from search.models import Suggestion
from search.query import STOP_WORDS
from search.spelling import fold
from stories.models import Story

# Fewer letters than this match too much to mean anything; the box answers with nothing.
MIN_LENGTH = 2
# Terms are kept this long; a longer query is compared on its first TERM_LENGTH characters.
TERM_LENGTH = Suggestion._meta.get_field("term").max_length
# At most this many suggestions, and of each kind at most these; stories take what is left.
LIMIT = 8
SHARE = {Suggestion.Kind.CREATOR: 2, Suggestion.Kind.TAG: 2}
# Words of a title a reader may start typing at: any but stop words, up to this many.
MAX_STARTS = 12
# Candidates read per kind before the join: room for a story matched at two of its words.
CANDIDATES = 2 * LIMIT

# Letters and digits, as search.query sees words; everything else separates them.
_WORD = re.compile(r"[^\W_]+")


def normalise(text: str) -> str:
    """Text as the index compares it: folded, its words joined by single spaces."""
    return " ".join(_WORD.findall(fold(text or "")))


def terms(*texts: str) -> list[str]:
    """The terms a title or name is found under: from its first word, and from each later
    word that is not a stop word, each cut to TERM_LENGTH; no duplicates."""
    found: list[str] = []
    for text in texts:
        words = normalise(text).split(" ")
        if not words[0]:
            continue
        for i, word in enumerate(words[:MAX_STARTS]):
            if i and word in STOP_WORDS:
                continue
            term = " ".join(words[i:])[:TERM_LENGTH].rstrip()
            if term not in found:
                found.append(term)
    return found


def _after(prefix: str) -> str:
    """The first string past every string that starts with `prefix`, in code point order."""
    last = ord(prefix[-1]) + 1
    if 0xD800 <= last <= 0xDFFF:  # surrogates cannot be sent to either database
        last = 0xE000
    return prefix[:-1] + chr(last)


@dataclass(frozen=True)
class Suggested:
    kind: str  # "story", "creator" or "tag"
    label: str
    url: str
    detail: str


def _candidates(kind: str, prefix: str) -> tuple[str, list]:
    """SQL for the best CANDIDATES rows of one kind matching `prefix`: (object_id, rank)."""
    table = Suggestion._meta.db_table
    if len(prefix) <= 3:
        column = f"head{len(prefix)}"
        where, params = f"{column} = %s", [prefix]
    else:
        where, params = "term >= %s AND term < %s", [prefix, _after(prefix)]
    sql = (
        f"SELECT object_id, rank FROM {table} WHERE kind = %s AND {where} "
        f"ORDER BY rank DESC, object_id DESC LIMIT {CANDIDATES}"
    )
    return sql, [kind, *params]


def _visible() -> dict[str, tuple[str, tuple]]:
    """For each kind, the SQL of what its suggestions may show: the id, then five columns for
    the answer. The public pages' own rules, written by the ORM, not copied here."""
    stories = Story.objects.published().order_by()
    creators = User.objects.filter(is_active=True).order_by()
    tags = Tag.objects.order_by()
    return {
        Suggestion.Kind.STORY: stories.values_list(
            "id", "title", "community__slug", "slug", "creator__display_name", "creator__username"
        ).query.sql_with_params(),
        Suggestion.Kind.CREATOR: creators.values_list(
            "id", "display_name", "username", "first_name", "last_name", "username"
        ).query.sql_with_params(),
        Suggestion.Kind.TAG: tags.values_list(
            "id", "name", "slug", "slug", "slug", "slug"
        ).query.sql_with_params(),
    }


def lookup(text: str) -> list[Suggested]:
    """Up to LIMIT suggestions for what a reader has typed so far: stories, then creators, then
    tags. None, and no query, for fewer than MIN_LENGTH letters; else one query."""
    prefix = normalise(text)[:TERM_LENGTH].rstrip()
    if len(prefix) < MIN_LENGTH:
        return []
    parts, params = [], []
    for kind, (visible_sql, visible_params) in _visible().items():
        candidates_sql, candidates_params = _candidates(kind, prefix)
        # The candidates are picked off the index first (a derived table, as SQLite allows no
        # ORDER BY or LIMIT in a UNION's SELECTs), then joined with what may be shown.
        parts.append(
            f"SELECT '{kind}' AS kind, c.object_id, c.rank, v.* "
            f"FROM ({candidates_sql}) c JOIN ({visible_sql}) v ON v.id = c.object_id"
        )
        params += [*candidates_params, *visible_params]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    return _chosen(rows)


def _chosen(rows: list[tuple]) -> list[Suggested]:
    """One suggestion per story, creator or tag, best first within each kind, shared out:
    creators and tags up to their SHARE, stories the rest, and room left over to the others."""
    found: dict[str, list[tuple]] = {kind: [] for kind in Suggestion.Kind.values}
    seen = set()
    for row in sorted(rows, key=lambda r: (-r[2], -r[1])):  # rank, then the newest id
        if (row[0], row[1]) not in seen:
            seen.add((row[0], row[1]))
            found[row[0]].append(row)
    story, creator, tag = Suggestion.Kind.STORY, Suggestion.Kind.CREATOR, Suggestion.Kind.TAG
    counts = {kind: min(len(found[kind]), share) for kind, share in SHARE.items()}
    counts[story] = min(len(found[story]), LIMIT - counts[creator] - counts[tag])
    for kind in (creator, tag):
        room = LIMIT - sum(counts.values())
        counts[kind] += min(room, len(found[kind]) - counts[kind])
    order = (story, creator, tag)
    return [_suggested(row) for kind in order for row in found[kind][: counts[kind]]]


def _suggested(row: tuple) -> Suggested:
    kind, _, rank, _, label, first, second, third, fourth = row
    if kind == Suggestion.Kind.STORY:
        url = reverse("stories:detail", kwargs={"community_slug": first, "story_slug": second})
        return Suggested("story", label, url, f"by {third or fourth}")
    if kind == Suggestion.Kind.CREATOR:
        # As User.name: the display name, else the full name, else the username.
        name = label or f"{second} {third}".strip() or first
        url = reverse("stories:profile", kwargs={"username": first})
        return Suggested("creator", name, url, f"@{first}")
    url = reverse("stories:explore") + "?" + urlencode({"tag": first})
    return Suggested("tag", label, url, "1 story" if rank == 1 else f"{rank:,} stories")


def as_json(suggestions: list[Suggested]) -> list[dict[str, str]]:
    return [asdict(s) for s in suggestions]
