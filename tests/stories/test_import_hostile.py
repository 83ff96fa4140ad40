"""Hostile and broken uploads: refused at upload with a clear message, and nothing written."""

from __future__ import annotations

import io
import os
import struct
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from core import archives
from stories.models import Story, StoryImport
from tests.stories.import_archives import (
    medium_post,
    medium_zip,
    substack_zip,
    upload,
    wxr,
    wxr_item,
    zip_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(client, alice, lifehack, django_capture_on_commit_callbacks):
    client.force_login(alice)

    def go(data: bytes, name: str = "export.zip"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("stories:import"), {"archive": upload(data, name), "community": lifehack.pk}
            )

    return go


def assert_refused(response, message: str, settings) -> None:
    page = response.content.decode()
    assert response.status_code == 400, page[:500]
    assert "Nothing was imported" in page
    assert message in page.replace("&#x27;", "'").replace("&quot;", '"')
    assert not Story.objects.exists()
    assert not StoryImport.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def _zeros_zip(size: int) -> bytes:
    return zip_of({"stories/bomb.md": b"\0" * size})


def test_a_zip_bomb_is_refused_by_its_declared_size(post, settings):
    # 2 MB of zeros deflates to about 2 KB: a thousand to one.
    assert_refused(post(_zeros_zip(2 * 1024 * 1024)), "zip bomb", settings)


def test_a_zip_bomb_that_lies_about_its_size_is_caught_while_decompressing(post, settings):
    data = bytearray(_zeros_zip(2 * 1024 * 1024))
    # Say 100 bytes in both the local header and the central directory.
    struct.pack_into("<I", data, 22, 100)
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 100)
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[0].file_size == 100
    # zipfile stops at the declared size, and the checksum then fails: refused as damaged
    # (core.archives also counts what comes out, for a reader that would not stop).
    assert_refused(post(bytes(data)), "damaged", settings)


def test_a_zip_over_the_total_cap_is_refused(post, settings, monkeypatch):
    monkeypatch.setattr(archives, "MAX_TOTAL_BYTES", 1000)
    archive = zip_of({"stories/a.md": "a" * 600, "stories/b.md": "b" * 600})
    assert_refused(post(archive), "unpacks to more than we accept", settings)


def test_a_zip_with_too_many_files_is_refused(post, settings):
    files = {f"stories/{n}.md": "" for n in range(archives.MAX_MEMBERS + 1)}
    assert_refused(post(zip_of(files)), "more than 5000 files", settings)


@pytest.mark.parametrize(
    "name", ["../evil.md", "stories/../../evil.md", "/etc/cron.d/evil.md", "C:/evil.md"]
)
def test_a_zip_naming_files_outside_itself_is_refused(post, settings, name):
    archive = zip_of({name: "---\ntitle: x\n---\nbody", "stories/ok.md": "fine"})
    assert_refused(post(archive), "outside its own folders", settings)


def test_a_zip_holding_a_symlink_is_refused(post, settings):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("stories/ok.md", "fine")
        link = zipfile.ZipInfo("images/passwd")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    assert_refused(post(buffer.getvalue()), "symbolic link", settings)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss><channel><item><title>&lol4;</title><wp:post_type>post</wp:post_type></item></channel></rss>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>x</title>
<content:encoded>&secret;</content:encoded><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type></item></channel></rss>"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "xxe"])
def test_xml_with_entities_is_refused(post, settings, document):
    assert_refused(post(document, "blog.xml"), "entity bomb", settings)


def test_xml_with_entities_inside_a_zip_is_refused_too(post, settings):
    assert_refused(post(zip_of({"blog.xml": BILLION_LAUGHS})), "entity bomb", settings)


def test_a_file_over_the_import_limit_is_a_form_error(post, settings):
    settings.IMPORT_MAX_BYTES = 1000
    archive = substack_zip([{"post_id": "1", "title": "Big"}], {"1": os.urandom(3000).hex()})
    assert len(archive) > 1000
    assert_refused(post(archive), "too large to import (at most 1000", settings)


def test_a_post_over_the_request_limit_is_a_413_on_the_import_page(client, alice, settings):
    settings.BYLINE_REQUEST_MAX_BYTES = 2000
    client.force_login(alice)
    response = client.post(
        reverse("stories:import"), {"archive": upload(b"x" * 5000), "community": "1"}
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "too large to send" in page
    assert "Import my stories" in page  # the form again, to try a smaller file
    assert not StoryImport.objects.exists()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"\x89PNG\r\n\x1a\n not really", "photo.zip"),
        (b"Just some words in a text file.", "notes.txt"),
        (b'{"some": "json"}', "data.json"),
        (b"<html><body>hi</body></html>", "page.xml"),
        (zip_of({"photo.jpg": b"\xff\xd8\xff"}), "photos.zip"),
    ],
    ids=["png", "text", "other-json", "html", "zip-of-photos"],
)
def test_something_that_is_no_export_is_a_form_error(post, settings, data, name):
    assert_refused(post(data, name), "We don’t recognise this file", settings)


def test_a_damaged_zip_is_a_form_error(post, settings):
    archive = medium_zip({"x.html": medium_post(title="T", body="", published=None, canonical="")})
    assert_refused(post(archive[: len(archive) // 2]), "damaged", settings)


def test_the_community_chosen_is_still_chosen_after_an_error(post, lifehack):
    page = post(b"nonsense", "x.txt").content.decode()
    assert f'<option value="{lifehack.pk}" selected>' in page
    assert "choose the file again" in page


def test_no_community_is_a_form_error(client, alice, settings):
    client.force_login(alice)
    archive = zip_of({"blog.xml": wxr(wxr_item(title="T", content="x"))})
    response = client.post(reverse("stories:import"), {"archive": upload(archive)})
    assert_refused(response, "Choose the community your drafts go into.", settings)


def test_imports_are_rate_limited(post, settings):
    for _ in range(5):
        assert post(b"nonsense", "x.txt").status_code == 400
    response = post(b"nonsense", "x.txt")
    assert response.status_code == 429
    assert "importing stories faster than we allow" in response.content.decode()
    assert response["Retry-After"]


YAML_LAUGHS = """---
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
title: *h
tags: *h
---
Body.
"""


def test_front_matter_with_a_yaml_alias_bomb_is_read_without_spelling_it_out(
    client, alice, lifehack, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    archive = zip_of({"stories/laughs.md": YAML_LAUGHS})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("stories:import"), {"archive": upload(archive), "community": lifehack.pk}
        )
    assert response.status_code == 302
    story = Story.objects.get()
    assert story.title == "laughs"  # the title was no string: the file's name instead
    assert list(story.tags.names()) == []
