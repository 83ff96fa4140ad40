"""The creator's export: every story as Markdown with front matter, and its images, in one zip."""

from __future__ import annotations

import io
import posixpath
import zipfile
from datetime import datetime

import pytest
import yaml
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from core.images import process_upload
from stories.export import _zip_image_path, build_export, yaml_value
from stories.models import Story, StoryEdit
from tests.conftest import make_community, make_story, png_bytes

pytestmark = pytest.mark.django_db

SITE = "https://byline.example"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE
    settings.SITE_NAME = "Byline"


def read_zip(data: bytes | io.IOBase) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)


def split(document: str) -> tuple[dict, str]:
    """A Markdown file's front matter, read by a YAML parser, and its body."""
    assert document.startswith("---\n")
    front, body = document[4:].split("\n---\n", 1)
    return yaml.safe_load(front), body


def body_image(name: str = "story-images/2025/01/7-pic.png", color: str = "blue") -> str:
    """Stores an image the way the editor does and returns its URL."""
    stored = default_storage.save(name, ContentFile(png_bytes((40, 30), color)))
    return default_storage.url(stored)


BODY = """<h2>Part one</h2>
<p>Read <a href="/lifehack/other/">the other tip</a> and <a href="https://example.com/">this</a>.</p>
<ul><li>one</li><li>two <strong>bold</strong></li></ul>
<ol><li>first</li><li>second</li></ol>
<blockquote><p>Quoted words.</p></blockquote>
<figure><img src="{src}" alt="A pic"><figcaption>The caption</figcaption></figure>
<h3>Part two</h3><p>The end.</p>"""


@pytest.fixture
def story(alice, lifehack, hero_file):
    story = make_story(
        creator=alice,
        community=lifehack,
        title='Tips: "quoted" # not a comment',
        subtitle="no: yes",
        tags=["garden", "how-to"],
        body=BODY.format(src=body_image()),
        hero_caption="Tomatoes",
        hero_alt="Red tomatoes in pots",
    )
    story.hero_image = process_upload(hero_file)
    story.save()
    story.refresh_from_db()
    return story


# --- what is in the zip ---------------------------------------------------------------------


def test_the_zip_has_a_file_per_story_including_drafts_and_nobody_elses(
    alice, bob, lifehack, story
):
    for status in (Story.Status.DRAFT, Story.Status.SUBMITTED, Story.Status.CHANGES_REQUESTED):
        make_story(creator=alice, community=lifehack, title=f"My {status}", status=status)
    make_story(creator=bob, community=lifehack, title="Bob's story")
    names = read_zip(build_export(user=alice)).namelist()
    stories = sorted(name for name in names if name.startswith("stories/"))
    assert stories == [
        "stories/my-changes_requested.md",
        "stories/my-draft.md",
        "stories/my-submitted.md",
        f"stories/{story.slug}.md",
    ]
    assert "README.txt" in names
    assert not any("bob" in name.lower() for name in names)


def test_front_matter_says_what_the_story_is(story):
    archive = read_zip(build_export(user=story.creator))
    front, _ = split(archive.read(f"stories/{story.slug}.md").decode())
    hero = posixpath.normpath(posixpath.join("stories", front["hero_image"]))
    assert front == {
        "title": 'Tips: "quoted" # not a comment',
        "subtitle": "no: yes",
        "status": "published",
        "community": "Lifehack",
        "tags": ["garden", "how-to"],
        "created": story.created_at.isoformat(),
        "updated": story.updated_at.isoformat(),
        "published": story.published_at.isoformat(),
        "url": f"{SITE}/lifehack/{story.slug}/",
        "for_supporters": False,  # issue 18
        "first_published_elsewhere": None,
        "original_url": None,
        "reading_time": 1,
        "word_count": story.word_count,
        "hero_image": front["hero_image"],
        "hero_caption": "Tomatoes",
        "hero_alt": "Red tomatoes in pots",
    }
    assert front["hero_image"] == "../images/" + story.hero_image.name
    assert archive.read(hero) == story.hero_image.storage.open(story.hero_image.name).read()
    assert datetime.fromisoformat(front["published"]) == story.published_at


