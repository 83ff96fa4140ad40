"""Type-ahead suggestions: what the header's box offers as a reader types, and its endpoint.

Every test runs on whichever database the suite runs on, SQLite or PostgreSQL; the expectations
are the same.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from taggit.models import Tag

from search import suggest
from search.models import Suggestion
from search.query import MAX_QUERY_LENGTH
from search.suggest_index import rebuild_suggestions
from stories.models import Story
from stories.services import story_delete, story_publish, story_submit, story_unpublish
from tests.conftest import make_community, make_story, make_user

pytestmark = pytest.mark.django_db

Status = Story.Status
URL = "/search/suggest/"


def labels(query: str, kind: str | None = None) -> list[str]:
    return [s.label for s in suggest.lookup(query) if kind is None or s.kind == kind]


def get(client, q, **extra):
    return client.get(URL, {"q": q}, **extra)


# --- folding and terms ------------------------------------------------------------------------


def test_text_is_folded_as_the_search_index_folds_it():
    assert suggest.normalise("  Élise's   CAFÉ—crème ") == "elise s cafe creme"
    assert suggest.normalise("%_\x00<>") == ""


def test_a_title_is_found_from_its_first_word_and_every_later_word_but_stop_words():
    assert suggest.terms("The Secret of the Garden") == [
        "the secret of the garden",
        "secret of the garden",
        "garden",
    ]


# --- what matches, and in what order ------------------------------------------------------------


def test_prefixes_of_any_word_find_a_title_with_accents_folded(alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Élise and the Orchard")
    for typed in ["el", "eli", "Éli", "ELISE", "elise an", "orch", "orchard", "Orchard "]:
        assert labels(typed, "story") == ["Élise and the Orchard"], typed
    for typed in ["li", "rchard", "and the", "elise orchard", "orchards"]:
        assert labels(typed, "story") == [], typed


def test_stories_come_newest_first_and_one_title_once(alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Garden gate", published_ago=timedelta(3))
    make_story(creator=alice, community=lifehack, title="Garden gazebo", published_ago=timedelta(1))
    make_story(creator=alice, community=lifehack, title="Gravel garden", published_ago=timedelta(2))
    # "ga" starts two words of "Garden gate" and "Garden gazebo": each is offered once.
    for typed in ["ga", "gar", "garden", "garden ga"]:
        expected = ["Garden gazebo", "Gravel garden", "Garden gate"]
        if typed == "garden ga":
            expected = ["Garden gazebo", "Garden gate"]
        assert labels(typed, "story") == expected, typed


def test_creators_by_display_name_full_name_or_handle_most_published_first(alice, lifehack):
    elise = make_user("ebrun", display_name="Élise Brun")
    eliot = make_user("eliot", first_name="Eliot", last_name="Ness")
    for i in range(2):
        make_story(creator=elise, community=lifehack, title=f"Letters {i}")
    make_story(creator=eliot, community=lifehack, title="Untouchable")
    found = [s for s in suggest.lookup("eli") if s.kind == "creator"]
    assert [(s.label, s.url, s.detail) for s in found] == [
        ("Élise Brun", "/authors/ebrun/", "@ebrun"),
        ("Eliot Ness", "/authors/eliot/", "@eliot"),
    ]
    assert labels("brun", "creator") == ["Élise Brun"]
    assert labels("ebru", "creator") == ["Élise Brun"]
    assert labels("ness", "creator") == ["Eliot Ness"]


def test_tags_on_published_stories_most_used_first(alice, lifehack):
    make_story(creator=alice, community=lifehack, title="One", tags=["gardening", "garlic"])
    make_story(creator=alice, community=lifehack, title="Two", tags=["gardening"])
    make_story(creator=alice, community=lifehack, title="Three", status=Status.DRAFT, tags=["gap"])
    found = [s for s in suggest.lookup("ga") if s.kind == "tag"]
    assert [(s.label, s.url, s.detail) for s in found] == [
        ("gardening", "/explore/?tag=gardening", "2 stories"),
        ("garlic", "/explore/?tag=garlic", "1 story"),
    ]


def test_at_most_eight_stories_then_creators_then_tags_sharing_out_the_room(lifehack):
    gary = make_user("gary", display_name="Gary Gardner")
    for i in range(10):
        make_story(
            creator=gary,
            community=lifehack,
            title=f"Gardens {i}",
            published_ago=timedelta(days=i + 1),
            tags=["gardening"] if i == 0 else None,
        )
    found = suggest.lookup("gard")
    assert [s.kind for s in found] == ["story"] * 6 + ["creator", "tag"]
    assert [s.label for s in found[:6]] == [f"Gardens {i}" for i in range(6)]
    story = found[0]
    assert story.url == Story.objects.get(title="Gardens 0").get_absolute_url()
    assert story.detail == "by Gary Gardner"
    # With few stories, creators and tags take the room left.
    assert [s.kind for s in suggest.lookup("gary")] == ["creator"]


# --- only what is public ----------------------------------------------------------------------


def test_drafts_submitted_and_unpublished_stories_are_never_suggested(alice, sam, lifehack):
    make_story(creator=alice, community=lifehack, title="Draft daffodils", status=Status.DRAFT)
    story = make_story(creator=alice, community=lifehack, title="Dahlias", status=Status.DRAFT)
    story_submit(story=story, actor=alice)
    assert labels("da") == []
    story_publish(story=story, actor=sam)
    assert labels("da") == ["Dahlias"]
    story_unpublish(story=story, actor=sam, reason="Off topic")
    assert labels("da") == []
    assert not Suggestion.objects.filter(kind="s").exists()


def test_a_suspended_creator_and_their_stories_and_tags_disappear_and_come_back(lifehack):
    mallory = make_user("mallory", display_name="Mallory Mint")
    make_story(creator=mallory, community=lifehack, title="Minty fresh", tags=["mint"])
    assert labels("mi") == ["Minty fresh", "Mallory Mint", "mint"]
    mallory.is_active = False
    mallory.save(update_fields=["is_active"])
    assert labels("mi") == []
    mallory.is_active = True
    mallory.save()
    assert labels("mi") == ["Minty fresh", "Mallory Mint", "mint"]


def test_a_stale_row_never_shows_what_the_pages_would_not(alice, lifehack):
    # A bulk update() sends no signal, so the table still has the story; the lookup joins
    # with the published stories and leaves it out.
    story = make_story(creator=alice, community=lifehack, title="Hidden hollyhocks")
    Story.objects.filter(pk=story.pk).update(status=Status.DRAFT)
    assert Suggestion.objects.filter(kind="s", object_id=story.pk).exists()
    assert labels("hol") == []
    make_user("ghost", display_name="Holly Ghost")  # no published story: not a creator to offer
    assert labels("holly") == []


# --- kept up to date ----------------------------------------------------------------------------


def test_renaming_deleting_and_retagging_follow(alice, lifehack):
    story = make_story(creator=alice, community=lifehack, title="Quince jelly", tags=["quinces"])
    story.title = "Rhubarb jam"
    story.save()
    assert labels("qu") == ["quinces"] and labels("rhu") == ["Rhubarb jam"]
    story.tags.remove("quinces")
    assert labels("qu") == []
    story.tags.add("rhubarb")
    assert labels("rhu") == ["Rhubarb jam", "rhubarb"]
    Tag.objects.filter(name="rhubarb").get().delete()
    assert labels("rhu") == ["Rhubarb jam"]
    story.tags.add("preserves")
    tag = Tag.objects.get(name="preserves")
    tag.name = "Jams and jellies"
    tag.save()
    assert labels("jel") == ["Jams and jellies"]
    story.tags.clear()
    assert labels("jams") == []
    alice.display_name = "Rhoda Barr"
    alice.save()
    assert labels("rho", "creator") == ["Rhoda Barr"] and labels("walker", "creator") == []
    story_delete(story=story, actor=alice)
    assert labels("rhu") == [] and labels("rho") == []
    assert not Suggestion.objects.exists()


def test_saves_that_change_nothing_suggested_cost_nothing(
    alice, lifehack, django_assert_num_queries
):
    story = make_story(creator=alice, community=lifehack, title="Nettle")
    story.read_count = 5
    with django_assert_num_queries(1):
        story.save(update_fields=["read_count"])
    with django_assert_num_queries(1):
        alice.save(update_fields=["last_login"])


def test_counts_are_redone_only_when_a_story_becomes_public_or_stops(
    alice, lifehack, django_assert_num_queries
):
    from search import suggest_index

    draft = make_story(creator=alice, community=lifehack, title="Draft", status=Status.DRAFT)
    # Is it published, was it shown: no, no; nothing to write and no count to redo.
    with django_assert_num_queries(2):
        assert suggest_index.index_stories([draft.pk]) == set()
    story = make_story(creator=alice, community=lifehack, title="Sorrel", tags=["greens"])
    # Published and shown: its rows rewritten (delete, insert), no count redone.
    with django_assert_num_queries(4):
        assert suggest_index.index_stories([story.pk]) == set()
    Story.objects.filter(pk=story.pk).update(status=Status.DRAFT)
    assert suggest_index.index_stories([story.pk]) == {story.pk}


def test_rebuilding_fills_the_table_from_what_is_public(alice, bob, lifehack, capsys):
    make_story(creator=alice, community=lifehack, title="Élise's orchard", tags=["apples"])
    make_story(creator=bob, community=lifehack, title="Bob's draft", status=Status.DRAFT)
    before = sorted(Suggestion.objects.values_list("kind", "object_id", "term", "rank"))
    Suggestion.objects.all().delete()
    assert rebuild_suggestions() == len(before)
    assert sorted(Suggestion.objects.values_list("kind", "object_id", "term", "rank")) == before
    Suggestion.objects.all().delete()
    call_command("rebuild_search_index")
    assert f"Kept {len(before)} prefixes for suggestions" in capsys.readouterr().out
    assert labels("eli") == ["Élise's orchard"]


def test_the_migration_fill_matches_the_live_index(alice, lifehack):
    """search/migrations/0005 keeps a frozen copy of the fill; it must agree with the code."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("search.migrations.0005_suggestion")
    make_story(creator=alice, community=lifehack, title="The Élan of Greengages", tags=["Plums"])
    make_story(creator=alice, community=lifehack, title="Draft", status=Status.DRAFT)
    live = sorted(Suggestion.objects.values_list("kind", "object_id", "term", "head2", "rank"))
    Suggestion.objects.all().delete()

    class Editor:
        connection = connection

    migration.fill(apps, Editor())
    filled = sorted(Suggestion.objects.values_list("kind", "object_id", "term", "head2", "rank"))
    assert filled == live


