"""Challenges: staff's briefs with deadlines and prizes, creators' entries, judging, and prizes
paid through support's ledger (floor 4, beside stats)."""

from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "challenges"

    def ready(self) -> None:
        from challenges import cached_pages

        cached_pages.connect()
