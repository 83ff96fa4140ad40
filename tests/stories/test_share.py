"""Sharing a story (issue 16, part 2): the plain links, the Mastodon server check, and a share
block that is part of the story page's stored parts, so it costs no query."""

from __future__ import annotations

import re
from html import escape, unescape
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core import pagecache
from stories.models import Story
from stories.share import clean_instance, mastodon_share_url, share_links
from tests.conftest import make_story

pytestmark = pytest.mark.django_db
Status = Story.Status

# Everything a title may hold that an address must not carry as is.
AWKWARD_TITLE = 'Fish & chips: 100% "real" #food? café/naïve + more'
URL = "https://byline.example/lifehack/fish-and-chips/"
NETWORKS = ["email", "x", "bluesky", "facebook", "linkedin", "whatsapp"]


@pytest.fixture
def story(alice, lifehack) -> Story:
    return make_story(creator=alice, community=lifehack, title=AWKWARD_TITLE, slug="fish-chips")


def links_by_network(title: str = AWKWARD_TITLE, url: str = URL) -> dict[str, str]:
    return {link.network: link.url for link in share_links(title=title, url=url)}


def query_of(address: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(address).query, keep_blank_values=True)


# --- the links ---------------------------------------------------------------------------------


def test_every_network_gets_the_title_and_the_address_encoded():
    links = links_by_network()
    assert list(links) == NETWORKS
    text = f"{AWKWARD_TITLE} {URL}"
    expected = {
        "email": (
            "mailto",
            "",
            {"subject": [AWKWARD_TITLE], "body": [f"{AWKWARD_TITLE}\n\n{URL}"]},
        ),
        "x": ("https", "x.com", {"text": [AWKWARD_TITLE], "url": [URL]}),
        "bluesky": ("https", "bsky.app", {"text": [text]}),
        "facebook": ("https", "www.facebook.com", {"u": [URL]}),
        "linkedin": ("https", "www.linkedin.com", {"url": [URL]}),
        "whatsapp": ("https", "wa.me", {"text": [text]}),
    }
    for network, (scheme, host, params) in expected.items():
        parts = urlsplit(links[network])
        assert (parts.scheme, parts.netloc) == (scheme, host), network
        assert query_of(links[network]) == params, network


def test_the_links_carry_no_raw_character_that_would_break_them():
    for network, address in links_by_network().items():
        query = urlsplit(address).query
        for raw in (" ", "#", '"', "+", "?", "/", "é"):
            assert raw not in query, (network, raw)
        # Spaces as %20: a mail client shows a "+" as a plus.
        if network not in ("facebook", "linkedin"):  # these two take the address alone
            assert "%20" in query


def test_mastodon_goes_to_the_readers_server_with_title_and_address():
    address = mastodon_share_url(instance="mastodon.social", title=AWKWARD_TITLE, url=URL)
    parts = urlsplit(address)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "mastodon.social", "/share")
    assert query_of(address) == {"text": [f"{AWKWARD_TITLE} {URL}"]}