# --- the endpoint ---------------------------------------------------------------------------------


def test_the_endpoint_answers_json(client, alice, lifehack):
    story = make_story(creator=alice, community=lifehack, title="Élise's orchard")
    response = get(client, "Eli")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "query": "Eli",
        "suggestions": [
            {
                "kind": "story",
                "label": "Élise's orchard",
                "url": story.get_absolute_url(),
                "detail": "by Alice Walker",
            }
        ],
    }


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "e",
        " é ",
        "%",
        "%%",
        "_",
        "a%",
        "\x00",
        "el\x00",
        '"el',
        "el*",
        "NEAR(el",
        "el OR 1=1",
        "'; DROP TABLE search_suggestion; --",
        "é" * 5000,
        "e" * (MAX_QUERY_LENGTH + 50),
    ],
)
def test_hostile_input_is_answered_never_a_500(client, alice, lifehack, typed):
    make_story(creator=alice, community=lifehack, title="Ellipsis")
    make_story(creator=alice, community=lifehack, title="100% a_b")
    response = get(client, typed)
    if "\x00" in typed:
        # The site refuses NUL bytes in any address before a view sees them (core.middleware).
        assert response.status_code == 400
        assert "null character" in response.content.decode().lower()
        return
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == typed[:MAX_QUERY_LENGTH]
    assert isinstance(body["suggestions"], list)


