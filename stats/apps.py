"""Reads and creator stats: who read what, counted once per reader per story per day."""

from django.apps import AppConfig


class StatsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stats"
