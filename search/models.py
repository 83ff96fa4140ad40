"""The search app's one model: the vocabulary that corrects one-letter typos (search.spelling).

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
