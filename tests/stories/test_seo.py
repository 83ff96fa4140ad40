"""sitemap.xml, robots.txt, canonical URLs, link previews and JSON-LD on the story page."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import html5lib
import pytest
from django.contrib.sites.models import Site
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from core import first_paint
from core.images import process_upload, variant_name
from stories.models import Story
from tests.conftest import make_community, make_story, make_user, png_bytes

pytestmark = pytest.mark.django_db

SITE = "https://byline.example"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(autouse=True)
def _site_url(settings):
    # Not what the Sites framework's row says (example.com): SITE_URL is the one source.
    settings.SITE_URL = SITE
    settings.SITE_NAME = "Byline"


def head(html: str):
    tree = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    return tree.find("head")


def meta(html: str) -> dict[str, list[str]]:
    """Every <meta property|name=... content=...> in the head, by its property or name."""
    found: dict[str, list[str]] = {}
    for element in head(html).iter("meta"):
        key = element.get("property") or element.get("name")
        if key and element.get("content") is not None:
            found.setdefault(key, []).append(element.get("content"))
    return found


def canonical(html: str) -> list[str]:
    return [link.get("href") for link in head(html).iter("link") if link.get("rel") == "canonical"]


def json_ld(html: str) -> list[dict]:
    return [
        json.loads(script.text)
        for script in head(html).iter("script")
        if script.get("type") == "application/ld+json"
    ]


# --- sitemap.xml -----------------------------------------------------------------------------


def sitemap_urls(client) -> dict[str, str | None]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    ns = SITEMAP_NS
    return {
        url.findtext("sm:loc", namespaces=ns): url.findtext("sm:lastmod", namespaces=ns)
        for url in root.findall("sm:url", ns)
    }


def test_sitemap_lists_exactly_the_public_pages(client, alice, bob, lifehack):
    cooking = make_community("Cooking")
    suspended = make_user("mallory", is_active=False, password=None)
    story = make_story(creator=alice, community=lifehack, title="Public", tags=["how-to"])
    make_story(creator=alice, community=cooking, title="Unicode tag", tags=["café"])
    make_story(creator=alice, community=lifehack, title="Draft", status=Story.Status.DRAFT)
    submitted = Story.Status.SUBMITTED
    make_story(creator=bob, community=cooking, status=submitted, tags=["secret"])
    make_story(creator=suspended, community=lifehack, title="Suspended", tags=["hidden"])
    urls = sitemap_urls(client)
    story.refresh_from_db()
    assert set(urls) == {
        f"{SITE}/",
        f"{SITE}/explore/",
        f"{SITE}/lifehack/public/",
        f"{SITE}/cooking/unicode-tag/",
        f"{SITE}/lifehack/",
        f"{SITE}/cooking/",
        f"{SITE}/lifehack/tag/how-to/",
        # Taggit keeps the é in the slug; the address carries it percent-encoded.
        f"{SITE}/cooking/tag/caf%C3%A9/",
        f"{SITE}/authors/alice/",
        # Not bob: nothing published. Not mallory: suspended.
    }
    assert urls[f"{SITE}/lifehack/public/"] == story.updated_at.date().isoformat()
    assert urls[f"{SITE}/lifehack/tag/how-to/"] == story.updated_at.date().isoformat()


def test_sitemap_ignores_the_sites_framework_and_the_host(client, alice, lifehack, settings):
    assert Site.objects.get_current().domain != "byline.example"
    settings.ALLOWED_HOSTS = ["evil.example"]
    make_story(creator=alice, community=lifehack, title="Public")
    response = client.get("/sitemap.xml", HTTP_HOST="evil.example")
    locs = [loc.text for loc in ET.fromstring(response.content).iter(f"{{{SITEMAP_NS['sm']}}}loc")]
    assert locs and all(loc.startswith(f"{SITE}/") for loc in locs)


@pytest.mark.parametrize("n", [1, 5])
def test_sitemap_queries_are_constant(client, lifehack, n, django_assert_num_queries):
    Site.objects.get_current()  # cached per process, like in production
    for i in range(n):
        creator = make_user(password=None)
        make_story(creator=creator, community=lifehack, tags=[f"tag{i}", "shared"])
    # a count and a page for each of: stories, communities, tags, profiles
    with django_assert_num_queries(8):
        assert client.get("/sitemap.xml").status_code == 200


# --- robots.txt ------------------------------------------------------------------------------


PRIVATE_PATHS = ["/admin/", "/accounts/", "/subscriptions/", "/stories/"]
# Behind sign-in: not in robots.txt (Lighthouse's SEO audit fails a disallowed page), as a
# crawler is sent to the sign-in page, which is disallowed.
SIGNED_IN_PATHS = [
    "/write/", "/write/stats/", "/settings/", "/wallet/", "/supporting/", "/feed/",
    "/notifications/",
]  # fmt: skip


def test_robots_txt_allows_reading_and_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    for path in PRIVATE_PATHS:
        assert f"Disallow: {path}" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    # Public pages stay crawlable.
    assert not any(line in {"Disallow: /", "Disallow: /authors/"} for line in lines)
    assert "Disallow: /search/" not in lines


@pytest.mark.parametrize("path", SIGNED_IN_PATHS)
def test_pages_behind_sign_in_send_a_crawler_to_a_disallowed_sign_in_page(client, path):
    lines = client.get("/robots.txt").content.decode().splitlines()
    assert not any(path.startswith(line.removeprefix("Disallow: ")) for line in lines[2:-2])
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "Disallow: /accounts/" in lines


def test_search_results_name_the_search_page_as_canonical(client, alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Quiet gardens")
    for page in ("/search/", "/search/?q=gardens", "/search/?q=gardens&page=2", "/search/?q=zzz"):
        html = client.get(page).content.decode()
        assert canonical(html) == [f"{SITE}/search/"], page
        assert "robots" not in meta(html), page


def test_robots_txt_is_read_only(client):
    assert client.post("/robots.txt").status_code == 405


# --- the story page -------------------------------------------------------------------------


@pytest.fixture
def wide_hero() -> ContentFile:
    # Wider than the largest display size (1360), so og:image is a scaled copy.
    return ContentFile(png_bytes((1600, 901)), name="wide.png")


def test_story_page_has_canonical_opengraph_and_twitter_tags(client, alice, lifehack, wide_hero):
    story = make_story(
        creator=alice,
        community=lifehack,
        title="Grow tomatoes",
        subtitle="On a balcony",
        tags=["garden", "how-to"],
        hero_caption="Tomatoes on a balcony",
        hero_alt="Red tomatoes in pots",
    )
    story.hero_image = process_upload(wide_hero)
    story.save()
    story.refresh_from_db()
    url = f"{SITE}/lifehack/grow-tomatoes/"
    html = client.get(story.get_absolute_url()).content.decode()
    tags = meta(html)

    assert canonical(html) == [url]
    assert "robots" not in tags
    hero = f"{SITE}/media/" + variant_name(story.hero_image.name, 1360)
    assert tags["og:type"] == ["article"]
    assert tags["og:title"] == ["Grow tomatoes"]
    assert tags["og:description"] == ["On a balcony"]
    assert tags["og:url"] == [url]
    assert tags["og:site_name"] == ["Byline"]
    assert tags["og:image"] == [hero]
    assert tags["og:image:alt"] == ["Red tomatoes in pots"]
    assert tags["article:published_time"] == [story.published_at.isoformat()]
    assert tags["article:modified_time"] == [story.updated_at.isoformat()]
    assert tags["article:author"] == [f"{SITE}/authors/alice/"]
    assert tags["article:section"] == ["Lifehack"]
    assert sorted(tags["article:tag"]) == ["garden", "how-to"]
    assert tags["twitter:card"] == ["summary_large_image"]
    assert tags["twitter:title"] == ["Grow tomatoes"]
    assert tags["twitter:description"] == ["On a balcony"]
    assert tags["twitter:image"] == [hero]
    assert tags["twitter:image:alt"] == ["Red tomatoes in pots"]
    # The announced size is the size of the file the URL names.
    with default_storage.open(variant_name(story.hero_image.name, 1360)) as f:
        size = Image.open(f).size
    assert size == (int(tags["og:image:width"][0]), int(tags["og:image:height"][0]))
    assert size[0] == 1360


def test_a_hero_narrower_than_the_largest_size_announces_its_own_size(
    client, alice, lifehack, hero_file
):
    story = make_story(creator=alice, community=lifehack, hero_caption="Only a caption")
    story.hero_image = process_upload(hero_file)  # 1200 x 675
    story.save()
    tags = meta(client.get(story.get_absolute_url()).content.decode())
    assert (tags["og:image:width"], tags["og:image:height"]) == (["1200"], ["675"])
    assert tags["og:image:alt"] == ["Only a caption"]  # no alt text: the caption describes it


def test_a_story_without_hero_or_subtitle_gets_a_summary_card_and_an_excerpt(
    client, alice, lifehack
):
    story = make_story(
        creator=alice, community=lifehack, body="<h2>Start</h2><p>" + "word " * 100 + "</p>"
    )
    tags = meta(client.get(story.get_absolute_url()).content.decode())
    assert tags["twitter:card"] == ["summary"]
    assert "og:image" not in tags and "twitter:image" not in tags
    (description,) = tags["og:description"]
    assert description.startswith("Start word word")
    assert len(description) <= 160
    assert tags["twitter:description"] == [description]


def test_story_page_has_json_ld_article_data(client, alice, lifehack, hero_file):
    story = make_story(
        creator=alice,
        community=lifehack,
        title="Grow tomatoes",
        subtitle="On a balcony",
        tags=["garden", "how-to"],
        body="<p>One two three four five.</p>",
    )
    story.hero_image = process_upload(hero_file)
    story.save()
    story.refresh_from_db()
    url = f"{SITE}/lifehack/grow-tomatoes/"
    (data,) = json_ld(client.get(story.get_absolute_url()).content.decode())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Article"
    assert data["headline"] == "Grow tomatoes"
    assert data["description"] == "On a balcony"
    assert data["image"] == [f"{SITE}/media/" + variant_name(story.hero_image.name, 1360)]
    assert data["datePublished"] == story.published_at.isoformat()
    assert data["dateModified"] == story.updated_at.isoformat()
    assert data["author"] == {
        "@type": "Person",
        "name": "Alice Walker",
        "url": f"{SITE}/authors/alice/",
    }
    assert data["publisher"] == {"@type": "Organization", "name": "Byline", "url": f"{SITE}/"}
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["wordCount"] == 5
    assert sorted(data["keywords"]) == ["garden", "how-to"]
    assert data["articleSection"] == "Lifehack"
    assert data["inLanguage"] == "en-US"


def test_a_title_cannot_break_out_of_the_json_ld_script(client, alice, lifehack):
    title = "</script><script>alert(1)</script><!-- & more"
    story = make_story(creator=alice, community=lifehack, title=title, subtitle="<b>sub</b>")
    html = client.get(story.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    scripts = list(head(html).iter("script"))
    # Two scripts with a body: the JSON-LD, and before it the first-paint script (issue 21),
    # our own file's text, which the policy allows by its hash. No script file in <head>.
    inline = [(script.get("type"), script.text) for script in scripts if not script.get("src")]
    assert [kind for kind, _ in inline] == [None, "application/ld+json"]
    assert inline[0][1] == first_paint.SCRIPT
    assert [script.get("src") for script in scripts if script.get("src")] == []
    (data,) = json_ld(html)
    assert data["headline"] == title
    assert data["description"] == "<b>sub</b>"
    assert meta(html)["og:title"] == [title]  # an attribute value, escaped by the template


def test_story_page_meta_reuses_the_prefetched_tags(client, alice, lifehack):
    # The page's query count is pinned in test_views.py; here, the meta's tags in particular.
    story = make_story(creator=alice, community=lifehack, tags=["a", "b", "c"])
    with CaptureQueriesContext(connection) as captured:
        html = client.get(story.get_absolute_url()).content.decode()
    assert sorted(meta(html)["article:tag"]) == ["a", "b", "c"]
    assert len([q for q in captured.captured_queries if "taggit_tag" in q["sql"]]) == 1


# --- noindex: what is not public -------------------------------------------------------------


@pytest.mark.parametrize(
    "status", [Story.Status.DRAFT, Story.Status.SUBMITTED, Story.Status.CHANGES_REQUESTED]
)
def test_a_story_that_is_not_public_is_noindex_without_canonical(client, alice, lifehack, status):
    story = make_story(creator=alice, community=lifehack, status=status, title="Not yet")
    client.force_login(alice)
    html = client.get(story.get_absolute_url()).content.decode()
    assert meta(html)["robots"] == ["noindex"]
    assert canonical(html) == []
    assert "og:title" not in meta(html)
    assert json_ld(html) == []


def test_staff_viewing_a_suspended_creators_story_get_noindex(client, sam, lifehack):
    suspended = make_user("mallory", is_active=False, password=None)
    story = make_story(creator=suspended, community=lifehack)
    client.force_login(sam)
    html = client.get(story.get_absolute_url()).content.decode()
    assert meta(html)["robots"] == ["noindex"]
    assert canonical(html) == []


@pytest.mark.parametrize("status", [Story.Status.DRAFT, Story.Status.PUBLISHED])
def test_a_preview_is_noindex_without_canonical(client, alice, lifehack, status):
    story = make_story(creator=alice, community=lifehack, status=status)
    client.force_login(alice)
    response = client.get(f"/write/{story.pk}/preview/")
    assert response.status_code == 200
    html = response.content.decode()
    assert meta(html)["robots"] == ["noindex"]
    assert canonical(html) == []
    assert json_ld(html) == []


# --- canonical URLs of lists -------------------------------------------------------------------


def test_list_pages_have_canonical_urls_that_keep_what_they_list(client, alice, lifehack, settings):
    settings.STORIES_PER_PAGE = 1
    for days in (1, 2):
        ago = timedelta(days=days)
        make_story(creator=alice, community=lifehack, tags=["how-to"], published_ago=ago)
    pages = {
        "/": f"{SITE}/",
        "/?utm_source=x": f"{SITE}/",
        "/explore/": f"{SITE}/explore/",
        "/lifehack/?page=2": f"{SITE}/lifehack/?page=2",
        "/lifehack/tag/how-to/": f"{SITE}/lifehack/tag/how-to/",
        "/authors/alice/?page=2": f"{SITE}/authors/alice/?page=2",
    }
    for page, expected in pages.items():
        html = client.get(page).content.decode()
        assert canonical(html) == [expected], page
        assert "robots" not in meta(html), page
    # Explore pages by keyset: an old ?page= link redirects to its ?after= page, whose canonical
    # keeps the filters and the token and drops everything else.
    for page in ("/explore/?page=2", "/explore/?tag=how-to&community=lifehack&page=2&x=1"):
        response = client.get(page, follow=True)
        final = response.redirect_chain[-1][0]
        assert "after=" in final, page
        wanted = {k: v for k, v in parse_qs(urlsplit(final).query).items() if k != "x"}
        (found,) = canonical(response.content.decode())
        assert found.startswith(f"{SITE}/explore/?"), page
        assert parse_qs(urlsplit(found).query) == wanted, page
    for page in ("/explore/?page=1", "/explore/?page=abc"):
        response = client.get(page, follow=True)
        assert canonical(response.content.decode()) == [f"{SITE}/explore/"], page
