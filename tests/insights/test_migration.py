"""Moving Rating, Quality and Insight from the comments app to insights keeps every row.

The database goes back to the layout before the move (comments at 0002, no insights app), rows
are written through the historical comments models, and after migrating forward the same rows
are read through the insights models. The move is state-only, so this also proves that the
tables the new models name (db_table) are the ones the old models wrote to.
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from insights.models import Insight, Quality, Rating
from tests.conftest import make_story

BEFORE_THE_MOVE = [("comments", "0002_default_ratings_and_qualities"), ("insights", None)]


def migrate(targets=None):
    """Migrate the test database to `targets` (the latest migrations when None); its state."""
    executor = MigrationExecutor(connection)
    if targets is None:
        targets = executor.loader.graph.leaf_nodes()
    state = executor.migrate(targets)
    # The content types' cache holds rows by id; the migrations change their app labels.
    ContentType.objects.clear_cache()
    return state


@pytest.mark.django_db(transaction=True)
def test_ratings_qualities_and_insights_survive_the_move(alice, bob, lifehack):
    story = make_story(creator=alice, community=lifehack, title="Tomatoes in August")
    try:
        old = migrate(BEFORE_THE_MOVE).apps
        with pytest.raises(LookupError):
            old.get_model("insights", "Insight")
        OldRating = old.get_model("comments", "Rating")
        OldQuality = old.get_model("comments", "Quality")
        OldInsight = old.get_model("comments", "Insight")
        OldContentType = old.get_model("contenttypes", "ContentType")
        old_type, _ = OldContentType.objects.get_or_create(app_label="comments", model="insight")

        rating = OldRating.objects.create(name="Worth the wait", phrase="Slow and good.")
        eye, craft = (
            OldQuality.objects.create(name="Eye opening (old)", position=1),
            OldQuality.objects.create(name="Crafted (old)", position=2),
        )
        insight = OldInsight.objects.create(story_id=story.pk, reader_id=bob.pk, rating=rating)
        insight.qualities.set([eye, craft])
        ratings_before = OldRating.objects.count()

        migrate()

        moved = Insight.objects.get(pk=insight.pk)
        assert (moved.story, moved.reader) == (story, bob)
        assert moved.rating == Rating.objects.get(pk=rating.pk, name="Worth the wait")
        assert moved.rating.phrase == "Slow and good."
        assert sorted(q.name for q in moved.qualities.all()) == [
            "Crafted (old)",
            "Eye opening (old)",
        ]
        assert Quality.objects.get(pk=eye.pk).insights.get() == moved
        # A database that had choices keeps exactly those: no default comes back.
        assert Rating.objects.count() == ratings_before
        # The content type moved with the model: permissions and admin history still point at it.
        assert ContentType.objects.get_for_model(Insight).pk == old_type.pk
        assert not ContentType.objects.filter(app_label="comments", model="insight").exists()
    finally:
        migrate()
