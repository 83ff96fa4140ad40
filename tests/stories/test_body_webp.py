"""Images inside story bodies: WebP copies at upload, offered around the body's own <img> when
the story page shows it, and made for bodies stored before by backfill_images. The stored
body, and so what the sanitiser lets a writer write, stays plain <img src>."""

from __future__ import annotations

import re

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from core import images
from core.sanitizer import clean_html
from stories import body_images
from stories.body_images import BODY_WIDTHS, with_webp_sources
from stories.models import Story
from tests.conftest import make_story
from tests.stories.test_covers import body_with, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def forget_known(forget_webp_copies):
    body_images._widths.clear()


def webp_names(name: str) -> list[str]:
    return [images.modern_name(name)] + [images.modern_name(name, w) for w in BODY_WIDTHS]


def test_an_upload_gets_webp_copies_for_the_reading_column():
    name = upload(size=(1600, 900))
    assert all(default_storage.exists(copy) for copy in webp_names(name))
    assert images.stored_width(default_storage, images.modern_name(name, 800)) == 800
    assert images.stored_width(default_storage, images.modern_name(name)) == 1600


def test_the_story_page_offers_them_around_the_bodys_img(client, alice, lifehack):
    wide, narrow = upload(size=(1600, 900)), upload(size=(500, 300), color="red")
    body = body_with(wide, narrow)
    story = make_story(creator=alice, community=lifehack, body=body)
    stored = Story.objects.get(pk=story.pk).body
    assert "<picture" not in stored and "<source" not in stored  # only the page has them

    html = client.get(story.get_absolute_url()).content.decode()
    pictures = re.findall(
        r'<picture><source type="image/webp" srcset="([^"]+)" sizes="([^"]+)">(<img [^>]+>)'
        r"</picture>",
        html,
    )
    assert len(pictures) == 2
    (srcset, sizes, img), (small_srcset, small_sizes, small_img) = pictures
    assert srcset.split(", ") == [
        f"{default_storage.url(images.modern_name(wide, 400))} 400w",
        f"{default_storage.url(images.modern_name(wide, 800))} 800w",
        f"{default_storage.url(images.modern_name(wide, 1360))} 1360w",
        f"{default_storage.url(images.modern_name(wide))} 1600w",
    ]
    assert sizes == "(max-width: 712px) 100vw, 680px"
    # The <img> is the stored body's, byte for byte: the original is the fallback.
    assert img == f'<img src="{default_storage.url(wide)}" alt="x">' and img in stored
    # Narrower than the column: its own size, never stretched, and no copy wider than it.
    assert small_srcset == f"{default_storage.url(images.modern_name(narrow, 400))} 400w, " + (
        f"{default_storage.url(images.modern_name(narrow))} 500w"
    )
    assert small_sizes == "(max-width: 532px) 100vw, 500px"
    assert small_img in stored


def test_an_image_without_copies_is_left_as_it_was(alice, lifehack):
    name = upload()
    default_storage.delete(images.modern_name(name, max(BODY_WIDTHS)))
    body = clean_html(body_with(name))
    assert with_webp_sources(body) == body


def test_only_our_markup_is_added_whatever_the_attributes_hold(alice, lifehack):
    name = upload()
    url = default_storage.url(name)
    # An alt that looks like markup, with our upload's address in it, stays an attribute.
    tricky = f'<p><img src="{url}" alt="&lt;img src=&quot;{url}&quot;&gt; a &gt; b"></p>'
    body = clean_html(tricky)
    out = with_webp_sources(body)
    assert out.count("<picture>") == 1 and out.count("<source ") == 1
    assert (
        out.replace(re.search(r"<picture><source [^>]+>", out).group(0), "").replace(
            "</picture>", ""
        )
        == body
    )


def test_the_story_page_takes_no_more_queries_with_body_pictures(
    client, alice, lifehack, django_assert_num_queries
):
    story = make_story(creator=alice, community=lifehack, body=body_with(upload(), upload()))
    # As tests/stories/test_views.py pins it for a story without pictures: the copies are
    # found in storage, never in the database.
    with django_assert_num_queries(10):
        response = client.get(story.get_absolute_url())
    assert response.content.decode().count("<picture><source") == 2


def test_backfill_makes_body_copies_once(alice, lifehack, capsys):
    first, second = upload(), upload(color="red")
    story = make_story(creator=alice, community=lifehack, body=body_with(first, second))
    copies = webp_names(first) + webp_names(second)
    for name in copies:
        default_storage.delete(name)
    images._modern_known.clear()

    call_command("backfill_images")
    assert "made 2, already there 0, failed 0" in capsys.readouterr().out
    assert all(default_storage.exists(name) for name in copies)
    # The first one is the card's too: its WebP copies are back.
    assert story.body_image.name == first and images.has_modern_copies(story.body_image)

    call_command("backfill_images")
    assert "made 0, already there 2, failed 0" in capsys.readouterr().out
