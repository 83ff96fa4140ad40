"""Results: ranking, what matches, highlighting and escaping, pagination and query counts.

Every test runs on whichever database the suite runs on, SQLite (FTS5) or PostgreSQL (tsvector);
CI runs both, and the expectations are the same.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client

from search.results import search_stories
from stories.models import Story
from tests.conftest import make_story, make_user
from tests.search.helpers import only, titles

pytestmark = pytest.mark.django_db

Status = Story.Status


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


@pytest.mark.parametrize("body_only", [0, 4])
def test_past_the_counted_matches_a_search_says_more_and_shows_that_many(
    client, alice, lifehack, settings, monkeypatch, body_only
):
    # COUNT_EXACT is 1,000 on the site; 5 here, so the test needs 7 stories, not 1,002. Both
    # ways of reading body-only matches (PostgreSQL walks them when there are many) are covered.
    monkeypatch.setattr("search.backends.COUNT_EXACT", 5)
    monkeypatch.setattr("search.results.COUNT_EXACT", 5)
    settings.STORIES_PER_PAGE = 2
    for i in range(7 - body_only):
        make_story(
            creator=alice, community=lifehack, title=f"Quince {i}", published_ago=timedelta(i + 1)
        )
    for i in range(body_only):
        make_story(
            creator=alice,
            community=lifehack,
            title=f"Jam {i}",
            body="<p>With quince.</p>",
            published_ago=timedelta(i + 10),
        )
    page = search_stories("quince")
    assert (page.paginator.count, page.more, page.paginator.num_pages) == (5, True, 3)
    # Page 3 is the last one shown: it holds the fifth match only, and no page follows.
    assert search_stories("quince", page_number=3).object_list[0].story.title == (
        "Quince 4" if body_only == 0 else "Jam 1"
    )
    assert len(search_stories("quince", page_number=3).object_list) == 1
    assert search_stories("quince", page_number=99).number == 3
    html = client.get("/search/", {"q": "quince"}).content.decode()
    assert "More than 5 results for “quince”" in html and "Page 1</span>" in html
    html = client.get("/search/", {"q": "quince", "page": "3"}).content.decode()
    assert "These are the first 5 results." in html and 'rel="next"' not in html
    # Five or fewer: the exact count, and no "more".
    page = search_stories('"quince 0" OR "quince 1"')
    assert (page.paginator.count, page.more) == (2, False)


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


def test_no_match_takes_two_queries_and_no_words_none(alice, lifehack, django_assert_num_queries):
    make_story(creator=alice, community=lifehack, title="Chard")
    # the search, and the vocabulary for a typo to correct (it has none one letter away)
    with django_assert_num_queries(2):
        assert list(search_stories("zucchini").object_list) == []
    with django_assert_num_queries(0):
        assert list(search_stories("?!").object_list) == []


def test_a_page_past_the_end_costs_two_more_queries(alice, lifehack, django_assert_num_queries):
    make_story(creator=alice, community=lifehack, title="Chard")
    # the empty page, the first match for the total, the last page, its story, tags
    with django_assert_num_queries(5):
        assert titles("chard", page=7) == ["Chard"]


@pytest.mark.parametrize("body_only", [3, 10])
def test_title_matches_come_first_then_body_only_matches_newest_first_across_pages(
    alice, lifehack, settings, body_only
):
    # PostgreSQL reads body-only matches one of two ways, by how many there are against the
    # size of the index (sorted when few, walked newest first when many): 3 and 10 take one
    # each in a test database; the order must not depend on which.
    settings.STORIES_PER_PAGE = 4
    for i in range(body_only):
        make_story(
            creator=alice,
            community=lifehack,
            title=f"Body {i}",
            body="<p>Notes on elderflower cordial.</p>",
            published_ago=timedelta(days=i + 1),
        )
    make_story(creator=alice, community=lifehack, title="Elderflower", published_ago=timedelta(99))
    make_story(
        creator=alice,
        community=lifehack,
        title="Cordial",
        tags=["elderflower"],
        published_ago=timedelta(days=98),
    )
    expected = ["Elderflower", "Cordial", *[f"Body {i}" for i in range(body_only)]]
    found = []
    page = search_stories("elderflower")
    assert page.paginator.count == body_only + 2
    for number in page.paginator.page_range:
        found += titles("elderflower", page=number)
    assert found == expected


def test_signed_in_and_anonymous_readers_search_with_the_same_queries(
    alice, bob, lifehack, django_assert_num_queries
):
    # No per-reader work in the ranked query: a signed-in reader's page costs one query more,
    # the one every signed-in page costs (the session and its user, in one), and the search SQL
    # is the same.
    make_story(creator=alice, community=lifehack, title="Chard", tags=["leaf"])
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(bob)
    with django_assert_num_queries(3) as anonymous_queries:
        assert anonymous.get("/search/", {"q": "chard"}).status_code == 200
    with django_assert_num_queries(4) as reader_queries:
        assert signed_in.get("/search/", {"q": "chard"}).status_code == 200
    search_sql = [q["sql"] for q in anonymous_queries.captured_queries]
    reader_sql = [q["sql"] for q in reader_queries.captured_queries]
    # The reader's own query comes when the page first asks who is signed in.
    extra = [sql for sql in reader_sql if sql not in search_sql]
    assert len(extra) == 1 and extra[0].startswith('SELECT "creators_user"."id"')
    assert [sql for sql in reader_sql if sql in search_sql] == search_sql


def test_a_one_letter_typo_is_corrected_only_when_nothing_matches(
    client, alice, lifehack, django_assert_num_queries
):
    make_story(creator=alice, community=lifehack, title="Sourdough for beginners")
    make_story(creator=alice, community=lifehack, title="Sourdugh, a bakery in Leeds")
    make_story(creator=alice, community=lifehack, title="Rhubarb crumble")
    # A word some story has is never corrected, even if it looks like a typo of another.
    assert titles("sourdugh") == ["Sourdugh, a bakery in Leeds"]
    assert search_stories("sourdugh").corrected is None
    # the search, the vocabulary, the corrected search's three
    with django_assert_num_queries(5):
        page = search_stories("Rhubarbb crumble")
    assert page.corrected == "rhubarb crumble"  # the corrected word as the vocabulary keeps it
    assert [r.story.title for r in page.object_list] == ["Rhubarb crumble"]
    html = client.get("/search/", {"q": "rhubrab"}).content.decode()
    assert "No results for “rhubrab”. Showing 1 result for “<strong>rhubarb</strong>”" in html
    # Nothing one letter away: no results, and no correction offered.
    assert search_stories("rhubxxb").paginator.count == 0


# --- PostgreSQL at scale: only the newest head matches are ranked (search/migrations/0007) ---


def _head_rows(way: str, words: str, n: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT story_id FROM search_head_{way}(plainto_tsquery('byline_english', %s), %s)",
            [words, n],
        )
        plain = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT story_id FROM search_head_{way}_all(plainto_tsquery('byline_english', %s),"
            " plainto_tsquery('byline_english', %s), %s)",
            [words, words, n],
        )
        assert [row[0] for row in cursor.fetchall()] == plain
    return plain


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's functions")
def test_both_ways_of_reading_head_matches_give_the_newest(alice, lifehack):
    stories = [
        make_story(
            creator=alice,
            community=lifehack,
            title=f"Medlar {i}" if i % 2 else f"Fruit {i}",
            tags=[] if i % 2 else ["medlar"],
            body="<p>Medlar jelly.</p>",
            published_ago=timedelta(days=i + 1),
        )
        for i in range(9)
    ]
    make_story(creator=alice, community=lifehack, title="Bletting", body="<p>A medlar.</p>")
    newest = [story.pk for story in stories[:5]]
    assert _head_rows("walked", "medlar", 5) == _head_rows("sorted", "medlar", 5) == newest


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL ranks a window")
def test_past_the_window_older_head_matches_are_not_ranked(alice, lifehack, monkeypatch, settings):
    # RANK_WINDOW is 1,001 on the site, where a page shows at most 1,000 results; here 6 and 5.
    settings.STORIES_PER_PAGE = 2
    monkeypatch.setattr("search.backends.COUNT_EXACT", 5)
    monkeypatch.setattr("search.results.COUNT_EXACT", 5)
    monkeypatch.setattr("search.backends.RANK_WINDOW", 6)
    for i in range(6):
        make_story(
            creator=alice,
            community=lifehack,
            title=f"Preserves {i}",
            tags=["medlar"],
            published_ago=timedelta(days=i + 1),
        )
    make_story(creator=alice, community=lifehack, title="Medlar", published_ago=timedelta(99))
    page = search_stories("medlar")
    # The title match would rank first, but it is older than the six newest matches.
    assert (page.paginator.count, page.more) == (5, True)
    shown = [r.story.title for n in (1, 2, 3) for r in search_stories("medlar", page_number=n)]
    assert shown == [f"Preserves {i}" for i in range(5)]
    # Within the window, rank still decides: a new title match comes first.
    make_story(creator=alice, community=lifehack, title="Medlar again")
    assert search_stories("medlar").object_list[0].story.title == "Medlar again"
