"""The creator's breakdown: per story, how many readers chose each rating and quality, and who."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from insights.models import Rating
from insights.selectors import creator_insight_breakdown
from tests.conftest import make_story, make_user
from tests.insights.insights_helpers import (
    add_insight,
    bulk_insights,
    default_choices,
    make_readers,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def choices(db):
    return default_choices()


def tallies(rows) -> list[tuple[str, int, list[str]]]:
    return [(t.choice.name, t.count, [r.name for r in t.readers]) for t in rows]


def test_the_numbers_and_the_readers(choices, alice, bob, lifehack):
    first = make_story(creator=alice, community=lifehack)
    second = make_story(creator=alice, community=lifehack)
    quiet = make_story(creator=alice, community=lifehack)
    carol, dave = make_user("carol", display_name="Carol"), make_user("dave")
    eye, proof = choices.q("Eye opening"), choices.q("Masterful proofreading")
    add_insight(first, bob, choices.nice, eye)
    add_insight(first, carol, choices.outstanding, eye, proof)
    add_insight(first, dave, choices.outstanding)  # newest
    add_insight(second, bob, choices.good, proof)
    # Not alice's story, and not a counted reader: neither shows.
    add_insight(make_story(creator=bob, community=lifehack), carol, choices.nice)
    mallory = make_user("mallory")
    add_insight(first, mallory, choices.good, eye)
    mallory.is_active = False
    mallory.save()

    breakdown = creator_insight_breakdown(creator=alice)

    assert set(breakdown) == {first.pk, second.pk}
    assert quiet.pk not in breakdown
    one = breakdown[first.pk]
    assert one.total == 3
    assert [r.name for r in one.readers] == ["dave", "Carol", "Bob Reader"]
    assert tallies(one.ratings) == [
        ("Outstanding", 2, ["dave", "Carol"]),
        ("Nice Work", 1, ["Bob Reader"]),
    ]
    assert one.leading.choice == choices.outstanding
    assert tallies(one.qualities) == [
        ("Eye opening", 2, ["Carol", "Bob Reader"]),
        ("Masterful proofreading", 1, ["Carol"]),
    ]
    two = breakdown[second.pk]
    assert tallies(two.ratings) == [("Good Effort", 1, ["Bob Reader"])]
    assert tallies(two.qualities) == [("Masterful proofreading", 1, ["Bob Reader"])]


def test_ties_go_to_the_higher_position_and_retired_choices_still_count(choices, alice, lifehack):
    story = make_story(creator=alice, community=lifehack)
    a, b = make_readers(2)
    add_insight(story, a, choices.good, choices.q("Masterful proofreading"))
    add_insight(story, b, choices.nice, choices.q("Eye opening"))
    Rating.objects.filter(pk=choices.good.pk).update(is_active=False)
    breakdown = creator_insight_breakdown(creator=alice)[story.pk]
    assert [t.choice.name for t in breakdown.ratings] == ["Nice Work", "Good Effort"]
    # Equal counts: the staff's order ("Eye opening" comes before "Masterful proofreading").
    assert [t.choice.name for t in breakdown.qualities] == [
        "Eye opening",
        "Masterful proofreading",
    ]


@pytest.mark.parametrize("per_story", [2, 150])
def test_two_queries_for_all_the_stories(
    choices, alice, lifehack, per_story, django_assert_num_queries
):
    ratings = list(choices.ratings.values())
    qualities = list(choices.qualities.values())
    stories = [make_story(creator=alice, community=lifehack) for _ in range(3)]
    for story in stories:
        bulk_insights(story, make_readers(per_story), ratings, qualities)
    # the creator's insights with rating and reader; the qualities of those insights
    with django_assert_num_queries(2):
        breakdown = creator_insight_breakdown(creator=alice)
    for story in stories:
        counts = breakdown[story.pk]
        assert counts.total == per_story
        assert sum(t.count for t in counts.ratings) == per_story
    # bulk_insights: reader i picks the first (i % 8) + 1 qualities, so the first is picked by all.
    assert breakdown[stories[0].pk].qualities[0].count == per_story


def test_the_dashboard_tags(choices, alice, bob, lifehack, django_assert_num_queries):
    story = make_story(creator=alice, community=lifehack)
    quiet = make_story(creator=alice, community=lifehack)
    add_insight(story, bob, choices.outstanding, choices.q("Eye opening"))
    template = Template(
        "{% load insights_tags %}{% creator_insights creator as breakdowns %}"
        "{% for story in stories %}<div id='s{{ story.pk }}'>"
        "{% insights_breakdown breakdowns story.pk %}"
        "{% with b=breakdowns|insights_for:story.pk %}[{{ b.total|default:0 }}]{% endwith %}"
        "</div>{% endfor %}"
    )
    with django_assert_num_queries(2):
        html = template.render(Context({"creator": alice, "stories": [story, quiet]}))
    mine, empty = html.split(f"<div id='s{quiet.pk}'>")
    assert "<strong>1</strong> reader insight ·" in mine and "mostly “Outstanding”" in mine
    assert '<a href="/authors/bob/">Bob Reader</a>' in mine
    assert "Eye opening" in mine and "[1]" in mine
    assert "No reader insights yet." in empty and "[0]" in empty


def test_the_tags_give_nothing_for_anonymous_or_missing_input(db):
    from django.contrib.auth.models import AnonymousUser

    html = Template(
        "{% load insights_tags %}{% creator_insights who as b %}{% insights_breakdown b 1 %}"
        "{{ b|insights_for:'x'|default:'none' }}"
    ).render(Context({"who": AnonymousUser()}))
    assert "No reader insights yet." in html and "none" in html
