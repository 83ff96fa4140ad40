"""RSS and Atom feeds: valid to a feed reader, only published stories, absolute links, 404s."""

from __future__ import annotations

import calendar
from datetime import timedelta

import feedparser
import html5lib
import pytest
from django.contrib.sites.models import Site

from stories.models import Story
from tests.conftest import make_community, make_story, make_user

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
KINDS = ["rss", "atom"]
CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
}


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE
    settings.SITE_NAME = "Byline"


@pytest.fixture
def site_cached(db):
    # Django keeps the current Site per process (every feed view asks for it); warm it so the
    # pins count the feed's own queries whichever test runs first.
    Site.objects.get_current()


def fetch(client, url: str, kind: str) -> feedparser.FeedParserDict:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == CONTENT_TYPES[kind]
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == ("rss20" if kind == "rss" else "atom10")
    return feed


def titles(feed: feedparser.FeedParserDict) -> list[str]:
    return [entry.title for entry in feed.entries]


@pytest.fixture
def library(alice, bob, lifehack):
    """Published stories of two creators in two communities, plus what must never be listed."""
    cooking = make_community("Cooking")
    suspended = make_user("mallory", display_name="Mallory", is_active=False, password=None)
    make_story(creator=alice, community=lifehack, title="Old tip", published_ago=timedelta(days=9))
    make_story(
        creator=bob,
        community=cooking,
        title="Bread",
        tags=["baking", "how-to"],
        published_ago=timedelta(days=5),
    )
    make_story(
        creator=alice,
        community=lifehack,
        title="New tip",
        tags=["how-to"],
        published_ago=timedelta(days=1),
    )
    for status in (Story.Status.DRAFT, Story.Status.SUBMITTED, Story.Status.CHANGES_REQUESTED):
        make_story(creator=alice, community=lifehack, title=f"Hidden {status}", status=status)
    make_story(creator=suspended, community=lifehack, title="Suspended", tags=["how-to"])
    return {"cooking": cooking, "suspended": suspended}


# --- what each feed lists ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_site_feed_lists_published_stories_newest_first(client, library, kind):
    feed = fetch(client, f"/{kind}/", kind)
    assert feed.feed.title == "Byline"
    assert feed.feed.link == f"{SITE}/"
    assert titles(feed) == ["New tip", "Bread", "Old tip"]


@pytest.mark.parametrize("kind", KINDS)
def test_community_feed_lists_only_its_stories(client, library, kind):
    feed = fetch(client, f"/{kind}/community/lifehack/", kind)
    assert feed.feed.title == "Lifehack | Byline"
    assert feed.feed.link == f"{SITE}/lifehack/"
    assert titles(feed) == ["New tip", "Old tip"]


@pytest.mark.parametrize("kind", KINDS)
def test_tag_feed_lists_the_tag_in_every_community(client, library, kind):
    feed = fetch(client, f"/{kind}/tag/how-to/", kind)
    assert feed.feed.title == "Stories tagged “how-to” | Byline"
    assert feed.feed.link == f"{SITE}/explore/?tag=how-to"
    assert titles(feed) == ["New tip", "Bread"]


