"""The user model as a creator profile: names, initials, bios through the sanitiser."""

from __future__ import annotations

import pytest

from creators.models import SocialLink, User
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("display_name", "first", "last", "username", "initials"),
    [
        ("Amelia Wilson", "", "", "aw", "AW"),
        ("Mary Ann de la Cruz", "", "", "m", "MC"),
        ("", "Jo", "Bloggs", "jb", "JB"),
        ("", "", "", "zed", "ZE"),
        ("Ōsaka Kenji", "", "", "ok", "ŌK"),
    ],
)
def test_name_and_initials(display_name, first, last, username, initials):
    user = User(username=username, display_name=display_name, first_name=first, last_name=last)
    assert user.initials == initials
    assert user.name == (display_name or f"{first} {last}".strip() or username)


def test_bio_is_rendered_once_on_save_through_the_sanitiser():
    user = make_user(bio="Gardener. <script>alert(1)</script> See https://example.com/garden")
    assert "<script" not in user.bio_html
    assert 'href="https://example.com/garden"' in user.bio_html
    assert user.bio.startswith("Gardener.")  # what they typed is kept as typed


def test_one_social_link_per_network():
    user = make_user()
    SocialLink.objects.create(user=user, network="website", url="https://a.example")
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError, whatever the database
        SocialLink.objects.create(user=user, network="website", url="https://b.example")
