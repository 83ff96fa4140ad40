"""The ratings and qualities readers start with; staff reword, add and retire them in the admin."""

from __future__ import annotations

# (name, phrase), lowest first: a tie between ratings goes to the higher position.
RATINGS = [
    ("Good Effort", "You have potential. Keep practicing and don't give up!"),
    ("Nice Work", "Very well written. Keep up the good work!"),
    ("Outstanding", "Excellent work. Looking forward to reading more!"),
]

QUALITIES = [
    "Heartfelt and relatable",
    "Expert insights and opinions",
    "Eye opening",
    "Excellent storytelling",
    "Compelling and original writing",
    "Masterful proofreading",
    "On-point and relevant",
    "Easy to read and follow",
]

# Gaps between positions let staff slot a new choice in without renumbering the others.
STEP = 10


def ensure_default_insight_choices(Rating, Quality) -> None:
    """Create the default ratings and qualities that are missing; staff edits are left alone.

    Takes the model classes so that the data migration can pass its historical models.
    """
    for i, (name, phrase) in enumerate(RATINGS, start=1):
        Rating.objects.get_or_create(name=name, defaults={"phrase": phrase, "position": i * STEP})
    for i, name in enumerate(QUALITIES, start=1):
        Quality.objects.get_or_create(name=name, defaults={"position": i * STEP})


def defaults_after_migrate(sender, *, apps=None, using="default", **kwargs) -> None:
    """post_migrate: a database with no rating and no quality at all gets the defaults again.

    `flush` empties every table and sends this signal (`manage.py flush`, tests that truncate),
    so a flushed site still offers insights. Where staff have any choice, nothing is touched:
    they retire choices rather than delete them, as insights point at them.
    """
    from django.apps import apps as global_apps

    apps = apps or global_apps
    Rating = apps.get_model("insights", "Rating")
    Quality = apps.get_model("insights", "Quality")
    if Rating.objects.using(using).exists() or Quality.objects.using(using).exists():
        return
    ensure_default_insight_choices(Rating, Quality)