def test_a_draft_has_no_address_or_publication_date(alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Half done", status=Story.Status.DRAFT)
    archive = read_zip(build_export(user=alice))
    front, body = split(archive.read("stories/half-done.md").decode())
    assert front["status"] == "draft"
    assert front["published"] is None
    assert front["url"] is None
    assert front["hero_image"] is None
    assert body.strip() == "Some words about something."


def test_the_body_is_markdown(story):
    archive = read_zip(build_export(user=story.creator))
    _, body = split(archive.read(f"stories/{story.slug}.md").decode())
    lines = body.splitlines()
    assert "## Part one" in lines
    assert "### Part two" in lines
    # Links to the site work outside it.
    assert (
        f"Read [the other tip]({SITE}/lifehack/other/) and [this](https://example.com/)." in lines
    )
    assert "- one" in lines
    assert "- two **bold**" in lines
    assert "1. first" in lines and "2. second" in lines
    assert "> Quoted words." in lines
    # The figure: the image from the zip, then its caption on a line of its own.
    image = "../images/story-images/2025/01/7-pic.png"
    assert f"![A pic]({image})" in lines
    assert lines[lines.index(f"![A pic]({image})") + 2] == "*The caption*"
    assert "<" not in body  # no HTML left over


def test_body_images_are_in_the_zip_where_the_markdown_points(story):
    archive = read_zip(build_export(user=story.creator))
    _, body = split(archive.read(f"stories/{story.slug}.md").decode())
    path = posixpath.normpath(posixpath.join("stories", "../images/story-images/2025/01/7-pic.png"))
    assert path in archive.namelist()
    assert archive.read(path) == default_storage.open("story-images/2025/01/7-pic.png").read()


def test_an_image_used_twice_is_stored_once(alice, lifehack):
    src = body_image()
    for title in ("One", "Two"):
        make_story(creator=alice, community=lifehack, title=title, body=f'<p><img src="{src}"></p>')
    names = read_zip(build_export(user=alice)).namelist()
    assert names.count("images/story-images/2025/01/7-pic.png") == 1


def test_images_from_elsewhere_stay_links(alice, lifehack):
    # Stored before the sanitiser dropped images from hosts the CSP blocks; such stories may
    # still be in a database.
    body = '<p><img src="https://cdn.example/a.png" alt="Far"></p>'
    story = make_story(creator=alice, community=lifehack, title="Far")
    Story.objects.filter(pk=story.pk).update(body=body)
    archive = read_zip(build_export(user=alice))
    _, markdown = split(archive.read("stories/far.md").decode())
    assert markdown.strip() == "![Far](https://cdn.example/a.png)"
    assert not any(name.startswith("images/") for name in archive.namelist())


def test_a_missing_image_file_is_skipped_not_a_crash(story):
    default_storage.delete(story.hero_image.name)
    default_storage.delete("story-images/2025/01/7-pic.png")
    archive = read_zip(build_export(user=story.creator))
    assert not any(name.startswith("images/") for name in archive.namelist())
    front, body = split(archive.read(f"stories/{story.slug}.md").decode())
    assert front["hero_image"] is None
    # The Markdown still names the image, at its address on the site.
    assert f"![A pic]({SITE}/media/story-images/2025/01/7-pic.png)" in body
    readme = archive.read("README.txt").decode()
    assert story.hero_image.name in readme
    assert "story-images/2025/01/7-pic.png" in readme


def test_image_paths_never_leave_the_zip(alice, lifehack, settings, tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(png_bytes())
    body = (
        '<p><img src="/media/../secret.png" alt="a">'
        '<img src="/media/%2e%2e/secret.png" alt="b">'
        '<img src="/media/story-images/../../secret.png" alt="c"></p>'
    )
    make_story(creator=alice, community=lifehack, title="Sneaky", body=body)
    names = read_zip(build_export(user=alice)).namelist()
    assert not any(".." in name.split("/") for name in names)
    assert not any(name.startswith("images/") for name in names)


@pytest.mark.parametrize(
    "name", ["../secret.png", "a/../../b.png", "/etc/passwd", "a//b.png", "./a.png", "a\\..\\b", ""]
)
def test_zip_image_path_refuses_anything_that_could_escape(name):
    assert _zip_image_path(name) is None


def test_zip_image_path_keeps_the_storage_folders():
    assert _zip_image_path("heroes/2025/01/a.jpg") == "images/heroes/2025/01/a.jpg"


def test_a_pending_edit_is_exported_next_to_its_story(story, lifehack):
    StoryEdit.objects.create(
        story=story,
        community=lifehack,
        title="Better title",
        body="<p>New words.</p>",
        tag_names="garden, new",
        hero_image=story.hero_image.name,
    )
    archive = read_zip(build_export(user=story.creator))
    front, body = split(archive.read(f"stories/{story.slug}.pending-edit.md").decode())
    assert front["title"] == "Better title"
    assert front["status"] == "pending edit: draft"
    assert front["edit_of"] == f"{story.slug}.md"
    assert front["tags"] == ["garden", "new"]
    assert front["hero_image"] == "../images/" + story.hero_image.name
    assert body.strip() == "New words."
    # The published version is there too, unchanged.
    published, _ = split(archive.read(f"stories/{story.slug}.md").decode())
    assert published["title"] == story.title


def test_stories_with_the_same_slug_get_different_files(alice, lifehack):
    make_story(creator=alice, community=lifehack, title="Hello")
    make_story(creator=alice, community=make_community("Cooking"), title="Hello")
    names = read_zip(build_export(user=alice)).namelist()
    assert {"stories/hello.md", "stories/hello-2.md"} <= set(names)


def test_the_readme_says_what_the_zip_holds(alice, lifehack):
    make_story(creator=alice, community=lifehack)
    readme = read_zip(build_export(user=alice)).read("README.txt").decode()
    assert "@alice" in readme
    assert "(1 in all)" in readme
    assert "front matter" in readme
    assert "../images/" in readme


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "no: yes",
        "- [a] {b} # c",
        '"quoted" \\ back',
        "line\nbreak\ttab",
        "NEL\x85LS\u2028",
        "",
    ],
)
def test_yaml_values_read_back_as_the_same_string(text):
    assert yaml.safe_load(f"key: {yaml_value(text)}") == {"key": text}


