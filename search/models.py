"""The search app's models: the vocabulary that corrects one-letter typos (search.spelling)
and the prefixes behind type-ahead suggestions (search.suggest).

The full-text index itself is two raw tables (stories/migrations/0006_search.py), not a model.
"""

from __future__ import annotations

from django.db import models


class Spelling(models.Model):
    """A word of the index under one of its spellings with a letter left out (or itself)."""

    variant = models.CharField(max_length=40)
    word = models.CharField(max_length=40)

    class Meta:
        constraints = [
            # Looked up by variant when a search finds nothing (the search page).
            models.UniqueConstraint(fields=["variant", "word"], name="search_spelling_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.variant} → {self.word}"


class Suggestion(models.Model):
    """One way into a type-ahead suggestion (search.suggest): a published story's title, an
    active creator's name or a tag, folded, from one of its words to the end ("secret garden"
    is kept as "secret garden" and "garden"), so what a reader types matches from any word.

    Filled from the same writes as the search index (search.suggest_index). `head2` and `head3`
    are the term's first letters, so a two- or three-letter prefix reads its best rows straight
    off an index in rank order; longer prefixes compare `term` as a range, which is why the
    column sorts by code point on PostgreSQL too (COLLATE "C", search/migrations/0005): under
    a language's collation a range is not a prefix.
    """

    class Kind(models.TextChoices):
        STORY = "s", "story"
        CREATOR = "c", "creator"
        TAG = "t", "tag"

    kind = models.CharField(max_length=1, choices=Kind.choices)
    # The story's, account's or tag's id; no foreign key, as the index's tables have none.
    object_id = models.BigIntegerField()
    term = models.CharField(max_length=64)
    head2 = models.CharField(max_length=2)
    head3 = models.CharField(max_length=3)
    # Higher first: a story's publication time (newest first), a creator's or tag's number of
    # published stories.
    rank = models.BigIntegerField()

    class Meta:
        indexes = [
            # The header's suggestions (GET /search/suggest/): two or three letters typed.
            models.Index(fields=["kind", "head2", "-rank", "-object_id"], name="search_sugg_head2"),
            models.Index(fields=["kind", "head3", "-rank", "-object_id"], name="search_sugg_head3"),
            # Four letters or more: a range of terms, with what ranks them, read off the index.
            models.Index(fields=["kind", "term", "rank", "object_id"], name="search_sugg_term"),
            # Keeping it up to date: a story's, creator's or tag's rows.
            models.Index(fields=["kind", "object_id"], name="search_sugg_object"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.object_id}: {self.term}"
