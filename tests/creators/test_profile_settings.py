"""The settings page: display name, bio, avatar and social links, for the signed-in user only."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.images import variant_name
from creators.forms import CHOOSE_FILE_AGAIN, NETWORK_HOSTS, NETWORKS
from creators.models import SocialLink, User
from creators.services import profile_update
from tests.conftest import png_bytes

pytestmark = pytest.mark.django_db

URL = "/settings/"


@pytest.fixture
def as_alice(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


def settings_data(links: dict[str, str] | None = None, **fields: object) -> dict[str, object]:
    """A complete POST of the settings page: the profile fields and one row per network."""
    data: dict[str, object] = {
        "display_name": "Alice Walker",
        "bio": "Writes about gardens.",
        "links-TOTAL_FORMS": str(len(NETWORKS)),
        "links-INITIAL_FORMS": str(len(NETWORKS)),
        "links-MIN_NUM_FORMS": str(len(NETWORKS)),
        "links-MAX_NUM_FORMS": str(len(NETWORKS)),
    }
    for index, network in enumerate(NETWORKS):
        data[f"links-{index}-url"] = (links or {}).get(network.value, "")
    data.update(fields)
    return data


def png_upload(name: str = "me.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes((300, 300)), content_type="image/png")


def give_avatar(user: User) -> str:
    user.avatar.save("old.jpg", ContentFile(png_bytes()), save=True)
    return user.avatar.name


def links_of(user: User) -> dict[str, str]:
    return dict(user.social_links.values_list("network", "url"))


# --- who may see the page -----------------------------------------------------------------------


def test_anonymous_readers_are_sent_to_log_in(client, alice):
    for response in (client.get(URL), client.post(URL, settings_data(display_name="Hacked"))):
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/settings/"
    alice.refresh_from_db()
    assert alice.display_name == "Alice Walker"


def test_the_page_shows_my_own_profile(as_alice, alice, django_assert_num_queries):
    SocialLink.objects.create(user=alice, network="github", url="https://github.com/alice")
    # user, social links (the session comes from the cache); the notification switches and
    # email mode (notifications' own section, issue 16 part 4)
    with django_assert_num_queries(4):
        response = as_alice.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert 'value="Alice Walker"' in html and "Writes about gardens." in html
    assert 'value="https://github.com/alice"' in html
    assert 'href="/accounts/password/change/"' in html
    assert 'enctype="multipart/form-data"' in html
    for network in NETWORKS:
        assert f">{network.label}</label>" in html


def test_there_is_no_way_to_reach_another_users_settings(as_alice, alice, bob):
    assert as_alice.get("/settings/bob/").status_code == 404
    # Fields naming another account are ignored: the page only ever edits its own user.
    as_alice.post(URL, settings_data(display_name="Changed", username="bob", user=bob.pk))
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.display_name == "Changed" and alice.username == "alice"
    assert bob.display_name == "Bob Reader"


# --- name and bio -------------------------------------------------------------------------------


def test_saving_the_name_and_bio(as_alice, alice):
    response = as_alice.post(
        URL,
        settings_data(display_name="Alice W.", bio="Gardens.\r\n\r\nMore: https://example.com"),
        follow=True,
    )
    assert response.redirect_chain == [(URL, 302)]
    assert "Your profile was saved." in response.content.decode()
    alice.refresh_from_db()
    assert alice.display_name == "Alice W."
    assert alice.bio == "Gardens.\n\nMore: https://example.com"
    assert alice.bio_html.startswith('<p>Gardens.</p><p>More: <a href="https://example.com"')


def test_a_script_in_the_bio_is_inert_everywhere(as_alice, alice):
    as_alice.post(URL, settings_data(bio='<script>alert("x")</script><img src=x onerror=alert(1)>'))
    alice.refresh_from_db()
    assert "<script" not in alice.bio_html and "<img" not in alice.bio_html
    profile = Client().get("/authors/alice/").content.decode()
    assert "<script>alert" not in profile and "<img src=x" not in profile
    # Typed text is shown as text, not dropped.
    assert "&lt;script&gt;" in alice.bio_html
    # The settings page shows the raw bio in its textarea, escaped.
    html = as_alice.get(URL).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_a_too_long_bio_is_refused_with_its_length(as_alice, alice):
    response = as_alice.post(URL, settings_data(bio="x" * 2001))
    assert response.status_code == 200
    assert "Your bio is 2001 characters long; please shorten it to at most 2000." in (
        response.content.decode()
    )
    alice.refresh_from_db()
    assert alice.bio == "Writes about gardens."


def test_line_breaks_count_as_one_character_as_in_the_browser(as_alice, alice):
    bio = "\r\n".join(["x" * 99] * 20)  # 1,999 characters in the textarea
    as_alice.post(URL, settings_data(bio=bio))
    alice.refresh_from_db()
    assert len(alice.bio) == 1999


# --- avatar -------------------------------------------------------------------------------------


def test_an_avatar_is_stored_re_encoded_and_shown_on_the_profile(as_alice, alice):
    response = as_alice.post(URL, settings_data(avatar=png_upload()))
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.avatar.name.startswith("avatars/") and alice.avatar.name.endswith(".jpg")
    assert "me" not in alice.avatar.name.rsplit("/", 1)[1]  # a random name, not the upload's
    with alice.avatar.open("rb") as stored:
        assert stored.read(3) == b"\xff\xd8\xff"  # an opaque PNG is re-encoded as JPEG
    # The profile shows the avatar's 144 px display size, made when it was saved.
    small = variant_name(alice.avatar.name, 144)
    assert alice.avatar.storage.exists(small)
    assert (
        f'src="{alice.avatar.storage.url(small)}"'
        in Client().get("/authors/alice/").content.decode()
    )
    assert f'src="{alice.avatar.storage.url(small)}"' in as_alice.get(URL).content.decode()


def test_a_text_file_named_jpg_is_refused_and_the_rest_is_kept(as_alice, alice):
    fake = SimpleUploadedFile("me.jpg", b"just some text\n", content_type="image/jpeg")
    response = as_alice.post(
        URL,
        settings_data(
            avatar=fake,
            display_name="Typed Name",
            bio="Typed bio",
            links={"website": "https://alice.example"},
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Upload a JPEG, PNG, WebP or GIF image." in html
    assert CHOOSE_FILE_AGAIN in html
    assert 'id="id_avatar_error"' in html and 'aria-invalid="true"' in html
    assert 'value="Typed Name"' in html and "Typed bio" in html
    assert 'value="https://alice.example"' in html
    alice.refresh_from_db()
    assert alice.display_name == "Alice Walker" and not alice.avatar
    assert links_of(alice) == {}


def test_a_good_file_must_be_chosen_again_when_another_field_fails(as_alice, alice):
    response = as_alice.post(URL, settings_data(avatar=png_upload(), bio="x" * 2001))
    assert response.status_code == 200
    assert "choose the file again" in response.content.decode()
    alice.refresh_from_db()
    assert not alice.avatar


def test_removing_the_avatar_deletes_the_file(as_alice, alice, django_capture_on_commit_callbacks):
    old = give_avatar(alice)
    assert "Remove my current avatar" in as_alice.get(URL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        as_alice.post(URL, settings_data(remove_avatar="on"))
    alice.refresh_from_db()
    assert not alice.avatar
    assert not default_storage.exists(old)


def test_a_new_avatar_replaces_the_old_file(as_alice, alice, django_capture_on_commit_callbacks):
    old = give_avatar(alice)
    with django_capture_on_commit_callbacks(execute=True):
        # Ticking "remove" while choosing a new picture means "replace".
        as_alice.post(URL, settings_data(avatar=png_upload(), remove_avatar="on"))
    alice.refresh_from_db()
    assert alice.avatar and alice.avatar.name != old
    assert default_storage.exists(alice.avatar.name) and not default_storage.exists(old)


def test_saving_without_a_new_file_keeps_the_avatar(as_alice, alice):
    old = give_avatar(alice)
    as_alice.post(URL, settings_data(display_name="Still Me"))
    alice.refresh_from_db()
    assert alice.avatar.name == old and default_storage.exists(old)


def test_no_remove_checkbox_without_an_avatar(as_alice, alice):
    assert "Remove my current avatar" not in as_alice.get(URL).content.decode()
    as_alice.post(URL, settings_data(remove_avatar="on"))
    alice.refresh_from_db()
    assert not alice.avatar


# --- social links -------------------------------------------------------------------------------


def test_adding_changing_and_clearing_links(as_alice, alice):
    as_alice.post(
        URL,
        settings_data(links={"website": "alice.example", "github": "https://github.com/alice"}),
    )
    # A link typed without a scheme is taken as https.
    assert links_of(alice) == {
        "website": "https://alice.example",
        "github": "https://github.com/alice",
    }
    profile = Client().get("/authors/alice/").content.decode()
    assert 'href="https://github.com/alice"' in profile

    as_alice.post(URL, settings_data(links={"github": "https://github.com/alice-w"}))
    assert links_of(alice) == {"github": "https://github.com/alice-w"}

    as_alice.post(URL, settings_data(links={}))
    assert links_of(alice) == {}


def test_an_invalid_url_is_refused(as_alice, alice):
    response = as_alice.post(URL, settings_data(links={"website": "not a url"}))
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    assert links_of(alice) == {}


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JavaScript://%0aalert(1)", "data:text/html,hi", "ftp://alice.example"],
)
def test_only_web_links_are_accepted(as_alice, alice, url):
    response = as_alice.post(URL, settings_data(links={"website": url}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Only web addresses starting with https:// or http:// can be linked." in html
    assert 'id="id_links-0-url_error"' in html
    assert links_of(alice) == {}


@pytest.mark.parametrize(
    ("network", "url", "expected"),
    [
        ("bluesky", "https://evil.example/profile/alice", "bsky.app"),
        ("x", "https://x.com.evil.example/alice", "x.com or twitter.com"),
        ("github", "https://github.com@evil.example/alice", "github.com"),
        ("youtube", "https://notyoutube.com/@alice", "youtube.com or youtu.be"),
    ],
)
def test_a_link_on_the_wrong_site_is_refused_naming_the_right_one(
    as_alice, alice, network, url, expected
):
    response = as_alice.post(URL, settings_data(links={network: url}))
    assert response.status_code == 200
    label = SocialLink.Network(network).label
    assert f"This is not a {label} address: use a link on {expected}." in (
        response.content.decode()
    )
    assert links_of(alice) == {}


@pytest.mark.parametrize(
    ("network", "url"),
    [
        ("mastodon", "https://social.example/@alice"),
        ("bluesky", "https://bsky.app/profile/alice.example"),
        ("x", "https://twitter.com/alice"),
        ("instagram", "https://www.instagram.com/alice"),
        ("facebook", "https://m.facebook.com/alice"),
        ("linkedin", "https://www.linkedin.com/in/alice"),
        ("youtube", "https://youtu.be/abc"),
        ("tiktok", "https://www.tiktok.com/@alice"),
        ("github", "http://github.com/alice"),
    ],
)
def test_each_network_accepts_its_own_site(as_alice, alice, network, url):
    assert as_alice.post(URL, settings_data(links={network: url})).status_code == 302
    assert links_of(alice) == {network: url}


def test_every_network_has_a_host_rule():
    assert set(NETWORK_HOSTS) == set(SocialLink.Network)


@pytest.mark.parametrize("total", ["3", "11"])
def test_a_tampered_number_of_link_rows_is_refused(as_alice, alice, total):
    data = settings_data(links={"website": "https://alice.example"}, display_name="Changed")
    data["links-TOTAL_FORMS"] = total
    data["links-10-url"] = "https://evil.example"
    response = as_alice.post(URL, data)
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.display_name == "Alice Walker" and links_of(alice) == {}


def test_the_network_of_a_row_cannot_be_chosen_by_the_post(as_alice, alice):
    data = settings_data(links={"website": "https://alice.example"})
    data["links-0-network"] = "github"
    as_alice.post(URL, data)
    assert links_of(alice) == {"website": "https://alice.example"}


# --- the service --------------------------------------------------------------------------------


def test_profile_update_refuses_an_unknown_network(alice):
    with pytest.raises(ValueError, match="myspace"):
        profile_update(user=alice, display_name="", bio="", links={"myspace": "https://a.example"})
