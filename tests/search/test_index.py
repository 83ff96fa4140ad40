"""The index follows every write, whoever makes it, and can be rebuilt.

Every test runs on whichever database the suite runs on, SQLite (FTS5) or PostgreSQL (tsvector);
CI runs both, and the expectations are the same.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from taggit.models import Tag

from search.backends import backend_for
from search.index import rebuild_index
from stories.models import Story
from stories.services import story_publish, story_submit, story_unpublish, story_update
from tests.conftest import make_community, make_story, make_user
from tests.search.helpers import index_size, titles

pytestmark = pytest.mark.django_db

Status = Story.Status


# --- the index follows every write ----------------------------------------------------------


def test_publishing_and_unpublishing_through_the_services(alice, sam, lifehack):
    story = make_story(creator=alice, community=lifehack, title="Elderflower", status=Status.DRAFT)
    assert titles("elderflower") == []
    story_submit(story=story, actor=alice)
    assert titles("elderflower") == []
    story_publish(story=story, actor=sam)
    assert titles("elderflower") == ["Elderflower"]
    story_unpublish(story=story, actor=sam, reason="Off topic")
    assert titles("elderflower") == []


def test_a_published_edit_is_searchable_once_approved(alice, sam, lifehack):
    story = make_story(creator=alice, community=lifehack, title="Elderflower", tags=["summer"])
    story_update(story=story, data={"title": "Elderberry"}, tags=["autumn"])
    # Pending review: readers still find the published version.
    assert titles("elderflower") == ["Elderflower"] and titles("elderberry") == []
    story_submit(story=story, actor=alice)
    story_publish(story=story, actor=sam)
    assert titles("elderberry") == ["Elderberry"] and titles("elderflower") == []
    assert titles("autumn") == ["Elderberry"] and titles("summer") == []


def test_editing_a_story_in_place_reindexes_it(alice, lifehack):
    story = make_story(creator=alice, community=lifehack, title="Nettle", body="<p>Soup.</p>")
    story.body = "<p>Tea.</p>"
    story.save()
    assert titles("tea") == ["Nettle"] and titles("soup") == []


def test_saves_that_change_no_searchable_field_do_not_touch_the_index(
    alice, lifehack, django_assert_num_queries
):
    story = make_story(creator=alice, community=lifehack, title="Nettle")
    story.read_count = 5
    with django_assert_num_queries(1):
        story.save(update_fields=["read_count"])


def test_indexing_one_story_reads_it_and_its_tags_once_and_writes_its_row(
    alice, lifehack, django_assert_num_queries
):
    from django.db import connection

    from search.index import index_story

    story = make_story(creator=alice, community=lifehack, title="Nettle", tags=["greens"])
    # The story with its creator's names, its tags, and the row written (SQLite's FTS5 has no
    # upsert: a delete and an insert), its words for the typo vocabulary; no query for an empty
    # batch after the one story.
    with django_assert_num_queries(5 if connection.vendor == "sqlite" else 4):
        index_story(story)
    assert titles("nettle") == ["Nettle"]


def test_tag_changes_reindex_the_story(alice, lifehack):
    story = make_story(creator=alice, community=lifehack, title="Sorrel", tags=["greens"])
    story.tags.set(["herbs"])
    assert titles("herbs") == ["Sorrel"] and titles("greens") == []
    story.tags.add("perennial")
    assert titles("perennial") == ["Sorrel"]
    story.tags.remove("herbs")
    assert titles("herbs") == []
    story.tags.clear()
    assert titles("perennial") == []


def test_renaming_or_deleting_a_tag_reindexes_its_stories(alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Sorrel", tags=["greens"])
    tag = Tag.objects.get(name="greens")
    tag.name = "leafy"
    tag.save()
    assert titles("leafy") == ["Sorrel"] and titles("greens") == []
    tag.delete()
    assert titles("leafy") == []


def test_renaming_a_creator_reindexes_their_stories(alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Borage")
    make_story(creator=alice, community=lifehack, title="Comfrey", status=Status.DRAFT)
    alice.display_name = "Alys Zephyrine"
    alice.save()
    assert titles("zephyrine") == ["Borage"]
    assert titles("walker") == []


def test_suspending_and_restoring_a_creator(alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Borage")
    size = index_size()
    alice.is_active = False
    alice.save()
    assert titles("borage") == [] and index_size() == size - 1
    alice.is_active = True
    alice.save()
    assert titles("borage") == ["Borage"] and index_size() == size


def test_a_login_does_not_touch_the_index(client, alice, lifehack, django_assert_num_queries):
    alice.set_password("pw-for-tests-only")
    alice.save()
    # update_last_login saves only last_login: one UPDATE, no index queries.
    alice.last_login = None
    with django_assert_num_queries(1):
        alice.save(update_fields=["last_login"])


def test_deleting_a_story_or_its_creator_removes_it(alice, bob, lifehack):
    story = make_story(creator=alice, community=lifehack, title="Lovage one")
    make_story(creator=bob, community=lifehack, title="Lovage two")
    size = index_size()
    story.delete()
    assert titles("lovage") == ["Lovage two"] and index_size() == size - 1
    bob.delete()
    assert titles("lovage") == [] and index_size() == size - 2


def test_a_rolled_back_publish_leaves_the_index_as_it_was(alice, lifehack):
    story = make_story(creator=alice, community=lifehack, title="Tarragon", status=Status.DRAFT)
    with pytest.raises(RuntimeError), transaction.atomic():
        story.status = Status.PUBLISHED
        story.published_at = story.created_at
        story.save()
        assert titles("tarragon") == ["Tarragon"]
        raise RuntimeError
    assert titles("tarragon") == []


# --- rebuilding -----------------------------------------------------------------------------


def test_rebuild_restores_an_emptied_index(alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Chervil", tags=["herbs"])
    make_story(creator=alice, community=lifehack, title="Draft dill", status=Status.DRAFT)
    other = make_community("Kitchen")
    make_story(creator=alice, community=other, title="Chervil soup")
    backend = backend_for(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {backend.table}")
    assert titles("chervil") == []
    assert rebuild_index() == 2
    assert sorted(titles("chervil")) == ["Chervil", "Chervil soup"]
    assert titles("herbs") == ["Chervil"] and titles("dill") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's table order")
def test_a_rebuild_leaves_the_table_in_publication_order(alice, lifehack):
    # Newest first on disk whatever the ids, so walking the date's B-tree reads neighbours.
    for days in (3, 9, 1, 7):
        make_story(
            creator=alice, community=lifehack, title="Sorrel", published_ago=timedelta(days=days)
        )
    rebuild_index()
    backend = backend_for(connection)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indisclustered FROM pg_index WHERE indexrelid = %s::regclass",
            [f"{backend.table}_published"],
        )
        assert cursor.fetchone() == (True,)
        cursor.execute(f"SELECT published_at FROM {backend.table} ORDER BY ctid")
        dates = [row[0] for row in cursor.fetchall()]
    assert dates == sorted(dates, reverse=True)


def test_the_rebuild_command_reports_what_it_indexed(alice, lifehack, capsys):
    make_story(creator=alice, community=lifehack, title="Chervil")
    call_command("rebuild_search_index")
    assert "Indexed 1 published stories" in capsys.readouterr().out
    assert titles("chervil") == ["Chervil"]


@pytest.mark.django_db(transaction=True)
def test_search_works_after_a_flush_and_ignores_what_it_left(lifehack):
    # Transactional tests empty the database with `flush`, which knows nothing of the index
    # table: it must not fail, and the rows it leaves must not show up or collide.
    writer = make_user("gardener", display_name="Flora Green")
    make_story(creator=writer, community=lifehack, title="Before the flush")
    call_command("flush", interactive=False, verbosity=0)
    writer = make_user("gardener", display_name="Flora Green")
    community = make_community("Lifehack")
    make_story(creator=writer, community=community, title="After the flush")
    assert titles("flush") == ["After the flush"]
    assert titles("flora") == ["After the flush"]
