"""Private notes from readers to a story's creator, about a passage (issue 16, part 5)."""

from django.apps import AppConfig


class NotesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notes"
