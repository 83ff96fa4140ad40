"""Every stored image gets WebP copies at upload (the original's size and each display size),
pages offer them in a <picture> before the JPEG, and backfill_images makes them for images
stored before."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from core import images
from tests.conftest import detailed_png, make_story

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("forget_webp_copies")]


def photo_bytes(size=(1200, 675)) -> bytes:
    return detailed_png(size)


@pytest.fixture
def story(alice, lifehack):
    story = make_story(creator=alice, community=lifehack, title="With a hero")
    story.hero_image = images.process_upload(photo_bytes())
    story.hero_alt = "A field"
    story.save()
    return story


def opened(storage, name) -> Image.Image:
    with storage.open(name) as f:
        image = Image.open(io.BytesIO(f.read()))
        image.load()
        return image


def test_upload_stores_webp_copies_of_the_original_and_each_size(story):
    hero = story.hero_image
    storage = hero.storage
    assert hero.name.endswith(".jpg")
    original = opened(storage, images.modern_name(hero.name))
    assert original.format == "WEBP" and original.size == (1200, 675)
    for width in (400, 800):
        copy = opened(storage, images.modern_name(hero.name, width))
        assert copy.format == "WEBP" and copy.width == width
        jpeg_size = storage.size(images.variant_name(hero.name, width))
        assert storage.size(images.modern_name(hero.name, width)) < jpeg_size
    # 1360 is wider than the image: its copy is the image at its own size, never enlarged.
    assert opened(storage, images.modern_name(hero.name, 1360)).width == 1200
    assert images.has_modern_copies(hero)


def test_transparent_image_keeps_its_alpha_in_webp(alice, lifehack):
    image = Image.new("RGBA", (300, 200), (255, 0, 0, 0))
    image.paste((0, 0, 255, 255), (0, 0, 150, 200))
    out = io.BytesIO()
    image.save(out, "PNG")
    story = make_story(creator=alice, community=lifehack)
    story.hero_image = images.process_upload(out.getvalue())
    story.save()
    copy = opened(story.hero_image.storage, images.modern_name(story.hero_image.name))
    assert copy.mode == "RGBA" and copy.getpixel((200, 100))[3] == 0


def sources(html: str) -> list[str]:
    return re.findall(r'<source type="image/webp" srcset="([^"]+)" sizes="([^"]+)">', html)


def test_story_page_and_cards_offer_webp_before_the_jpeg(client, story, settings):
    html = client.get(story.get_absolute_url()).content.decode()
    hero = re.search(r'<figure class="story__hero".*?</figure>', html, re.S).group(0)
    ((srcset, sizes),) = sources(hero)
    assert sizes == "(max-width: 712px) 100vw, 680px"
    urls = [part.split()[0] for part in srcset.split(", ")]
    assert all(url.endswith(".webp") for url in urls) and len(urls) == 3
    assert srcset.endswith(" 1200w")
    # The <img> inside still names the JPEG: browsers without WebP take it.
    assert re.search(r'<picture><source [^>]+><img src="[^"]+\.jpg"', hero)
    for url in urls:
        path = Path(settings.MEDIA_ROOT) / url.removeprefix(settings.MEDIA_URL)
        assert path.exists(), url
    explore = client.get("/explore/").content.decode()
    assert len(sources(explore)) == 1


def test_an_image_without_copies_is_offered_as_jpeg_only(client, story):
    storage = story.hero_image.storage
    storage.delete(images.modern_name(story.hero_image.name))
    html = client.get(story.get_absolute_url()).content.decode()
    assert sources(html) == []
    assert 'fetchpriority="high"' in html


def test_backfill_images_makes_missing_copies_once(story, alice, lifehack, capsys):
    hero = story.hero_image
    storage = hero.storage
    names = [images.modern_name(hero.name)] + [
        images.modern_name(hero.name, w) for w in (400, 800, 1360)
    ]
    for name in names:
        storage.delete(name)
    # An image stored before any of this: no copies, and nothing else of it changes.
    jpeg_before = storage.open(images.variant_name(hero.name, 400)).read()
    call_command("backfill_images", "--dry-run")
    assert "would make 1," in capsys.readouterr().out
    assert not any(storage.exists(name) for name in names)
    call_command("backfill_images")
    assert "made 1, already there 0, failed 0" in capsys.readouterr().out
    assert all(storage.exists(name) for name in names)
    assert storage.open(images.variant_name(hero.name, 400)).read() == jpeg_before
    call_command("backfill_images")
    assert "made 0, already there 1, failed 0" in capsys.readouterr().out


def test_backfill_reports_a_missing_file_and_goes_on(story, capsys):
    story.hero_image.storage.delete(story.hero_image.name)
    story.hero_image.storage.delete(images.modern_name(story.hero_image.name))
    call_command("backfill_images")
    captured = capsys.readouterr()
    assert "failed 1" in captured.out and story.hero_image.name in captured.err