def test_export_queries_are_constant(alice, lifehack, django_assert_num_queries):
    for i in range(4):
        story = make_story(creator=alice, community=lifehack, tags=[f"t{i}", "shared"])
        if i % 2:
            StoryEdit.objects.create(story=story, community=lifehack, title="Edit")
    # the stories with their community and pending edit (joined), then their tags
    with django_assert_num_queries(2):
        build_export(user=alice)


# --- the view ------------------------------------------------------------------------------------


def test_anonymous_readers_are_sent_to_log_in(client):
    for method in (client.get, client.post):
        response = method("/settings/export/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/settings/export/")


def test_get_explains_the_export_with_a_button(client, alice, lifehack):
    make_story(creator=alice, community=lifehack, status=Story.Status.DRAFT)
    client.force_login(alice)
    response = client.get("/settings/export/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Export your stories" in html
    assert "(1 in all)" in html
    assert 'method="post" action="/settings/export/"' in html
    assert "csrfmiddlewaretoken" in html


def test_post_downloads_the_zip(client, alice, bob, lifehack, story):
    make_story(creator=bob, community=lifehack, title="Not alice's")
    client.force_login(alice)
    response = client.post("/settings/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    filename = f"byline-alice-{timezone.localdate().isoformat()}.zip"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert "private" in response["Cache-Control"]  # drafts: no shared cache keeps a copy
    content = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(content)
    names = read_zip(content).namelist()
    assert f"stories/{story.slug}.md" in names
    assert "stories/not-alice-s.md" not in names


def test_post_needs_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post("/settings/export/").status_code == 403


def test_other_methods_are_refused(client, alice):
    client.force_login(alice)
    assert client.put("/settings/export/").status_code == 405


def test_settings_page_links_to_the_export(client, alice):
    client.force_login(alice)
    html = client.get("/settings/").content.decode()
    assert "Your stories, yours to keep" in html
    assert 'href="/settings/export/"' in html


ODD_IMAGE_LINKS = [
    "/media/%00x",  # ValueError: embedded null byte
    "/media/story-images/%00/../x.png",
    "/media/" + "a" * 5000 + ".png",  # OSError: file name too long
    "/media/story-images/",  # a folder
    "/media/%ff%fe.png",  # not UTF-8
    "/media/%0a%0dx.png",  # line breaks in the name
]


@pytest.mark.parametrize("src", ODD_IMAGE_LINKS)
def test_an_image_link_that_cannot_be_read_is_skipped_and_noted(client, alice, lifehack, src):
    body = f'<p>Before</p><p><img src="{src}" alt="odd"></p><p>After</p>'
    story = make_story(creator=alice, community=lifehack, title="Odd", body=body)
    client.force_login(alice)
    response = client.post("/settings/export/")
    assert response.status_code == 200
    archive = read_zip(b"".join(response.streaming_content))
    assert not any(name.startswith("images/") for name in archive.namelist())
    _, markdown = split(archive.read(f"stories/{story.slug}.md").decode())
    assert "Before" in markdown and "After" in markdown
    readme = archive.read("README.txt").decode()
    assert "could not be read and are not included" in readme
    # The README names it on one line, with no raw control character.
    noted = readme.split("we keep):\n", 1)[1].split("\n\n", 1)[0]
    assert len(noted.strip().splitlines()) == 1
    assert not any(ord(c) < 32 for c in noted.replace("\n", ""))
