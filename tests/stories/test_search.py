"""Search: ranking, highlighting, escaping, what may be found, and an index that follows writes.

Every test runs on whichever database the suite runs on, SQLite (FTS5) or PostgreSQL (tsvector);
CI runs both, and the expectations are the same.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from taggit.models import Tag

from stories import search
from stories.models import Story
from stories.search import parse_query, search_stories
from stories.services import story_publish, story_submit, story_unpublish, story_update
from tests.conftest import make_community, make_story, make_user

pytestmark = pytest.mark.django_db

Status = Story.Status


def titles(query: str, page: int | str | None = 1) -> list[str]:
    return [result.story.title for result in search_stories(query, page_number=page).object_list]


def only(query: str) -> search.SearchResult:
    results = search_stories(query).object_list
    assert len(results) == 1, [result.story.title for result in results]
    return results[0]


def index_size() -> int:
    backend = search.backend_for(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {backend.table}")
        return cursor.fetchone()[0]


# --- ranking --------------------------------------------------------------------------------


def test_a_title_match_ranks_above_a_body_only_match(alice, lifehack):
    # The body-only story is newer, so only relevance can put the title match first.
    make_story(
        creator=alice,
        community=lifehack,
        title="Notes from the allotment",
        body="<p>This year the compost finally worked.</p>",
        published_ago=timedelta(hours=1),
    )
    make_story(
        creator=alice,
        community=lifehack,
        title="Compost without the smell",
        body="<p>Turn it weekly.</p>",
        published_ago=timedelta(days=30),
    )
    assert titles("compost") == ["Compost without the smell", "Notes from the allotment"]


def test_more_relevant_stories_come_first(alice, lifehack):
    # Published in the reverse of the expected order, so that dates cannot explain it.
    make_story(
        creator=alice,
        community=lifehack,
        title="Weekend notes",
        body="<p>We kept bees and sold their honey.</p>",
        published_ago=timedelta(days=1),
    )
    make_story(
        creator=alice,
        community=lifehack,
        title="Honey cake",
        body="<p>Thank the bees.</p>",
        published_ago=timedelta(days=2),
    )
    make_story(
        creator=alice,
        community=lifehack,
        title="Honey bees",
        body="<p>A hive in the yard.</p>",
        published_ago=timedelta(days=3),
    )
    for i in range(4):  # stories without the words, as most are
        make_story(creator=alice, community=lifehack, title=f"Other {i}")
    assert titles("honey bees") == ["Honey bees", "Honey cake", "Weekend notes"]


def test_stories_matching_only_in_the_body_follow_newest_first(alice, lifehack):
    # The same rule on both databases: the body decides whether a story matches, the other
    # fields how well; how often the body repeats a word does not rank it.
    make_story(
        creator=alice,
        community=lifehack,
        title="Older",
        body="<p>Mulch, mulch, mulch and more mulch.</p>",
        published_ago=timedelta(days=9),
    )
    make_story(
        creator=alice,
        community=lifehack,
        title="Newer",
        body="<p>A little mulch.</p>",
        published_ago=timedelta(days=2),
    )
    make_story(
        creator=alice,
        community=lifehack,
        title="Oldest",
        tags=["mulch"],
        published_ago=timedelta(days=30),
    )
    assert titles("mulch") == ["Oldest", "Newer", "Older"]


def test_equally_relevant_stories_are_newest_first(alice, lifehack):
    for days in (5, 1, 3):
        make_story(
            creator=alice,
            community=lifehack,
            title=f"Kombucha day {days}",
            published_ago=timedelta(days=days),
        )
    assert titles("kombucha") == ["Kombucha day 1", "Kombucha day 3", "Kombucha day 5"]


# --- what matches ---------------------------------------------------------------------------


def test_every_word_must_match(alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Sourdough starter")
    make_story(creator=alice, community=lifehack, title="Sourdough crumb")
    assert titles("sourdough starter") == ["Sourdough starter"]
    assert sorted(titles("sourdough")) == ["Sourdough crumb", "Sourdough starter"]


def test_or_and_minus_and_quoted_phrases(alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Apples and worms")
    make_story(creator=alice, community=lifehack, title="Pears in winter")
    make_story(creator=alice, community=lifehack, title="Winter pears and apples")
    assert sorted(titles("apples or pears")) == [
        "Apples and worms",
        "Pears in winter",
        "Winter pears and apples",
    ]
    assert sorted(titles("apples -worms")) == ["Winter pears and apples"]
    assert titles('"pears in winter"') == ["Pears in winter"]
    assert sorted(titles("pears winter")) == ["Pears in winter", "Winter pears and apples"]


def test_words_are_stemmed(alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Gardening on a balcony")
    assert titles("gardens") == ["Gardening on a balcony"]
    assert titles("GARDENED") == ["Gardening on a balcony"]


def test_tags_subtitle_and_body_are_searched(alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Untitled one", tags=["permaculture"])
    make_story(creator=alice, community=lifehack, title="Untitled two", subtitle="On mycelium")
    make_story(
        creator=alice,
        community=lifehack,
        title="Untitled three",
        body="<h2>Part one</h2><p>About <em>lichen</em>.</p>",
    )
    assert titles("permaculture") == ["Untitled one"]
    assert titles("mycelium") == ["Untitled two"]
    assert titles("lichen") == ["Untitled three"]
    # Markup is not text: the heading tag's name is not a word of the story.
    assert titles("h2") == []


def test_creators_are_found_by_display_name_username_and_full_name(lifehack):
    writer = make_user("quillfeather", display_name="Ottoline Marchbanks")
    other = make_user("penpusher", first_name="Wilhelmina", last_name="Threlkeld")
    make_story(creator=writer, community=lifehack, title="By the first")
    make_story(creator=other, community=lifehack, title="By the second")
    assert titles("Marchbanks") == ["By the first"]
    assert titles("quillfeather") == ["By the first"]
    assert titles("Wilhelmina Threlkeld") == ["By the second"]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED])
def test_unpublished_stories_are_never_found(alice, lifehack, status):
    make_story(creator=alice, community=lifehack, title="Secret saffron", status=status)
    assert titles("saffron") == []


def test_a_suspended_creators_stories_are_never_found(lifehack):
    mallory = make_user("mallory", is_active=False)
    make_story(creator=mallory, community=lifehack, title="Suspended saffron")
    assert titles("saffron") == []


def test_a_stale_index_row_is_never_shown(alice, lifehack):
    # A queryset update() sends no signal, so the index still has the story: the join with
    # Story.objects.published() must keep it out.
    story = make_story(creator=alice, community=lifehack, title="Forgotten fennel")
    Story.objects.filter(pk=story.pk).update(status=Status.DRAFT)
    assert titles("fennel") == []
    assert search_stories("fennel").paginator.count == 0


# --- highlighting and escaping --------------------------------------------------------------


def test_matches_are_marked_in_the_title_and_the_excerpt(alice, lifehack):
    make_story(
        creator=alice,
        community=lifehack,
        title="Why rhubarb grows back",
        subtitle="Rhubarb, again",
        body="<p>Plant it once. Every spring the rhubarb returns, redder than before.</p>",
    )
    result = only("rhubarb")
    assert result.title_html == "Why <mark>rhubarb</mark> grows back"
    assert result.subtitle_html == "<mark>Rhubarb</mark>, again"
    assert "the <mark>rhubarb</mark> returns" in result.excerpt_html
    assert "Plant it once" in result.excerpt_html or "Every spring" in result.excerpt_html


def test_stemmed_matches_are_marked(alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Pruning roses", body="<p>Pruned.</p>")
    assert only("prune").title_html == "<mark>Pruning</mark> roses"


def test_a_story_without_a_body_match_shows_the_start_of_its_body(alice, lifehack):
    make_story(
        creator=alice,
        community=lifehack,
        title="Quince paste",
        body="<p>Cook the fruit slowly for three hours until it turns deep red.</p>",
    )
    result = only("quince")
    assert "Cook the fruit slowly" in result.excerpt_html
    assert "<mark>" not in result.excerpt_html


def test_story_text_is_escaped_around_the_marks(alice, lifehack):
    make_story(
        creator=alice,
        community=lifehack,
        title="Tom & Jerry <b>on</b> tomatoes",
        body=(
            "<p>Tomatoes &amp; peppers grow &lt;script&gt;alert(1)&lt;/script&gt; well"
            " &lt; in pots.</p>"
        ),
    )
    result = only("tomatoes")
    assert result.title_html == "Tom &amp; Jerry &lt;b&gt;on&lt;/b&gt; <mark>tomatoes</mark>"
    assert "<mark>Tomatoes</mark>" in result.excerpt_html
    assert "<mark>Tomatoes</mark> &amp; peppers grow" in result.excerpt_html
    assert "well &lt; in pots" in result.excerpt_html
    # SQLite shows the tag-like text escaped; PostgreSQL's excerpts leave out what looks like
    # markup. Neither lets it through as markup.
    assert "<script" not in result.excerpt_html and "<b>" not in result.excerpt_html


def test_sentinel_characters_in_a_story_cannot_make_marks(alice, lifehack):
    make_story(
        creator=alice, community=lifehack, title="Leek \x02soup\x03", body="<p>Leek \x02x\x03</p>"
    )
    result = only("leek")
    assert result.title_html == "<mark>Leek</mark> soup"
    assert "\x02" not in result.excerpt_html and "\x03" not in result.excerpt_html


def test_a_hostile_query_is_shown_escaped(client, alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Script writing")
    response = client.get("/search/", {"q": "<script>alert(1)</script>"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- hostile and empty queries --------------------------------------------------------------

HOSTILE = [
    '"',
    '""',
    '"unterminated phrase',
    "AND",
    "OR",
    "NOT",
    "a AND",
    "or or or",
    "(",
    ")",
    "*",
    "garden*",
    "NEAR(",
    "NEAR(garden soup, 2)",
    "-",
    "- - -",
    "-garden",
    '-"garden"',
    "a:b",
    "title:garden",
    "{title body}:garden",
    "^garden",
    "garden + soup",
    "'; DROP TABLE stories_story; --",
    "%s %% %(x)s",
    "\\",
    "!!garden & |soup",
    "garden <-> soup",
    "\x00garden",
    "\x02mark\x03",
    "東京 ü ǅ Ωmega",
    "🌱🌱",
    "x" * 5000,
    "garden " * 200,
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_answer_without_error(client, alice, lifehack, query):
    make_story(creator=alice, community=lifehack, title="Garden soup")
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    search_stories(query)  # and directly, every page of it
    list(search_stories(query, page_number=2).object_list)


def test_only_negated_or_punctuation_means_no_results(alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Garden soup")
    for query in ["", "   ", "!!!", "-garden", "- -", '""', "or", "the", "and or not"]:
        page = search_stories(query)
        assert page.paginator.count == 0 and list(page.object_list) == [], query


def test_stop_words_alone_are_left_out_but_count_inside_a_phrase(alice, lifehack):
    make_story(creator=alice, community=lifehack, title="The state of the art")
    make_story(creator=alice, community=lifehack, title="Art of the state")
    assert titles("the") == [] and titles('"of the"') == []
    assert sorted(titles("the art of")) == ["Art of the state", "The state of the art"]
    assert titles('"state of the art"') == ["The state of the art"]


def test_a_long_query_is_cut_not_refused(alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Garden soup")
    assert titles("garden " + "x" * 500) == []  # the cut-off word still counts
    assert titles("garden" + " " * 300 + "nonsense") == ["Garden soup"]  # past the cut


def test_parse_query():
    assert parse_query("") is None
    assert parse_query("  ()*  ") is None
    assert parse_query("-only") is None
    parsed = parse_query('Apples "green pears" or PLUMS -worms -"rotten fruit" a:b')
    assert parsed.groups == ((("apples",), ("green", "pears")), (("plums",), ("a", "b")))
    assert parsed.excluded == (("worms",), ("rotten", "fruit"))
    assert parse_query("the of and") is None
    assert parse_query('the "out of" -the garden').groups == ((("garden",),),)
    many = parse_query(" ".join(f"w{i}" for i in range(50)))
    assert sum(len(p) for g in many.groups for p in g) == search.MAX_WORDS


# --- pagination and queries -----------------------------------------------------------------


def test_results_are_paginated(alice, lifehack, settings):
    settings.STORIES_PER_PAGE = 4
    for i in range(10):
        make_story(
            creator=alice, community=lifehack, title=f"Walnut {i}", published_ago=timedelta(i + 1)
        )
    page = search_stories("walnut")
    assert page.paginator.count == 10 and page.paginator.num_pages == 3
    assert titles("walnut") == ["Walnut 0", "Walnut 1", "Walnut 2", "Walnut 3"]
    assert titles("walnut", page=3) == ["Walnut 8", "Walnut 9"]
    assert titles("walnut", page="999") == ["Walnut 8", "Walnut 9"]
    assert titles("walnut", page="9" * 40) == ["Walnut 8", "Walnut 9"]
    assert search_stories("walnut", page_number="999").number == 3
    for nonsense in ["nonsense", "0", "-2", "", None, "1.5"]:
        assert titles("walnut", page=nonsense) == titles("walnut", page=1)


def test_the_results_page_paginates_with_the_query_kept(client, alice, lifehack, settings):
    settings.STORIES_PER_PAGE = 2
    for i in range(3):
        make_story(creator=alice, community=lifehack, title=f"Hazel {i}")
    html = client.get("/search/", {"q": "hazel"}).content.decode()
    assert "3 results for “hazel”" in html
    assert 'href="?q=hazel&amp;page=2"' in html
    html = client.get("/search/", {"q": "hazel", "page": "2"}).content.decode()
    assert "Page 2 of 2" in html and 'href="?q=hazel&amp;page=1"' in html


@pytest.mark.parametrize("n", [3, 30])
def test_a_page_of_results_takes_three_queries(alice, bob, lifehack, n, django_assert_num_queries):
    for i in range(n):
        creator = alice if i % 2 else bob
        make_story(creator=creator, community=lifehack, title=f"Chard {i}", tags=[f"t{i}", "leaf"])
    # the ranked, counted and highlighted page; its stories with creator and community; tags
    with django_assert_num_queries(3):
        page = search_stories("chard")
        assert len(page.object_list) == min(n, 12)
    with django_assert_num_queries(3):
        response = Client().get("/search/", {"q": "chard leaf"})
        assert response.status_code == 200


def test_no_match_takes_one_query_and_no_words_none(alice, lifehack, django_assert_num_queries):
    make_story(creator=alice, community=lifehack, title="Chard")
    with django_assert_num_queries(1):
        assert list(search_stories("zucchini").object_list) == []
    with django_assert_num_queries(0):
        assert list(search_stories("?!").object_list) == []


def test_a_page_past_the_end_costs_two_more_queries(alice, lifehack, django_assert_num_queries):
    make_story(creator=alice, community=lifehack, title="Chard")
    # the empty page, the first match for the total, the last page, its story, tags
    with django_assert_num_queries(5):
        assert titles("chard", page=7) == ["Chard"]


# --- the page -------------------------------------------------------------------------------


def test_the_search_page_without_a_query_asks_for_one(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/search/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'type="search"' in html and 'name="q"' in html
    assert "Type a few words" in html and 'href="/explore/"' in html


def test_the_search_page_shows_marked_results_to_anonymous_readers(client, alice, lifehack):
    story = make_story(
        creator=alice,
        community=lifehack,
        title="Growing garlic",
        body="<p>Plant garlic in autumn.</p>",
        tags=["alliums"],
    )
    response = client.get("/search/", {"q": "garlic"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 result for “garlic”" in html
    assert 'value="garlic"' in html
    assert f'<a href="{story.get_absolute_url()}">Growing <mark>garlic</mark></a>' in html
    assert "Plant <mark>garlic</mark> in autumn" in html
    assert "Alice Walker" in html and "alliums" in html


def test_no_results_suggests_explore(client, alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Growing garlic")
    html = client.get("/search/", {"q": "tomatillo"}).content.decode()
    assert "No results for “tomatillo”" in html and 'href="/explore/"' in html


def test_every_page_has_the_header_search(client):
    html = client.get("/explore/").content.decode()
    assert 'role="search"' in html and 'action="/search/"' in html
    assert '<label class="visually-hidden" for="site-search-q">Search stories</label>' in html


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
    backend = search.backend_for(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {backend.table}")
    assert titles("chervil") == []
    assert search.rebuild_index() == 2
    assert sorted(titles("chervil")) == ["Chervil", "Chervil soup"]
    assert titles("herbs") == ["Chervil"] and titles("dill") == []


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
