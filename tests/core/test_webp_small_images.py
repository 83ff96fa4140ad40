"""Logos, avatars and challenge covers get small WebP display sizes at upload, pages offer them
in a <picture> before the original, and backfill_images makes them for images stored before."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from core import images
from creators.models import AVATAR_WIDTHS
from stories.models import LOGO_WIDTHS, Community
from tests.challenges.conftest import make_challenge
from tests.conftest import detailed_png, make_story, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("forget_webp_copies")]

DATA = Path(__file__).resolve().parent.parent / "data" / "images" / "generated"


def logo_bytes(size=(400, 400)) -> bytes:
    # Detail and transparency, as a real logo has: a PNG, like most uploaded logos.
    return detailed_png(size, (-2, -1.5, 1, 1.5), 40, transparent=True)


@pytest.fixture
def community(db) -> Community:
    community = Community(name="Gardens", slug="gardens")
    community.logo = images.process_upload(logo_bytes())
    community.save()
    return community


def opened(storage, name) -> Image.Image:
    with storage.open(name) as f:
        image = Image.open(io.BytesIO(f.read()))
        image.load()
        return image


def webp_names(field_file) -> list[str]:
    widths = type(field_file.instance).display_sizes[field_file.field.name]
    return [images.modern_name(field_file.name)] + [
        images.modern_name(field_file.name, w) for w in widths
    ]


def picture(html: str, img_class: str) -> tuple[str, str, str]:
    """(srcset, sizes, img tag) of the <picture> around the <img> of ``img_class``."""
    match = re.search(
        r'<picture><source type="image/webp" srcset="([^"]+)" sizes="([^"]+)">'
        rf'(<img class="{img_class}"[^>]*>)</picture>',
        html,
    )
    assert match, f"no <picture> with a WebP source around .{img_class}"
    return match.group(1), match.group(2), match.group(3)


def test_a_logo_gets_small_webp_copies_at_upload(community):
    logo, storage = community.logo, community.logo.storage
    for width in LOGO_WIDTHS:
        copy = opened(storage, images.modern_name(logo.name, width))
        assert copy.format == "WEBP" and copy.width == width
        assert copy.mode == "RGBA"  # the see-through corner is kept
    # The 40 px badge's file is a fraction of the upload.
    assert storage.size(images.modern_name(logo.name, 80)) * 5 < storage.size(logo.name)
    assert images.has_modern_copies(logo)


def test_a_logo_saved_again_is_not_made_again(community):
    storage = community.logo.storage
    name = images.modern_name(community.logo.name, 80)
    storage.delete(name)
    community.description = "Soil and seeds."
    community.save()
    assert not storage.exists(name)


def test_story_and_community_pages_offer_the_logo_as_webp(client, community, alice, settings):
    story = make_story(creator=alice, community=community)
    html = client.get(story.get_absolute_url()).content.decode()
    srcset, sizes, img = picture(html, "community-badge__logo")
    assert sizes == "40px"
    urls = [part.split()[0] for part in srcset.split(", ")]
    assert [part.split()[1] for part in srcset.split(", ")] == [f"{w}w" for w in LOGO_WIDTHS]
    assert all(url.endswith(".webp") for url in urls)
    for url in urls:
        assert (Path(settings.MEDIA_ROOT) / url.removeprefix(settings.MEDIA_URL)).exists()
    # The fallback is the stored original, at the size the page lays out (no shift).
    assert f'src="{community.logo.url}"' in img
    assert 'width="40" height="40"' in img

    html = client.get(community.get_absolute_url()).content.decode()
    srcset, sizes, img = picture(html, "community-header__logo")
    assert sizes == "72px" and 'width="72" height="72"' in img


def test_a_logo_without_copies_is_the_original_alone(client, community, alice):
    community.logo.storage.delete(images.modern_name(community.logo.name))
    story = make_story(creator=alice, community=community)
    html = client.get(story.get_absolute_url()).content.decode()
    assert "image/webp" not in html.split("community-badge")[1].split("</a>")[0]
    assert f'<picture><img class="community-badge__logo" src="{community.logo.url}"' in html


def test_avatars_are_offered_as_webp_where_they_are_shown(client, alice, lifehack):
    alice.avatar = images.process_upload(logo_bytes((300, 300)))
    alice.save()
    for width in AVATAR_WIDTHS:
        assert alice.avatar.storage.exists(images.modern_name(alice.avatar.name, width))
    story = make_story(creator=alice, community=lifehack)
    html = client.get(story.get_absolute_url()).content.decode()
    # The byline's avatar (48 px) and About the Creator's (72 px).
    found = re.findall(
        r'<picture><source type="image/webp" srcset="[^"]+" sizes="(\d+px)">'
        r'<img class="avatar avatar--(\w+)"[^>]*width="(\d+)"',
        html,
    )
    assert ("48px", "md", "48") in found and ("72px", "lg", "72") in found
    html = client.get(alice.get_absolute_url()).content.decode()
    assert re.search(r'sizes="72px"><img class="avatar avatar--lg"', html)


def test_a_challenge_cover_is_offered_as_webp(client, settings):
    challenge = make_challenge(title="Rain", slug="rain", cover_alt="Rain on a window")
    challenge.cover = images.process_upload(logo_bytes((1000, 500)))
    challenge.save()
    html = client.get(challenge.get_absolute_url()).content.decode()
    srcset, sizes, img = picture(html, "challenge__cover")
    assert srcset.count(".webp") == 3 and srcset.endswith("1200w")
    assert f'src="{challenge.cover.url}"' in img and 'alt="Rain on a window"' in img


def test_backfill_makes_the_small_copies_once(community, capsys):
    alice = make_user("alice2")
    alice.avatar = images.process_upload(logo_bytes((200, 200)))
    alice.save()
    challenge = make_challenge(title="Rain", slug="rain")
    challenge.cover = images.process_upload(logo_bytes((600, 300)))
    challenge.save()
    files = [community.logo, alice.avatar, challenge.cover]
    names = [name for field_file in files for name in webp_names(field_file)]
    storage = community.logo.storage
    for name in names:
        storage.delete(name)
    images._modern_known.clear()

    call_command("backfill_images")
    assert "made 3, already there 0, failed 0" in capsys.readouterr().out
    assert all(storage.exists(name) for name in names)
    made_at = {name: storage.get_modified_time(name) for name in names}

    images._modern_known.clear()
    call_command("backfill_images")
    assert "made 0, already there 3, failed 0" in capsys.readouterr().out
    assert {name: storage.get_modified_time(name) for name in names} == made_at


@pytest.fixture
def admin_client(client, db):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "name", ["truncated_half.jpg", "html_named_png.png", "bomb_100k_x_100k.png", "empty.jpg"]
)
def test_a_hostile_logo_is_a_form_error(admin_client, name):
    upload = SimpleUploadedFile(name, (DATA / name).read_bytes(), content_type="image/png")
    data = {"name": "Gardens", "slug": "gardens", "description": "", "logo": upload}
    data["created_at_0"], data["created_at_1"] = "2026-01-01", "12:00:00"
    response = admin_client.post(reverse("admin:stories_community_add"), data)
    assert response.status_code == 200  # the form again, never a 500
    assert "logo" in response.context["adminform"].form.errors
    assert not Community.objects.exists()


def test_a_logo_uploaded_in_the_admin_gets_its_copies(admin_client):
    upload = SimpleUploadedFile("logo.png", logo_bytes(), content_type="image/png")
    data = {"name": "Gardens", "slug": "gardens", "description": "", "logo": upload}
    data["created_at_0"], data["created_at_1"] = "2026-01-01", "12:00:00"
    response = admin_client.post(reverse("admin:stories_community_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    logo = Community.objects.get().logo
    assert all(logo.storage.exists(name) for name in webp_names(logo))