def test_like_wildcards_are_literal(alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Ab cd")
    make_story(creator=alice, community=lifehack, title="Axb")
    # "%" and "_" separate words, as in search; they never match any letter.
    assert labels("a_b") == [] and labels("a%") == []
    assert labels("ab c") == ["Ab cd"]


def test_non_utf8_bytes_and_a_query_string_without_q(client, alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Ellipsis")
    response = client.get(URL + "?q=el%FF%FE")
    assert response.status_code == 200 and [s["label"] for s in response.json()["suggestions"]] == [
        "Ellipsis"
    ]
    response = client.get(URL)
    assert response.status_code == 200 and response.json() == {"query": "", "suggestions": []}


def test_a_long_query_is_cut_and_still_finds_a_long_title(client, alice, lifehack):
    title = "An extraordinarily long title about the seasons " * 3
    make_story(creator=alice, community=lifehack, title=title.strip())
    response = get(client, title * 4)
    assert response.json()["query"] == (title * 4)[:MAX_QUERY_LENGTH]
    assert [s["label"] for s in response.json()["suggestions"]] == [title.strip()]


def test_only_get(client):
    assert client.post(URL, {"q": "el"}).status_code == 405


def test_one_query_however_many_suggestions(client, alice, lifehack, django_assert_num_queries):
    for i in range(12):
        make_story(creator=alice, community=lifehack, title=f"Plum {i}", tags=[f"plum{i}"])
    plum = make_user("plumber", display_name="Plum Pudding")
    make_story(creator=plum, community=lifehack, title="Pudding")
    for typed, count in [("zz", 0), ("pu", 1), ("plum 1", 3), ("plu", 8), ("plum", 8)]:
        # The candidates of each kind joined with what may be shown, in one UNION.
        with django_assert_num_queries(1):
            response = get(client, typed)
        assert len(response.json()["suggestions"]) >= count, typed
    with django_assert_num_queries(0):
        get(client, "p")


def test_a_signed_in_reader_gets_the_same_answer_without_a_session_query(
    client, alice, lifehack, django_assert_num_queries
):
    make_story(creator=alice, community=lifehack, title="Ellipsis")
    anonymous = get(client, "ell").json()
    client.force_login(alice)
    with django_assert_num_queries(1):
        signed_in = get(client, "ell").json()
    assert signed_in == anonymous


def test_answers_are_kept_until_what_they_show_changes(
    client, alice, lifehack, settings, django_assert_num_queries, monkeypatch
):
    from core import pagecache

    settings.PAGE_CACHE_SECONDS = 300
    # Stamps count as settled at once, so the first answer may be kept (see pagecache.settled).
    monkeypatch.setattr(pagecache, "SETTLE_SECONDS", -60)
    story = make_story(creator=alice, community=lifehack, title="Ellipsis")
    client.force_login(alice)  # signed in: the view's own store, not the anonymous page cache
    with django_assert_num_queries(1):
        assert [s["label"] for s in get(client, "ell").json()["suggestions"]] == ["Ellipsis"]
    with django_assert_num_queries(0):
        assert [s["label"] for s in get(client, "ELL").json()["suggestions"]] == ["Ellipsis"]
    story.title = "Elliptic"
    story.save()
    assert [s["label"] for s in get(client, "ell").json()["suggestions"]] == ["Elliptic"]


def test_anonymous_answers_come_from_the_page_cache(
    client, alice, lifehack, settings, django_assert_num_queries, monkeypatch
):
    from core import pagecache

    settings.PAGE_CACHE_SECONDS = 300
    monkeypatch.setattr(pagecache, "SETTLE_SECONDS", -60)
    make_story(creator=alice, community=lifehack, title="Ellipsis")
    first = get(client, "ell")
    assert first["X-Page-Cache"] == "miss" and "public" in first["Cache-Control"]
    with django_assert_num_queries(0):
        second = get(client, "ell")
    assert second["X-Page-Cache"] == "hit" and second.json() == first.json()


def test_over_the_limit_a_429_says_why(client, settings, clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "suggest": {"address": ["3/m"]}}
    for _ in range(3):
        assert get(client, "el").status_code == 200
    response = get(client, "el")
    assert response.status_code == 429
    assert response.json()["error"] == (
        "You’re asking for suggestions faster than we allow; please try again in a minute."
    )
    assert 0 < int(response["Retry-After"]) <= 60
    clock[0] += 60
    assert get(client, "el").status_code == 200


def test_the_header_box_names_the_endpoint_and_loads_the_script(client):
    html = client.get("/explore/").content.decode()
    assert 'data-suggest-url="/search/suggest/"' in html
    assert 'src="/static/js/search-suggest.js" defer' in html


def test_other_communities_and_names_do_not_bleed_in(alice, lifehack):
    other = make_community("Kitchen")
    make_story(creator=alice, community=other, title="Kale chips")
    suggestion = suggest.lookup("kale")[0]
    assert suggestion.url == "/kitchen/kale-chips/"