@pytest.mark.parametrize(
    ("typed", "domain"),
    [
        ("mastodon.social", "mastodon.social"),
        ("  Mastodon.Social  ", "mastodon.social"),
        ("https://hachyderm.io/", "hachyderm.io"),
        ("http://fosstodon.org", "fosstodon.org"),
        ("@alice@mastodon.social", "mastodon.social"),
        ("alice@mastodon.social", "mastodon.social"),
        ("social.example.co.uk.", "social.example.co.uk"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_a_server_is_taken_as_readers_type_it(typed, domain):
    assert clean_instance(typed) == domain


HOSTILE = [
    "",
    "   ",
    "localhost",
    "127.0.0.1",
    "[::1]",
    "evil.example/path",
    "evil.example?next=x",
    "evil.example#x",
    "evil.example:8080",
    "//evil.example",
    "javascript:alert(1)",
    "https://evil.example/share?text=",
    "evil.example\r\nLocation: https://other.example",
    "evil .example",
    "-evil.example",
    "a..example",
    "a" * 64 + ".example",
    ("a" * 60 + ".") * 5 + "example",
    "user:pass@",
    "@@evil.example",
    "\x00.example",
    "<script>.example",
]


@pytest.mark.parametrize("typed", HOSTILE)
def test_anything_but_a_domain_name_is_refused(typed):
    with pytest.raises(ValidationError):
        clean_instance(typed)


# --- the Mastodon step ------------------------------------------------------------------------


def mastodon_url(story: Story) -> str:
    return reverse("stories:share_mastodon", args=[story.community.slug, story.slug])


def test_a_good_server_is_sent_on_to_its_share_page(client, story, settings):
    response = client.get(mastodon_url(story), {"instance": "https://Mastodon.Social/"})
    # Not a 302: the CSP's form-action would stop a form's redirect to another site. A page
    # that refreshes to the share page at once, with a link to it.
    assert response.status_code == 200 and "Location" not in response
    canonical = settings.SITE_URL.rstrip("/") + story.get_absolute_url()
    share = "https://mastodon.social/share?text=" + quote(f"{AWKWARD_TITLE} {canonical}", safe="")
    assert response.context["share_url"] == share
    html = response.content.decode()
    refresh = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', html)
    assert refresh and unescape(refresh.group(1)) == share
    assert f'href="{escape(share)}"' in html and "Continue to mastodon.social" in html


@pytest.mark.parametrize("typed", HOSTILE[2:] + ["x" * 5000])
def test_a_hostile_server_gets_the_form_again_with_an_error_and_no_redirect(client, story, typed):
    response = client.get(mastodon_url(story), {"instance": typed})
    assert response.status_code == 400
    assert "Location" not in response and 'http-equiv="refresh"' not in response.content.decode()
    if "\x00" in typed:
        return  # refused before any view, as every request with a NUL is (bad_request.html)
    assert 'role="alert"' in response.content.decode()
    form = response.context["form"]
    assert form.errors["instance"]
    assert form["instance"].value() == typed  # what was typed stays in the field


def test_an_empty_server_is_an_error_too(client, story):
    response = client.get(mastodon_url(story), {"instance": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_without_a_server_the_page_asks_for_one(client, story):
    response = client.get(mastodon_url(story))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your Mastodon server" in html and 'name="instance"' in html
    assert 'content="noindex"' in html and 'http-equiv="refresh"' not in html


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED])
def test_a_story_that_is_not_public_cannot_be_shared(client, alice, story, status):
    Story.objects.filter(pk=story.pk).update(status=status)
    client.force_login(alice)  # even by its creator
    response = client.get(mastodon_url(story), {"instance": "mastodon.social"})
    assert response.status_code == 404


def test_an_unknown_story_is_not_found(client, story):
    url = reverse("stories:share_mastodon", args=[story.community.slug, "nope"])
    assert client.get(url, {"instance": "mastodon.social"}).status_code == 404


def test_the_mastodon_step_is_a_get_only(client, story):
    response = client.post(mastodon_url(story), {"instance": "mastodon.social"})
    assert response.status_code == 405 and "Location" not in response


# --- the block on the story page --------------------------------------------------------------


def share_block(html: str) -> str:
    start = html.index('data-block="share"')
    return html[start : html.index("</section>", start)]


def test_the_story_page_shows_every_way_to_share(client, story, settings):
    html = client.get(story.get_absolute_url()).content.decode()
    block = unescape(share_block(html))
    canonical = settings.SITE_URL.rstrip("/") + story.get_absolute_url()
    for link in share_links(title=AWKWARD_TITLE, url=canonical):
        assert f'href="{link.url}"' in block, link.network
        assert f">{link.label}</a>" in block
    assert "Mastodon" in block and f'action="{mastodon_url(story)}"' in block
    # Copy link: the address to select without JS, the buttons switched on by share.js.
    assert f'value="{canonical}" readonly' in block
    assert "data-share-copy hidden" in block and "data-share-native hidden" in block
    assert 'role="status"' in block
    assert "/static/js/share.js" in html


def test_the_share_links_name_no_script_of_another_site(client, story):
    html = client.get(story.get_absolute_url()).content.decode()
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert scripts and all(src.startswith("/static/") for src in scripts)


def test_a_preview_or_a_draft_shows_no_share_block(client, alice, story):
    client.force_login(alice)
    assert 'data-block="share"' not in client.get(f"/write/{story.pk}/preview/").content.decode()
    Story.objects.filter(pk=story.pk).update(status=Status.DRAFT)
    assert 'data-block="share"' not in client.get(story.get_absolute_url()).content.decode()


def test_a_new_title_changes_the_links(client, story):
    client.get(story.get_absolute_url())
    story.title = "A plainer title"
    story.save()
    block = share_block(client.get(story.get_absolute_url()).content.decode())
    assert "A%20plainer%20title" in block and "Fish%20" not in block


# --- no query added: the block is part of the stored "story-top" fragment --------------------


@pytest.fixture
def page_cache(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 300
    monkeypatch.setattr(pagecache, "SETTLE_SECONDS", 0)
    pagecache.local.clear()
    pagecache.known_stamps.clear()


def test_the_block_comes_from_the_stored_parts_for_signed_in_readers(
    page_cache, client, bob, story, django_assert_num_queries
):
    client.force_login(bob)
    url = story.get_absolute_url()
    with django_assert_num_queries(14):  # as tests/core/test_pagecache.py pins it
        first = client.get(url).content.decode()
    with django_assert_num_queries(5):
        again = client.get(url).content.decode()
    assert share_block(again) == share_block(first)


def test_the_anonymous_page_with_the_block_is_still_stored(
    page_cache, client, story, django_assert_num_queries
):
    url = story.get_absolute_url()
    first = client.get(url)
    assert 'data-block="share"' in first.content.decode()
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again[pagecache.CACHE_HEADER] == "hit"
    assert "csrfmiddlewaretoken" not in again.content.decode()
