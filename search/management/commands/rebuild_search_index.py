"""Refill the story search index and the suggestions' prefixes from every published story, e.g.
after a bulk import."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from search.backends import backend_for
from search.index import rebuild_index
from search.suggest_index import rebuild_suggestions


class Command(BaseCommand):
    help = "Rebuild the full-text search index and the suggestions from every published story."

    def handle(self, *args, **options) -> None:
        if backend_for(connection) is None:
            raise CommandError(
                f"Search needs PostgreSQL or SQLite; this database is {connection.vendor}."
            )
        started = time.perf_counter()
        total = rebuild_index()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Indexed {total} published stories in {elapsed:.1f} s.")
        started = time.perf_counter()
        prefixes = rebuild_suggestions()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Kept {prefixes} prefixes for suggestions in {elapsed:.1f} s.")
