"""The seed story's page (../shared/seed/story-page.txt), block by block, from the demo data."""

from __future__ import annotations

import re
from datetime import datetime
from xml.etree.ElementTree import Element

import html5lib
import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from stories.models import Story

# Slow: the module's fixture runs load_demo (~4 s); `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

SEED_TITLE = "How Ketamine Infusion Therapy Differs from Traditional Antidepressant Medication"


@pytest.fixture(scope="module")
def seed(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data's seed story and its page as an anonymous reader gets it.

    Loaded once for the module inside a transaction that is rolled back afterwards.
    """
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        call_command("load_demo", password="seed-test-password", verbosity=0)
        story = Story.objects.select_related("creator", "community").get(title=SEED_TITLE)
        response = Client().get(story.get_absolute_url())
        transaction.set_rollback(True)
    assert response.status_code == 200
    html = response.content.decode()
    tree = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    return {"story": story, "html": html, "tree": tree}


def block(seed, name: str) -> Element:
    found = seed["tree"].findall(f".//*[@data-block='{name}']")
    assert len(found) == 1, f"expected one {name!r} block, found {len(found)}"
    return found[0]


def text(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


def test_community_header_with_logo(seed):
    header = block(seed, "community")
    assert text(header) == "Lifehack"
    assert header.get("href") == "/lifehack/"
    logo = header.find(".//img")
    assert logo is not None and logo.get("alt") == "Lifehack logo"


def test_title_is_the_one_h1(seed):
    title = block(seed, "title")
    assert title.tag == "h1" and text(title) == SEED_TITLE
    assert len(seed["tree"].findall(".//h1")) == 1


def test_hero_image_with_caption(seed):
    hero = block(seed, "hero")
    image = hero.find(".//img")
    assert image.get("src").startswith("/media/") and image.get("alt")
    assert image.get("width") and image.get("height")
    assert text(hero.find(".//figcaption")) == "ketamine infusion treatment orange county"


def test_byline_links_the_creator(seed):
    byline = block(seed, "byline")
    assert "By Amelia Wilson" in text(byline)
    links = [a.get("href") for a in byline.iter("a") if text(a) == "Amelia Wilson"]
    assert links == ["/authors/ameliawilson/"]


def test_published_relative_time_carries_the_exact_date(seed):
    time = block(seed, "byline").find(".//time")
    assert text(time) == "about a year ago"
    exact = datetime.fromisoformat(time.get("datetime"))
    assert exact == seed["story"].published_at.replace(microsecond=0)
    assert timezone.now() - exact > timezone.timedelta(days=360)
    assert "Published about a year ago" in text(block(seed, "byline"))


def test_reading_time(seed):
    assert "3 min read" in text(block(seed, "byline"))


def test_body_is_the_seed_text(seed):
    body = text(block(seed, "body"))
    assert body.startswith("Ketamine infusion therapy is a relatively new treatment option")
    assert body.endswith(
        "Consultation with a qualified healthcare professional is important before making any "
        "decisions on treatment."
    )
    assert len(block(seed, "body").findall("p")) == 11  # the seed has eleven paragraphs


def test_tag_links(seed):
    tags = block(seed, "tags")
    assert [(text(a), a.get("href")) for a in tags.iter("a")] == [
        ("health", "/lifehack/tag/health/")
    ]


def test_about_the_creator_with_bio(seed):
    about = block(seed, "about")
    assert text(about.find("h2")) == "About the Creator"
    assert seed["story"].creator.bio and seed["story"].creator.bio.split()[0] in text(about)


def test_written_by_with_initials(seed):
    written = block(seed, "written-by")
    assert "Written by Amelia Wilson" in text(written)
    initials = written.find(".//span[@class='avatar avatar--lg avatar--initials']")
    assert initials is not None and text(initials) == "AW"


def test_footer_social_links(seed):
    footer = seed["tree"].find(".//footer")
    assert "Find us on social media" in text(footer)
    social = footer.find(".//section[@class='site-footer__social']")
    assert len(list(social.iter("a"))) >= 1


def test_footer_miscellaneous_links(seed):
    footer = seed["tree"].find(".//footer")
    links = {text(a): a.get("href") for a in footer.iter("a")}
    assert links["Explore"] == "/explore/"
    assert links["Contact"] == "/contact/"
    assert links["Privacy Policy"] == "/privacy/"
    assert links["Terms of Use"] == "/terms/"
    assert links["Support"] == "/support/"


def test_copyright_with_the_current_year_and_site_name(seed):
    footer = text(seed["tree"].find(".//footer"))
    assert f"© {timezone.now().year} Byline. All Rights Reserved." in footer


def test_blocks_come_in_the_seed_order(seed):
    html = seed["html"]
    order = ["community", "title", "hero", "byline", "body", "tags", "about", "written-by"]
    positions = [html.index(f'data-block="{name}"') for name in order]
    assert positions == sorted(positions)
    assert positions[-1] < html.index("Find us on social media")
    assert re.search(r"<main[^>]*>.*</main>", html, re.S)
