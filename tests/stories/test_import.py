"""Settings → Import: each platform's export becomes the creator's drafts, through the real job."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from core import first_paint
from core.sanitizer import image_sources
from stories.models import Story, StoryImport
from tests.conftest import make_community, png_bytes
from tests.stories.import_archives import (
    ghost_json,
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
def creator_client(client, alice):
    client.force_login(alice)
    return client


def run_import(client, data: bytes, community, *, name: str = "export.zip", capture=None):
    """Posts the upload and runs the job it queues, as a worker would; returns the response."""
    with capture(execute=True):
        response = client.post(
            reverse("stories:import"),
            {"archive": upload(data, name), "community": community.pk},
        )
    return response


@pytest.fixture
def do_import(creator_client, lifehack, django_capture_on_commit_callbacks):
    def go(data: bytes, *, name: str = "export.zip", community=None):
        response = run_import(
            creator_client,
            data,
            community or lifehack,
            name=name,
            capture=django_capture_on_commit_callbacks,
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        return StoryImport.objects.latest("pk")

    return go


def stored_image_names(story: Story) -> list[str]:
    media = default_storage.url("")
    return [src[len(media) :] for src in image_sources(story.body)]


# --- Medium ----------------------------------------------------------------------------------


def test_medium_posts_become_drafts_with_their_dates_and_drafts_without(do_import, alice):
    archive = medium_zip(
        {
            "2019-01-02_Garden-Notes-abc.html": medium_post(
                title="Garden Notes",
                subtitle="What grew",
                body='<p class="graf">Tomatoes <strong>love</strong> sun.</p>'
                '<script>alert(1)</script><iframe src="https://youtube.com/x"></iframe>',
                published="2019-01-02T10:20:30.000Z",
                canonical="https://medium.com/@alice/garden-notes-abc",
            ),
            "draft_Half-Done-def.html": medium_post(
                title="Half Done",
                body="<p>Not yet.</p>",
                published=None,
                canonical="https://medium.com/p/def",
            ),
        }
    )
    story_import = do_import(archive)
    assert story_import.format == "medium"
    assert story_import.status == StoryImport.Status.DONE
    assert story_import.archive in (b"", memoryview(b""))  # not kept once finished
    published = Story.objects.get(creator=alice, title="Garden Notes")
    assert published.status == Story.Status.DRAFT
    assert published.subtitle == "What grew"
    assert published.first_published_elsewhere == datetime(2019, 1, 2, 10, 20, 30, tzinfo=UTC)
    assert published.original_url == "https://medium.com/@alice/garden-notes-abc"
    assert published.body == "<p>Tomatoes <strong>love</strong> sun.</p>"  # title not repeated
    draft = Story.objects.get(creator=alice, title="Half Done")
    assert draft.first_published_elsewhere is None
    assert draft.original_url == ""
    line = next(line for line in story_import.report if line["title"] == "Garden Notes")
    assert line["outcome"] == "imported"
    assert "Removed with its content: iframe (embed), script" in line["dropped"]
    assert "Formatting removed, text kept: div ×2, section" in line["dropped"]
    assert "Attributes removed: class attribute" in line["dropped"]


# --- Substack --------------------------------------------------------------------------------


def test_substack_posts_come_with_subtitles_and_only_published_dates(do_import, alice):
    archive = substack_zip(
        [
            {
                "post_id": "101.first-letter",
                "post_date": "2021-03-04T15:00:00.000Z",
                "is_published": "true",
                "title": "First Letter",
                "subtitle": "Hello, readers",
            },
            {"post_id": "102.unsent", "post_date": "", "is_published": "false", "title": "Unsent"},
            {"post_id": "103.lost", "is_published": "true", "title": "Lost body"},
        ],
        {
            "101.first-letter": '<p>Dear all,</p><p style="color:red">Welcome.</p>',
            "102.unsent": "<p>Soon.</p>",
        },
    )
    story_import = do_import(archive)
    assert story_import.format == "substack"
    letter = Story.objects.get(creator=alice, title="First Letter")
    assert letter.subtitle == "Hello, readers"
    assert letter.first_published_elsewhere == datetime(2021, 3, 4, 15, tzinfo=UTC)
    assert letter.import_key == "substack:101.first-letter"
    assert letter.body == "<p>Dear all,</p><p>Welcome.</p>"
    assert Story.objects.get(title="Unsent").first_published_elsewhere is None
    assert not Story.objects.filter(title="Lost body").exists()
    outcomes = {line["title"]: line for line in story_import.report}
    assert outcomes["First Letter"]["dropped"] == ["Attributes removed: style attribute"]
    assert outcomes["Lost body"]["outcome"] == "skipped"
    assert outcomes["Lost body"]["notes"] == ["Skipped: its text is not in the zip."]


# --- WordPress -------------------------------------------------------------------------------


def test_wordpress_posts_keep_tags_and_dates_and_pages_are_left_out(do_import, alice):
    items = "".join(
        [
            wxr_item(
                title="On Bees",
                content="Bees dance.\n\nThey <em>talk</em> that way.",
                tags=("Nature", "Bees"),
                link="https://blog.example/on-bees/",
                excerpt="Dancing bees",
            ),
            wxr_item(title="Draft", content="x", status="draft", date="0000-00-00 00:00:00"),
            wxr_item(title="About me", content="A page", post_type="page"),
            wxr_item(title="Binned", content="gone", status="trash"),
        ]
    )
    story_import = do_import(wxr(items), name="blog.WordPress.2024-01-01.xml")
    assert story_import.format == "wordpress"
    bees = Story.objects.get(creator=alice, title="On Bees")
    assert bees.body == "<p>Bees dance.</p><p>They <em>talk</em> that way.</p>"
    assert bees.subtitle == "Dancing bees"
    assert sorted(bees.tags.names()) == ["Bees", "Nature"]
    assert bees.first_published_elsewhere == datetime(2019, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert bees.original_url == "https://blog.example/on-bees/"
    assert Story.objects.get(title="Draft").first_published_elsewhere is None
    assert not Story.objects.filter(title__in=["About me", "Binned"]).exists()


def test_a_wordpress_export_inside_a_zip_is_read_too(do_import, alice):
    archive = zip_of({"blog.xml": wxr(wxr_item(title="Zipped", content="<p>In a zip.</p>"))})
    assert do_import(archive).format == "wordpress"
    assert Story.objects.filter(creator=alice, title="Zipped").exists()


def test_a_wordpress_export_split_into_several_files_is_read_whole(do_import, alice):
    archive = zip_of(
        {
            "blog.wordpress.001.xml": wxr(wxr_item(title="Part A", content="a", link="/?p=1")),
            "blog.wordpress.002.xml": wxr(wxr_item(title="Part B", content="b", link="/?p=2")),
        }
    )
    assert do_import(archive).total == 2
    assert set(Story.objects.values_list("title", flat=True)) == {"Part A", "Part B"}


# --- Ghost -----------------------------------------------------------------------------------


def test_ghost_posts_with_html_come_in_and_the_others_are_reported(do_import, alice):
    posts = [
        {
            "id": "1",
            "uuid": "u-1",
            "title": "Ghost Story",
            "html": "<p>Boo.</p><h1>Big</h1>",
            "status": "published",
            "published_at": "2022-10-31T23:00:00.000Z",
            "custom_excerpt": "A scary one",
            "type": "post",
        },
        {"id": "2", "uuid": "u-2", "title": "Lexical only", "html": None, "status": "draft"},
        {"id": "3", "uuid": "u-3", "title": "A page", "html": "<p>p</p>", "type": "page"},
    ]
    data = ghost_json(
        posts,
        tags=[{"id": "t1", "name": "Halloween"}],
        posts_tags=[{"post_id": "1", "tag_id": "t1"}],
    )
    story_import = do_import(data, name="site.ghost.json")
    assert story_import.format == "ghost"
    ghost = Story.objects.get(creator=alice, title="Ghost Story")
    assert ghost.subtitle == "A scary one"
    assert list(ghost.tags.names()) == ["Halloween"]
    assert ghost.body == "<p>Boo.</p><h2>Big</h2>"  # the page owns <h1>
    assert ghost.first_published_elsewhere == datetime(2022, 10, 31, 23, tzinfo=UTC)
    skipped = next(line for line in story_import.report if line["title"] == "Lexical only")
    assert skipped["outcome"] == "skipped"
    assert "no HTML" in skipped["notes"][0]
    assert not Story.objects.filter(title__in=["Lexical only", "A page"]).exists()


def test_a_ghost_zip_brings_its_own_images(do_import, alice):
    posts = [
        {
            "id": "1",
            "title": "With pictures",
            "html": '<p>x</p><img src="__GHOST_URL__/content/images/2020/01/a.png">',
            "feature_image": "__GHOST_URL__/content/images/2020/01/a.png",
            "feature_image_alt": "A green field",
            "status": "draft",
        }
    ]
    archive = zip_of(
        {"site.ghost.json": ghost_json(posts), "content/images/2020/01/a.png": png_bytes()}
    )
    story_import = do_import(archive)
    assert story_import.format == "ghost"
    story = Story.objects.get(title="With pictures")
    assert len(stored_image_names(story)) == 1
    assert story.hero_image and story.hero_alt == "A green field"
    assert story_import.report[0]["notes"] == []


# --- Images ----------------------------------------------------------------------------------


class _Images(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path.startswith("/pic.png"):
            body, kind, status = png_bytes((30, 20), "green"), "image/png", 200
        elif self.path == "/page.html":
            body, kind, status = b"<html>not an image</html>", "text/html", 200
        else:
            body, kind, status = b"missing", "text/plain", 404
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def image_server(settings):
    settings.IMPORT_FETCH_ALLOW_PRIVATE = True  # the server is on 127.0.0.1
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Images)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _is_reencoded_image(name: str) -> str:
    with default_storage.open(name, "rb") as f:
        data = f.read()
    with Image.open(io.BytesIO(data)) as image:
        assert not image.info.get("exif")
        return image.format


def test_remote_images_come_in_through_the_image_module_and_failures_are_reported(
    do_import, alice, image_server
):
    body = (
        f'<p>Look:</p><figure><img src="{image_server}/pic.png?w=800" width="800">'
        "<figcaption>Green</figcaption></figure>"
        f'<p><img src="{image_server}/page.html"></p><p><img src="{image_server}/gone.png"></p>'
    )
    posts = [
        {
            "id": "1",
            "title": "Pictures",
            "html": body,
            "status": "published",
            "published_at": "2020-01-01T00:00:00Z",
            "feature_image": f"{image_server}/pic.png",
        }
    ]
    story_import = do_import(ghost_json(posts), name="ghost.json")
    story = Story.objects.get(creator=alice, title="Pictures")
    names = stored_image_names(story)
    assert len(names) == 1
    # A PNG without transparency comes out of core.images as a JPEG: it was re-encoded.
    assert _is_reencoded_image(names[0]) == "JPEG"
    assert 'width="800"' not in story.body
    assert story.hero_image and _is_reencoded_image(story.hero_image.name) == "JPEG"
    notes = story_import.report[0]["notes"]
    assert any("page.html left out: Upload a JPEG, PNG, WebP or GIF image." in n for n in notes)
    assert any("gone.png left out: the server answered 404." in n for n in notes)


def test_remote_images_at_private_addresses_are_refused_and_the_story_still_imports(
    do_import, alice
):
    body = '<p>Hi</p><img src="http://169.254.169.254/latest/meta-data/x.png">'
    html = medium_post(title="Sneaky", body=body, published=None, canonical="https://m/p/1")
    story_import = do_import(medium_zip({"draft_Sneaky.html": html}))
    story = Story.objects.get(creator=alice, title="Sneaky")
    assert "<img" not in story.body
    assert story_import.report[0]["notes"] == [
        "Image http://169.254.169.254/latest/meta-data/x.png left out: "
        "169.254.169.254 is a private or local address."
    ]


def test_the_remote_image_cap_is_per_import(do_import, alice, image_server, settings):
    settings.IMPORT_REMOTE_IMAGES_MAX = 1
    body = f'<p><img src="{image_server}/pic.png?1"></p><p><img src="{image_server}/pic.png?2"></p>'
    posts = [{"id": "1", "title": "Two", "html": body, "status": "draft"}]
    story_import = do_import(ghost_json(posts), name="ghost.json")
    assert len(stored_image_names(Story.objects.get(title="Two"))) == 1
    assert "as many remote images as it may" in story_import.report[0]["notes"][0]


# --- Again, other communities, another creator -----------------------------------------------


def test_importing_the_same_archive_again_adds_nothing(do_import, alice):
    archive = substack_zip(
        [{"post_id": "1.a", "is_published": "true", "post_date": "2020-02-02", "title": "Once"}],
        {"1.a": "<p>Only once.</p>"},
    )
    do_import(archive)
    again = do_import(archive)
    assert Story.objects.filter(creator=alice, title="Once").count() == 1
    assert again.report[0]["outcome"] == "already imported"
    assert again.message == "0 of 1 stories imported as drafts."


def test_the_same_archive_imports_for_another_creator(do_import, client, bob, lifehack):
    archive = substack_zip(
        [{"post_id": "1.a", "is_published": "false", "title": "Shared"}], {"1.a": "<p>x</p>"}
    )
    do_import(archive)
    client.force_login(bob)
    do_import(archive)
    assert Story.objects.filter(title="Shared").count() == 2


def test_drafts_go_into_the_chosen_community(do_import, alice):
    poems = make_community("Poems")
    archive = substack_zip([{"post_id": "1", "title": "Verse"}], {"1": "<p>Roses.</p>"})
    do_import(archive, community=poems)
    assert Story.objects.get(title="Verse").community == poems


# --- The pages -------------------------------------------------------------------------------


def test_the_import_page_is_linked_from_settings_and_shows_the_form(creator_client, lifehack):
    settings_page = creator_client.get(reverse("creators:settings")).content.decode()
    assert reverse("stories:import") in settings_page
    page = creator_client.get(reverse("stories:import"))
    assert page.status_code == 200
    assert b"Import my stories" in page.content
    assert b'name="archive"' in page.content


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("stories:import"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_progress_page_and_its_status_say_how_far_it_is(do_import, creator_client):
    archive = substack_zip([{"post_id": "1", "title": "One"}], {"1": "<p>x</p>"})
    story_import = do_import(archive)
    page = creator_client.get(story_import.get_absolute_url()).content.decode()
    assert "1 of 1 stories imported as drafts." in page
    assert reverse("stories:edit", args=[Story.objects.get().pk]) in page
    status = creator_client.get(reverse("stories:import_status", args=[story_import.pk])).json()
    assert status == {
        "status": "done",
        "status_display": "Done",
        "done": 1,
        "total": 1,
        "finished": True,
        "message": "1 of 1 stories imported as drafts.",
        "text": "Done.",
    }


def test_a_running_import_says_which_story_and_loads_its_script(creator_client, alice, lifehack):
    story_import = StoryImport.objects.create(
        creator=alice, community=lifehack, format="medium", total=5, done=2, status="running"
    )
    page = creator_client.get(story_import.get_absolute_url()).content.decode()
    assert "Importing story 3 of 5." in page
    assert "js/import-progress.js" in page
    # Nothing inline but the first-paint script, which the site's CSP allows by its hash.
    assert page.count("<script>") == 1 and f"<script>{first_paint.SCRIPT}</script>" in page


def test_another_creators_import_is_not_found(client, alice, bob, lifehack):
    theirs = StoryImport.objects.create(creator=alice, community=lifehack, format="ghost")
    client.force_login(bob)
    for name in ("stories:import_detail", "stories:import_status"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert client.post(reverse("stories:import_cancel", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.cancel_requested


def test_cancel_is_post_only(creator_client, alice, lifehack):
    mine = StoryImport.objects.create(creator=alice, community=lifehack, format="ghost")
    response = creator_client.get(reverse("stories:import_cancel", args=[mine.pk]))
    assert response.status_code == 405


def test_the_story_page_says_where_it_was_first_published(client, alice, lifehack):
    from tests.conftest import make_story

    story = make_story(
        creator=alice,
        community=lifehack,
        first_published_elsewhere=datetime(2018, 7, 1, 12, tzinfo=UTC),
        original_url="https://medium.com/@alice/x",
    )
    page = client.get(story.get_absolute_url()).content.decode()
    assert "First published" in page
    assert (
        '<a href="https://medium.com/@alice/x" rel="nofollow noopener">elsewhere</a> on '
        '<time datetime="2018-07-01T12:00:00+00:00">1 July 2018</time>'
    ) in page
    client.force_login(alice)
    dashboard = client.get(reverse("stories:dashboard")).content.decode()
    assert "1 July 2018" in dashboard
    editor = client.get(reverse("stories:edit", args=[story.pk])).content.decode()
    assert "1 July 2018" in editor


def test_the_import_pages_cost_a_fixed_number_of_queries(
    creator_client, alice, lifehack, django_assert_num_queries
):
    for n in range(3):
        StoryImport.objects.create(
            creator=alice,
            community=lifehack,
            format="medium",
            report=[{"title": f"T{n}", "outcome": "imported", "story_id": None}],
        )
    # The user (the session is in the cache), whether there is only one community (to choose
    # it), the community choices, the latest imports.
    with django_assert_num_queries(4):
        assert creator_client.get(reverse("stories:import")).status_code == 200
    url = StoryImport.objects.first().get_absolute_url()
    # The user, the import.
    with django_assert_num_queries(2):
        page = creator_client.get(url)
        assert page.status_code == 200


def test_a_story_longer_than_the_editor_allows_is_skipped_and_said_so(do_import, alice):
    from stories.forms import MAX_BODY_CHARS

    long_text = "<p>" + "word " * (MAX_BODY_CHARS // 5 + 10) + "</p>"
    archive = substack_zip(
        [{"post_id": "1", "title": "Epic"}, {"post_id": "2", "title": "Short"}],
        {"1": long_text, "2": "<p>Brief.</p>"},
    )
    story_import = do_import(archive)
    assert list(Story.objects.values_list("title", flat=True)) == ["Short"]
    assert story_import.report[0]["outcome"] == "skipped"
    assert (
        "longer than a story here may be (200,000 characters" in story_import.report[0]["notes"][0]
    )
