"""insight_save and insight_withdraw: who may leave an insight, on what, with which choices."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from insights.models import Insight, Quality, Rating
from insights.services import insight_save, insight_withdraw
from stories.models import Story
from tests.conftest import make_story, make_user
from tests.insights.insights_helpers import default_choices

pytestmark = pytest.mark.django_db


@pytest.fixture
def choices(db):
    return default_choices()


@pytest.fixture
def story(alice, lifehack):
    return make_story(creator=alice, community=lifehack, title="Tomatoes in winter")


def save(story, reader, rating, *qualities):
    return insight_save(
        story=story,
        reader=reader,
        rating_id=rating.pk if rating else None,
        quality_ids=[q.pk for q in qualities],
    )


def test_the_migration_made_the_default_ratings_and_qualities(db):
    if not Rating.objects.exists() and not Quality.objects.exists():
        # A transactional test that ran earlier in this process (pytest-xdist decides the
        # order) flushed the migration's rows: make them again with the migration's own code.
        # (Serialized rollback cannot bring them back once a browser test has run here.)
        migration = import_module("insights.migrations.0002_default_ratings_and_qualities")
        migration.create_defaults(django_apps, schema_editor=None)
    assert [(r.name, r.phrase) for r in Rating.objects.all()] == [
        ("Good Effort", "You have potential. Keep practicing and don't give up!"),
        ("Nice Work", "Very well written. Keep up the good work!"),
        ("Outstanding", "Excellent work. Looking forward to reading more!"),
    ]
    assert list(Quality.objects.values_list("name", flat=True)) == [
        "Heartfelt and relatable",
        "Expert insights and opinions",
        "Eye opening",
        "Excellent storytelling",
        "Compelling and original writing",
        "Masterful proofreading",
        "On-point and relevant",
        "Easy to read and follow",
    ]
    assert all(r.is_active for r in Rating.objects.all())


def test_a_reader_adds_an_insight(choices, story, bob):
    insight, created = save(story, bob, choices.nice, choices.q("Eye opening"))
    assert created
    assert (insight.story, insight.reader, insight.rating) == (story, bob, choices.nice)
    assert [q.name for q in insight.qualities.all()] == ["Eye opening"]


def test_saving_again_changes_the_one_insight(choices, story, bob):
    first, _ = save(
        story, bob, choices.nice, choices.q("Eye opening"), choices.q("Heartfelt and relatable")
    )
    again, created = save(story, bob, choices.outstanding, choices.q("Masterful proofreading"))
    assert not created and again.pk == first.pk
    assert Insight.objects.count() == 1
    again.refresh_from_db()
    assert again.rating == choices.outstanding
    assert [q.name for q in again.qualities.all()] == ["Masterful proofreading"]


def test_the_same_choices_twice_are_one_insight(choices, story, bob):
    for _ in range(2):
        save(story, bob, choices.nice, choices.q("Eye opening"))
    assert Insight.objects.get().qualities.count() == 1


def test_a_rating_alone_is_enough_and_repeated_quality_ids_count_once(choices, story, bob):
    insight, _ = insight_save(
        story=story,
        reader=bob,
        rating_id=choices.good.pk,
        quality_ids=[choices.q("Eye opening").pk] * 3,
    )
    assert insight.qualities.count() == 1
    insight, _ = save(story, bob, choices.good)
    assert insight.qualities.count() == 0


def test_the_creator_cannot_praise_their_own_story(choices, story, alice):
    with pytest.raises(ValidationError, match="your own story"):
        save(story, alice, choices.outstanding)
    assert not Insight.objects.exists()


@pytest.mark.parametrize(
    "status", [Story.Status.DRAFT, Story.Status.SUBMITTED, Story.Status.CHANGES_REQUESTED]
)
def test_only_published_stories_take_insights(choices, alice, bob, lifehack, status):
    draft = make_story(creator=alice, community=lifehack, status=status)
    with pytest.raises(ValidationError, match="published stories"):
        save(draft, bob, choices.nice)
    assert not Insight.objects.exists()


def test_a_suspended_creators_story_takes_no_insights(choices, story, alice, bob):
    alice.is_active = False
    alice.save()
    with pytest.raises(ValidationError, match="published stories"):
        save(story, bob, choices.nice)


def test_a_suspended_or_anonymous_reader_cannot_add_insights(choices, story):
    suspended = make_user("mallory", is_active=False)
    for reader in (suspended, AnonymousUser()):
        with pytest.raises(ValidationError, match="active account"):
            save(story, reader, choices.nice)
    assert not Insight.objects.exists()


@pytest.mark.parametrize("rating_id", [None, 0, 999_999])
def test_a_rating_must_be_one_of_the_list(choices, story, bob, rating_id):
    with pytest.raises(ValidationError, match="Choose one overall rating"):
        insight_save(story=story, reader=bob, rating_id=rating_id, quality_ids=[])
    assert not Insight.objects.exists()


def test_qualities_must_be_from_the_list(choices, story, bob):
    with pytest.raises(ValidationError, match="from the list"):
        insight_save(
            story=story,
            reader=bob,
            rating_id=choices.nice.pk,
            quality_ids=[choices.q("Eye opening").pk, 999_999],
        )
    assert not Insight.objects.exists()


def test_a_refused_change_leaves_the_insight_as_it_was(choices, story, bob):
    save(story, bob, choices.nice, choices.q("Eye opening"))
    with pytest.raises(ValidationError):
        insight_save(story=story, reader=bob, rating_id=choices.good.pk, quality_ids=[999_999])
    insight = Insight.objects.get()
    assert insight.rating == choices.nice
    assert [q.name for q in insight.qualities.all()] == ["Eye opening"]


def test_a_retired_rating_cannot_be_newly_chosen(choices, story, bob):
    Rating.objects.filter(pk=choices.good.pk).update(is_active=False)
    with pytest.raises(ValidationError, match="“Good Effort” is no longer offered"):
        save(story, bob, choices.good)
    assert not Insight.objects.exists()


def test_a_retired_quality_cannot_be_newly_chosen(choices, story, bob):
    Quality.objects.filter(name="Eye opening").update(is_active=False)
    with pytest.raises(ValidationError, match="“Eye opening” is no longer offered"):
        save(story, bob, choices.nice, choices.q("Eye opening"))
    assert not Insight.objects.exists()


def test_a_reader_may_keep_the_retired_choices_their_insight_has(choices, story, bob):
    save(story, bob, choices.good, choices.q("Eye opening"))
    Rating.objects.filter(pk=choices.good.pk).update(is_active=False)
    Quality.objects.filter(name="Eye opening").update(is_active=False)
    insight, created = save(
        story, bob, choices.good, choices.q("Eye opening"), choices.q("Masterful proofreading")
    )
    assert not created
    assert insight.rating == choices.good
    assert insight.qualities.count() == 2
    # …but someone else cannot pick them.
    carol = make_user("carol")
    with pytest.raises(ValidationError, match="no longer offered"):
        save(story, carol, choices.good)


def test_a_reader_withdraws_their_insight(choices, story, bob):
    save(story, bob, choices.nice, choices.q("Eye opening"))
    assert insight_withdraw(story=story, reader=bob) is True
    assert not Insight.objects.exists()
    assert not Insight.qualities.through.objects.exists()
    assert insight_withdraw(story=story, reader=bob) is False


def test_withdrawing_touches_only_your_own_insight(choices, story, alice, bob, lifehack):
    carol = make_user("carol")
    other = make_story(creator=alice, community=lifehack)
    save(story, bob, choices.nice)
    save(other, carol, choices.nice)
    assert insight_withdraw(story=story, reader=carol) is False
    assert insight_withdraw(story=other, reader=bob) is False
    assert Insight.objects.count() == 2
