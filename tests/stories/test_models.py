"""Story and community models: derived fields, slugs, constraints, the published queryset."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from stories.models import Community, Story
from tests.conftest import make_community, make_story, make_user

pytestmark = pytest.mark.django_db


def test_reading_time_and_word_count_are_computed_from_the_body_text(alice, lifehack):
    body = "<p>" + " ".join(["word"] * 600) + "</p><p>" + " ".join(["more"] * 15) + "</p>"
    story = make_story(creator=alice, community=lifehack, body=body)
    assert story.word_count == 615
    assert story.reading_time == 3  # 615 words at 238 a minute, rounded up


def test_a_short_story_still_takes_a_minute(alice, lifehack):
    story = make_story(creator=alice, community=lifehack, body="<p>Hi.</p>")
    assert story.reading_time == 1


def test_markup_does_not_count_as_words(alice, lifehack):
    story = make_story(
        creator=alice, community=lifehack, body='<p>one <a href="https://x.test/a-b-c">two</a></p>'
    )
    assert story.word_count == 2


def test_body_is_sanitised_on_every_save(alice, lifehack):
    story = make_story(
        creator=alice, community=lifehack, body='<p onclick="x()">Hi<script>alert(1)</script></p>'
    )
    story.refresh_from_db()
    assert story.body == "<p>Hi</p>"
    Story.objects.filter(pk=story.pk).update(body="<p>raw</p>")  # even after a raw write…
    story.refresh_from_db()
    story.body += '<img src="javascript:alert(1)">'
    story.save()  # …the next save cleans it again
    story.refresh_from_db()
    assert "javascript" not in story.body


def test_slug_comes_from_the_title_and_is_unique_within_a_community(alice, lifehack):
    first = make_story(creator=alice, community=lifehack, title="Hello, World!")
    second = make_story(creator=alice, community=lifehack, title="Hello World")
    other = make_story(creator=alice, community=make_community("Fiction"), title="Hello World")
    assert first.slug == "hello-world"
    assert second.slug == "hello-world-2"
    assert other.slug == "hello-world"


def test_the_same_slug_twice_in_a_community_is_refused_by_the_database(alice, lifehack):
    make_story(creator=alice, community=lifehack, title="A", slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_story(creator=alice, community=lifehack, title="B", slug="same")


def test_a_published_story_must_have_a_publication_date(alice, lifehack):
    story = make_story(creator=alice, community=lifehack, status=Story.Status.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Story.objects.filter(pk=story.pk).update(status=Story.Status.PUBLISHED)


@pytest.mark.parametrize("slug", ["explore", "admin", "authors", "search", "feed", "contact"])
def test_community_slugs_may_not_shadow_site_paths(slug):
    community = Community(name="X", slug=slug)
    with pytest.raises(ValidationError) as error:
        community.full_clean()
    assert "reserved" in str(error.value)


def test_published_excludes_drafts_submitted_and_suspended_creators(alice, lifehack):
    visible = make_story(creator=alice, community=lifehack)
    make_story(creator=alice, community=lifehack, status=Story.Status.DRAFT)
    make_story(creator=alice, community=lifehack, status=Story.Status.SUBMITTED)
    make_story(creator=alice, community=lifehack, status=Story.Status.CHANGES_REQUESTED)
    suspended = make_user("mallory", is_active=False)
    make_story(creator=suspended, community=lifehack)
    assert list(Story.objects.published()) == [visible]


def test_visible_to(alice, bob, sam, lifehack):
    public = make_story(creator=alice, community=lifehack)
    draft = make_story(creator=alice, community=lifehack, status=Story.Status.DRAFT)
    assert set(Story.objects.visible_to(bob)) == {public}
    assert set(Story.objects.visible_to(alice)) == {public, draft}
    assert set(Story.objects.visible_to(sam)) == {public, draft}


def test_urls_and_names(alice, lifehack):
    story = make_story(creator=alice, community=lifehack, title="Grow Tomatoes")
    assert story.get_absolute_url() == "/lifehack/grow-tomatoes/"
    assert lifehack.get_absolute_url() == "/lifehack/"
    assert alice.get_absolute_url() == "/authors/alice/"
    assert str(story) == "Grow Tomatoes"
    assert str(lifehack) == "Lifehack"


def test_a_new_hero_image_gets_its_display_sizes(alice, lifehack, hero_file):
    from django.core.files.storage import default_storage
    from PIL import Image

    from core.images import process_upload, variant_name

    story = make_story(creator=alice, community=lifehack)
    story.hero_image = process_upload(hero_file)  # 1200 x 675
    story.save()
    for width in (400, 800):
        with default_storage.open(variant_name(story.hero_image.name, width)) as f:
            assert Image.open(f).size[0] == width
    with default_storage.open(variant_name(story.hero_image.name, 1360)) as f:
        assert Image.open(f).size[0] == 1200  # never enlarged


def test_every_top_level_path_of_the_site_is_a_reserved_community_slug():
    """A new app's URL prefix must not be claimable as a community slug (/<community>/)."""
    from django.urls import get_resolver
    from django.urls.resolvers import URLResolver

    from stories.models import RESERVED_SLUGS

    def first_segments(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^")
            if isinstance(pattern, URLResolver):
                yield from first_segments(pattern.url_patterns, route)
            else:
                segment = route.split("/", 1)[0]
                if segment and "<" not in segment and "(" not in segment:
                    yield segment.rstrip("$")

    segments = set(first_segments(get_resolver().url_patterns))
    assert {"admin", "explore", "write", "feed"} <= segments  # the walk finds real paths
    assert segments - RESERVED_SLUGS == set()
