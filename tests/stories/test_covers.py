"""Every story card has a picture: the hero, else the body's first image if it is one of our
uploads (in card sizes made once, on save), else a cover drawn in the community's tone."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta
from pathlib import Path
from xml.etree.ElementTree import Element

import html5lib
import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.test import Client

from core import pagecache
from core.images import modern_name, process_upload, variant_name
from stories import services
from stories.body_images import BODY_WIDTHS, CARD_WIDTHS, first_upload, original_of, upload_name
from stories.models import COVER_TONES, Story
from stories.uploads import unused_uploads_delete, upload_save
from tests.conftest import make_community, make_story, png_bytes

pytestmark = pytest.mark.django_db

SITE_CSS = Path(settings.BASE_DIR) / "static" / "css" / "site.css"


def upload(user_id: int = 1, size: tuple[int, int] = (1200, 800), color: str = "teal") -> str:
    """A body image stored the way the editor stores one; its storage name."""
    clean = process_upload(png_bytes(size, color))
    return upload_save(user_id=user_id, image=clean, suffix="." + clean.name.rsplit(".", 1)[1])


def body_with(*images: str, words: str = "<p>Words.</p>") -> str:
    """A body whose images are, in order, `images`: storage names or addresses."""
    srcs = [src if src.startswith(("/", "http")) else default_storage.url(src) for src in images]
    return "".join(f'<figure><img src="{src}" alt="x"></figure>' for src in srcs) + words


def parse(html: str) -> Element:
    return html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)


def text(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


def card_pictures(html: str, card_class: str = "story-card") -> dict[str, Element]:
    """Each card's picture box (an image link or a drawn cover), by the card's title."""
    pictures = {}
    for card in parse(html).iter("article"):
        if card_class not in (card.get("class") or "").split():
            continue
        title = text(card.find(".//*[@class='story-card__title']"))
        boxes = [
            element
            for element in card.iter()
            if "story-card__image" in (element.get("class") or "").split()
        ]
        assert len(boxes) == 1, f"{title!r} has {len(boxes)} picture boxes"
        pictures[title] = boxes[0]
    return pictures


def shows_image(box: Element) -> str | None:
    image = box.find(".//img")
    return None if image is None else image.get("src")


@pytest.fixture
def mixed(alice, lifehack, hero_file):
    """Three published stories: with a hero (and a body image), with a body image, with none."""
    hero_and_body = make_story(
        creator=alice, community=lifehack, title="With a hero", body=body_with(upload())
    )
    hero_and_body.hero_image = hero_file
    hero_and_body.hero_alt = "A field"
    hero_and_body.save()
    body = upload()
    return {
        "hero": hero_and_body,
        "body": make_story(
            creator=alice, community=lifehack, title="With a body image", body=body_with(body)
        ),
        "body_name": body,
        "none": make_story(creator=alice, community=lifehack, title="just words"),
    }


# --- the choice ---------------------------------------------------------------------------------


def test_the_hero_wins_then_the_first_body_image_then_a_drawn_cover(client, mixed, lifehack):
    pictures = card_pictures(client.get("/explore/").content.decode())
    hero = mixed["hero"]
    assert shows_image(pictures["With a hero"]) == hero.hero_image.url
    # The body image, by our own address and its card sizes: the srcset names the sizes made.
    body_box = pictures["With a body image"]
    assert shows_image(body_box) == default_storage.url(mixed["body_name"])
    srcset = body_box.find(".//img").get("srcset")
    for width in CARD_WIDTHS:
        size = variant_name(mixed["body_name"], width)
        assert default_storage.exists(size)
        assert f"{default_storage.url(size)} {width}w" in srcset
    assert body_box.find(".//img").get("width") == "1200"
    assert body_box.find(".//img").get("height") == "800"
    # None: a cover in the community's tone, with the title's initial and the community.
    cover = pictures["just words"]
    assert shows_image(cover) is None
    assert f"cover--tone-{lifehack.pk % COVER_TONES}" in cover.get("class").split()
    assert text(cover) == "J Lifehack"
    assert cover.get("aria-hidden") == "true" and cover.get("tabindex") == "-1"
    assert cover.get("href") == mixed["none"].get_absolute_url()


def test_the_choice_on_the_model(mixed):
    assert mixed["hero"].card_image.file == mixed["hero"].hero_image
    assert mixed["hero"].card_image.widths == "400 800 1360"
    body = Story.objects.get(pk=mixed["body"].pk)
    assert body.card_image.file.name == mixed["body_name"]
    assert (body.card_image.width, body.card_image.height, body.card_image.widths) == (
        1200,
        800,
        "400 800",
    )
    assert mixed["none"].card_image is None
    assert mixed["none"].cover_initial == "J"


@pytest.mark.parametrize(
    ("title", "initial"), [("“Quoted” title", "Q"), ("3 ways", "3"), ("émigré", "É"), ("…", "")]
)
def test_the_covers_letter_is_the_titles_first_letter_or_digit(title, initial):
    assert Story(title=title).cover_initial == initial


def test_only_the_first_image_counts_and_only_if_it_is_ours(alice, lifehack, settings):
    ours = upload()
    site = settings.SITE_URL.rstrip("/")
    # The sanitiser keeps images from this site; one outside the uploads folder is not ours.
    settings.MEDIA_URL = "/media/"
    not_an_upload = make_story(
        creator=alice,
        community=lifehack,
        body=body_with("/static/favicon.svg", ours),
    )
    assert not not_an_upload.body_image and not_an_upload.card_image is None
    absolute = make_story(
        creator=alice, community=lifehack, body=body_with(site + default_storage.url(ours))
    )
    assert absolute.body_image.name == ours


@pytest.mark.parametrize(
    "src",
    [
        "https://elsewhere.example/media/story-images/2026/01/1-a.jpg",
        "/media/heroes/2026/01/a.jpg",
        "/media/story-images/../heroes/a.jpg",
        "/media/story-images/2026//a.jpg",
        "/media/story-images/2026/01/a.jpg?x=1",
        "/elsewhere/story-images/a.jpg",
        "javascript:alert(1)",
        "/media/story-images",
        "http://[::1/media/story-images/a.jpg",
    ],
)
def test_what_is_not_one_of_our_uploads(src, settings):
    settings.MEDIA_URL = "/media/"
    assert upload_name(src) is None


def test_our_upload_by_path_or_by_the_sites_address(settings):
    settings.MEDIA_URL = "/media/"
    settings.SITE_URL = "https://byline.example"
    name = "story-images/2026/01/1-ab%20c.jpg"
    assert upload_name(f"/media/{name}") == "story-images/2026/01/1-ab c.jpg"
    assert upload_name(f"https://byline.example/media/{name}") == "story-images/2026/01/1-ab c.jpg"
    assert first_upload("<p>No image.</p>") == ""


def test_a_missing_or_broken_first_image_costs_the_card_not_the_save(alice, lifehack):
    missing = make_story(
        creator=alice, community=lifehack, body=body_with("story-images/2026/01/1-gone.jpg")
    )
    assert not missing.body_image and missing.card_image is None
    broken = default_storage.save("story-images/2026/01/1-text.jpg", ContentFile(b"not an image"))
    story = make_story(creator=alice, community=lifehack, body=body_with(broken))
    assert not story.body_image
    assert not default_storage.exists(variant_name(broken, 400))


def test_a_new_first_image_gets_new_card_sizes_and_none_clears_it(alice, lifehack):
    first, second = upload(color="red"), upload(size=(600, 900), color="blue")
    story = make_story(
        creator=alice, community=lifehack, body=body_with(first), status=Story.Status.DRAFT
    )
    assert story.body_image.name == first
    services.story_update(story=story, data={"body": body_with(second, first)})
    story.refresh_from_db()
    assert story.body_image.name == second
    assert (story.body_image_width, story.body_image_height) == (600, 900)
    assert all(default_storage.exists(variant_name(second, w)) for w in CARD_WIDTHS)
    services.story_update(story=story, data={"body": "<p>No pictures any more.</p>"})
    story.refresh_from_db()
    assert not story.body_image
    assert story.body_image_width is None and story.card_image is None


def test_a_save_that_leaves_the_first_image_alone_opens_no_file(alice, lifehack, monkeypatch):
    story = make_story(creator=alice, community=lifehack, body=body_with(upload()))
    story = Story.objects.get(pk=story.pk)

    def no_opening(*args, **kwargs):
        raise AssertionError("opened an image for a save that did not change it")

    monkeypatch.setattr("stories.body_images.save_variants", no_opening)
    monkeypatch.setattr(FileSystemStorage, "open", no_opening)
    story.body = story.body + "<p>More words.</p>"
    story.save()
    # A save of other fields only leaves the body and its image alone.
    story.save(update_fields=["title", "updated_at"])


def test_an_edit_of_a_published_story_changes_the_card_when_it_is_published(
    client, alice, sam, lifehack
):
    before, after = upload(color="red"), upload(color="blue")
    story = make_story(creator=alice, community=lifehack, title="Edited", body=body_with(before))
    services.story_update(story=story, data={"body": body_with(after)})
    # Waiting for review: the public card still shows what is published.
    assert shows_image(card_pictures(client.get("/explore/").content.decode())["Edited"]) == (
        default_storage.url(before)
    )
    services.story_submit(story=story, actor=alice)
    services.story_publish(story=story, actor=sam)
    assert shows_image(card_pictures(client.get("/explore/").content.decode())["Edited"]) == (
        default_storage.url(after)
    )


# --- where cards are ------------------------------------------------------------------------


def test_every_list_page_and_search_show_the_same_choice(client, alice, mixed, lifehack):
    expected = {"With a hero": True, "With a body image": True, "just words": False}
    for url in ("/", "/explore/", "/lifehack/", "/authors/alice/"):
        pictures = card_pictures(client.get(url).content.decode())
        assert {title: shows_image(box) is not None for title, box in pictures.items()} == (
            expected
        ), url
    mixed["none"].tags.add("words")
    pictures = card_pictures(client.get("/lifehack/tag/words/").content.decode())
    assert pictures["just words"].get("class").startswith("story-card__image cover")


def test_search_results_show_the_same_choice(client, mixed, lifehack):
    html = client.get("/search/", {"q": "words"}).content.decode()
    pictures = card_pictures(html, card_class="search-result")
    assert shows_image(pictures["With a hero"]) == mixed["hero"].hero_image.url
    assert shows_image(pictures["With a body image"]) == default_storage.url(mixed["body_name"])
    assert shows_image(pictures["just words"]) is None


def test_keep_reading_shows_the_same_choice(client, alice, mixed, lifehack):
    other = make_story(creator=alice, community=lifehack, title="Reading this one")
    tree = parse(client.get(other.get_absolute_url()).content.decode())
    block = tree.find(".//*[@data-block='keep-reading']")
    links = {text(li.find(".//a")): li for li in block.iter("li")}
    assert set(links) >= {"With a hero", "With a body image", "just words"}
    assert links["With a hero"].find(".//img").get("src") == mixed["hero"].hero_image.url
    assert links["With a body image"].find(".//img").get("src") == default_storage.url(
        mixed["body_name"]
    )
    cover = links["just words"].find("span")
    assert links["just words"].find(".//img") is None
    assert "story-link__image" in cover.get("class") and "cover" in cover.get("class")
    assert text(cover) == "J" and cover.get("aria-hidden") == "true"


# --- the community's tone -----------------------------------------------------------------------


def test_a_communitys_tone_is_stable_and_neighbours_differ(db):
    communities = [make_community(f"Tone {i}") for i in range(COVER_TONES)]
    tones = [community.cover_tone for community in communities]
    assert sorted(tones) == list(range(COVER_TONES))
    renamed = communities[0]
    renamed.name, renamed.slug = "Renamed", "renamed"
    renamed.save()
    assert renamed.cover_tone == tones[0]


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_tone_has_a_rule_and_white_text_on_it_passes_aa():
    css = SITE_CSS.read_text()
    rules = dict(re.findall(r"\.cover--tone-(\d+) \{ background-color: (#[0-9a-f]{6}); \}", css))
    assert sorted(int(tone) for tone in rules) == list(range(COVER_TONES))
    for tone, colour in rules.items():
        contrast = 1.05 / (_luminance(colour) + 0.05)
        # 4.5:1 is AA for the small community name; every tone keeps a margin above it.
        assert contrast >= 6, f"tone {tone} ({colour}): {contrast:.2f}:1"


# --- query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 10])
def test_list_pages_with_every_kind_of_picture_take_the_same_queries(
    client, alice, lifehack, hero_file, n, django_assert_num_queries
):
    image = upload()
    for i in range(n):
        make_story(creator=alice, community=lifehack, title=f"Plain {i}", tags=[f"t{i}"])
        make_story(creator=alice, community=lifehack, title=f"Body {i}", body=body_with(image))
        hero = make_story(creator=alice, community=lifehack, title=f"Hero {i}")
        hero.hero_image = ContentFile(png_bytes((500, 300)), name="hero.png")
        hero.save()
    # As tests/stories/test_views.py pins them without pictures: the picture costs nothing.
    with django_assert_num_queries(3):
        client.get("/explore/")
    with django_assert_num_queries(5):
        client.get("/lifehack/")
    with django_assert_num_queries(5):  # + open challenges (issue 17)
        client.get("/")
    with django_assert_num_queries(6):
        client.get("/authors/alice/")
    with django_assert_num_queries(3):
        client.get("/search/", {"q": "words"})
    # Keep reading lists all three kinds under a story.
    url = Story.objects.get(title="Plain 0").get_absolute_url()
    with django_assert_num_queries(10):
        client.get(url)


# --- the stored pages ---------------------------------------------------------------------------


@pytest.fixture
def page_cache(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 300
    monkeypatch.setattr(pagecache, "SETTLE_SECONDS", 0)
    pagecache.local.clear()
    pagecache.known_stamps.clear()


def stored(client: Client, url: str) -> str:
    for _ in range(3):
        response = client.get(url)
        if response[pagecache.CACHE_HEADER] == "hit":
            return response.content.decode()
    raise AssertionError(f"{url} was not stored")


def test_a_new_body_image_empties_stored_pages_and_parts(
    client, alice, bob, sam, lifehack, page_cache
):
    before, after = upload(color="red"), upload(color="blue")
    story = make_story(creator=alice, community=lifehack, title="Changing", body=body_with(before))
    neighbour = make_story(creator=alice, community=lifehack, title="Neighbour")
    reader = Client()
    reader.force_login(bob)
    urls = ("/explore/", "/lifehack/", "/authors/alice/", neighbour.get_absolute_url())
    for url in urls:
        assert default_storage.url(before) in stored(client, url)
        reader.get(url)  # the signed-in reader's stored parts (fragments)
    # A published story's change goes through review; published, it shows everywhere at once.
    services.story_update(story=story, data={"body": body_with(after)})
    services.story_submit(story=story, actor=alice)
    services.story_publish(story=story, actor=sam)
    for url in urls:
        for who in (client, reader):
            html = who.get(url).content.decode()
            assert default_storage.url(after) in html, url
            assert default_storage.url(before) not in html, url
    # And once more when the image goes: a drawn cover.
    story = Story.objects.get(pk=story.pk)
    story.body = "<p>No picture.</p>"
    story.save()
    html = client.get("/explore/").content.decode()
    assert shows_image(card_pictures(html)["Changing"]) is None


# --- what is kept -------------------------------------------------------------------------------


def test_card_sizes_stay_while_their_image_is_used_and_go_with_it(alice, lifehack):
    used, dropped = upload(color="red"), upload(color="blue")
    story = make_story(creator=alice, community=lifehack, body=body_with(used))
    other = make_story(creator=alice, community=lifehack, body=body_with(dropped))
    other.body = "<p>Changed my mind.</p>"
    other.save()
    # Each card size, and WebP copies of the image and of each size (core/images.py).
    sizes = {
        name: [
            *(variant_name(name, w) for w in CARD_WIDTHS),
            modern_name(name),
            # The body's WebP copies (made at upload) include the card's widths.
            *(modern_name(name, w) for w in BODY_WIDTHS),
        ]
        for name in (used, dropped)
    }
    assert all(default_storage.exists(size) for names in sizes.values() for size in names)
    # Old enough to go: nothing is kept for being young.
    assert unused_uploads_delete(keep=timedelta(days=-1)) == 7
    assert default_storage.exists(used)
    assert all(default_storage.exists(size) for size in sizes[used])
    assert not any(default_storage.exists(size) for size in [dropped, *sizes[dropped]])
    assert Story.objects.get(pk=story.pk).card_image.file.name == used


def test_original_of_a_card_size():
    assert original_of("story-images/2026/01/1-abc-400w.jpg") == "story-images/2026/01/1-abc.jpg"
    assert original_of("story-images/2026/01/1-abc.jpg") is None
    assert original_of("1-abc-800w.png") == "1-abc.png"


# --- stories saved before covers -----------------------------------------------------------------


def test_the_migration_finds_the_first_image_of_stories_saved_before(alice, lifehack):
    image = upload()
    story = make_story(creator=alice, community=lifehack, body=body_with(image))
    plain = make_story(creator=alice, community=lifehack)
    for size in CARD_WIDTHS:
        default_storage.delete(variant_name(image, size))
    Story.objects.filter(pk=story.pk).update(
        body_image="", body_image_width=None, body_image_height=None
    )
    migration = importlib.import_module("stories.migrations.0007_card_covers")
    migration.find_body_images(apps, None)
    story.refresh_from_db()
    assert story.body_image.name == image and story.body_image_width == 1200
    assert all(default_storage.exists(variant_name(image, w)) for w in CARD_WIDTHS)
    assert not Story.objects.get(pk=plain.pk).body_image