@pytest.mark.parametrize("kind", KINDS)
def test_creator_feed_lists_only_their_published_stories(client, library, kind):
    feed = fetch(client, f"/{kind}/authors/alice/", kind)
    assert feed.feed.title == "Alice Walker | Byline"
    assert feed.feed.link == f"{SITE}/authors/alice/"
    assert titles(feed) == ["New tip", "Old tip"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_tag_with_non_ascii_letters_has_a_feed(client, alice, lifehack, kind):
    make_story(creator=alice, community=lifehack, title="Coffee", tags=["café"])
    feed = fetch(client, f"/{kind}/tag/café/", kind)
    assert titles(feed) == ["Coffee"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_feed_carries_the_latest_stories_only(client, alice, lifehack, monkeypatch, kind):
    monkeypatch.setattr("stories.feeds.FEED_LENGTH", 3)
    for days in range(5):
        make_story(
            creator=alice, community=lifehack, title=f"{days} days", published_ago=timedelta(days)
        )
    feed = fetch(client, f"/{kind}/", kind)
    assert titles(feed) == ["0 days", "1 days", "2 days"]


@pytest.mark.parametrize("kind", KINDS)
def test_an_empty_feed_is_still_valid(client, lifehack, kind):
    feed = fetch(client, f"/{kind}/community/lifehack/", kind)
    assert feed.entries == []


# --- what each entry says ------------------------------------------------------------------------

BODY = (
    '<p>See <a href="/lifehack/old-tip/">the old tip</a>, '
    '<a href="https://example.com/x">elsewhere</a> and <a href="#part-2">part 2</a>.</p>'
    '<figure><img src="/media/stories/2025/01/pic.jpg" alt="A pic">'
    "<figcaption>A caption</figcaption></figure>"
)


@pytest.mark.parametrize("kind", KINDS)
def test_an_entry_has_the_story_its_creator_dates_and_tags(client, alice, lifehack, kind):
    story = make_story(
        creator=alice,
        community=lifehack,
        title="Tips & <tricks>",
        subtitle="Less < more",
        tags=["garden", "how-to"],
        body=BODY,
    )
    story.refresh_from_db()
    (entry,) = fetch(client, f"/{kind}/", kind).entries
    url = f"{SITE}/lifehack/{story.slug}/"
    assert entry.title == "Tips & <tricks>"  # plain text, escaped once, not twice
    assert entry.link == url
    assert entry.id == url
    assert entry.summary == "Less &lt; more"  # the subtitle, as HTML
    assert entry.author == "Alice Walker"
    assert sorted(tag.term for tag in entry.tags) == ["garden", "how-to"]
    published = calendar.timegm(entry.published_parsed)
    assert published == int(story.published_at.timestamp())
    if kind == "atom":
        assert entry.author_detail.href == f"{SITE}/authors/alice/"
        assert calendar.timegm(entry.updated_parsed) == int(story.updated_at.timestamp())
    # The whole story, with links and images made absolute for a reader outside the site.
    content = entry.content[0].value
    assert f'href="{SITE}/lifehack/old-tip/"' in content
    assert 'href="https://example.com/x"' in content
    assert f'href="{url}#part-2"' in content
    assert f'src="{SITE}/media/stories/2025/01/pic.jpg"' in content
    assert "<figcaption>A caption</figcaption>" in content


@pytest.mark.parametrize("kind", KINDS)
def test_an_entry_without_a_subtitle_is_summarised_by_its_first_words(
    client, alice, lifehack, kind
):
    make_story(creator=alice, community=lifehack, body="<p>First words of the story.</p>")
    (entry,) = fetch(client, f"/{kind}/", kind).entries
    assert entry.summary == "First words of the story."


def test_the_rss_feed_declares_content_encoded_and_points_at_itself(client, alice, lifehack):
    make_story(creator=alice, community=lifehack)
    content = client.get("/rss/community/lifehack/").content.decode()
    assert 'xmlns:content="http://purl.org/rss/1.0/modules/content/"' in content
    assert "<content:encoded>" in content
    assert f'<atom:link href="{SITE}/rss/community/lifehack/" rel="self"/>' in content


def test_links_use_site_url_whatever_the_request_host_says(client, alice, lifehack, settings):
    settings.SITE_URL = "https://byline.example"
    settings.ALLOWED_HOSTS = ["evil.example"]
    story = make_story(creator=alice, community=lifehack)
    feed = feedparser.parse(client.get("/atom/", HTTP_HOST="evil.example").content)
    assert feed.entries[0].link == f"https://byline.example/lifehack/{story.slug}/"
    assert feed.feed.links[1].href == "https://byline.example/atom/"  # rel="self"


# --- what is not found -----------------------------------------------------------------------


def test_unknown_or_suspended_scopes_are_404s(client, lifehack):
    make_user("mallory", is_active=False, password=None)
    paths = ["community/nowhere/", "tag/no-such-tag/", "authors/nobody/", "authors/mallory/"]
    for kind in KINDS:
        for path in paths:
            assert client.get(f"/{kind}/{path}").status_code == 404, (kind, path)


# --- queries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 6])
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/rss/", 2),  # stories (with creator and community), their tags
        ("/atom/community/lifehack/", 3),  # the community, stories, tags
        ("/rss/tag/how-to/", 3),  # the tag, stories, tags
        ("/atom/authors/alice/", 3),  # the creator, stories, tags
    ],
)
def test_feed_queries_are_constant(
    client, alice, lifehack, site_cached, django_assert_num_queries, n, url, queries
):
    for i in range(n):
        make_story(creator=alice, community=lifehack, tags=["how-to", f"tag{i}"])
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


# --- <link rel="alternate"> on the pages ----------------------------------------------------


def alternates(html: str) -> dict[str, str]:
    """The feed links in a page's <head>: href -> type."""
    tree = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    return {
        link.get("href"): link.get("type")
        for link in tree.find("head").iter("link")
        if link.get("rel") == "alternate"
    }


SITE_FEEDS = {"/rss/": "application/rss+xml", "/atom/": "application/atom+xml"}


def feeds_of(scope: str) -> dict[str, str]:
    return {f"/rss/{scope}/": "application/rss+xml", f"/atom/{scope}/": "application/atom+xml"}


def test_every_page_links_the_site_feeds(client, alice):
    for url in ("/", "/explore/", "/accounts/login/"):
        assert alternates(client.get(url).content.decode()) == SITE_FEEDS
    client.force_login(alice)
    assert alternates(client.get("/settings/").content.decode()) == SITE_FEEDS


def test_scoped_pages_link_their_own_feeds(client, alice, lifehack):
    story = make_story(creator=alice, community=lifehack, tags=["how-to"])
    pages = {
        "/lifehack/": feeds_of("community/lifehack"),
        "/lifehack/tag/how-to/": feeds_of("tag/how-to") | feeds_of("community/lifehack"),
        "/authors/alice/": feeds_of("authors/alice"),
        story.get_absolute_url(): feeds_of("authors/alice") | feeds_of("community/lifehack"),
        "/explore/?tag=how-to": feeds_of("tag/how-to"),
    }
    for page, expected in pages.items():
        links = alternates(client.get(page).content.decode())
        assert links == SITE_FEEDS | expected, page
        for href, kind in links.items():
            # Every link leads to a feed of the type it announces.
            assert client.get(href)["Content-Type"].startswith(kind), href
