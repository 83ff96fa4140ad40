"""What the search app's PostgreSQL-only migrations share (not a migration: Django's loader
skips modules whose names start with "_").

The index's PostgreSQL side is raw SQL (stories/migrations/0006_search.py): a migration that
changes it runs its statements there and does nothing on SQLite, whose FTS5 table needs none.
"""

from django.db import migrations


def postgresql_only(forwards: list[str], backwards: list[str]) -> migrations.RunPython:
    """Run `forwards` (or, unapplying, `backwards`) in order on PostgreSQL; nothing elsewhere."""

    def run(statements: list[str]):
        def operation(apps, schema_editor):
            if schema_editor.connection.vendor != "postgresql":
                return
            with schema_editor.connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)

        return operation

    return migrations.RunPython(run(forwards), run(backwards))
