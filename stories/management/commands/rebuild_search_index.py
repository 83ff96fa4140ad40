"""Refill the story search index from every published story, e.g. after a bulk import."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from stories import search


class Command(BaseCommand):
    help = "Rebuild the full-text search index from every published story."

    def handle(self, *args, **options) -> None:
        if search.backend_for(connection) is None:
            raise CommandError(
                f"Search needs PostgreSQL or SQLite; this database is {connection.vendor}."
            )
        started = time.perf_counter()
        total = search.rebuild_index()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Indexed {total} published stories in {elapsed:.1f} s.")
