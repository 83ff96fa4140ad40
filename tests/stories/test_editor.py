"""The creator's editor and dashboard: every view, its permissions and its bad input."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stories import services
from stories.models import Story, StoryEdit
from tests.conftest import make_community, make_story, png_bytes

pytestmark = pytest.mark.django_db
Status = Story.Status


def form_data(community, **overrides) -> dict:
    data = {
        "title": "Growing tomatoes",
        "subtitle": "A summer of fruit",
        "community": community.pk,
        "tags": "garden, food",
        "hero_caption": "",
        "hero_alt": "",
        "body": "<h2>Soil</h2><p>Start with <strong>soil</strong>.</p>",
        "action": "save",
    }
    data.update(overrides)
    return data


@pytest.fixture
def as_alice(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def as_bob(client, bob):
    client.force_login(bob)
    return client


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/write/", "/write/new/"])
def test_anonymous_writers_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("edit", "get"),
        ("edit", "post"),
        ("preview", "get"),
        ("autosave", "post"),
        ("submit", "post"),
        ("withdraw", "post"),
        ("discard", "post"),
        ("delete", "get"),
        ("delete", "post"),
    ],
)
def test_another_creators_story_is_not_found(as_bob, alice, lifehack, name, method):
    story = make_story(creator=alice, community=lifehack, status=Status.DRAFT)
    response = getattr(as_bob, method)(reverse(f"stories:{name}", kwargs={"pk": story.pk}))
    assert response.status_code == 404
    assert Story.objects.filter(pk=story.pk, status=Status.DRAFT).exists()


@pytest.mark.parametrize("name", ["autosave", "submit", "withdraw", "discard"])
def test_state_changing_views_refuse_get(as_alice, alice, lifehack, name):
    story = make_story(creator=alice, community=lifehack, status=Status.DRAFT)
    assert as_alice.get(reverse(f"stories:{name}", kwargs={"pk": story.pk})).status_code == 405


def test_image_upload_refuses_get_and_anonymous(client, alice):
    assert client.post("/write/images/").status_code == 302
    client.force_login(alice)
    assert client.get("/write/images/").status_code == 405


# --- writing ----------------------------------------------------------------------------------


def test_a_creator_writes_a_draft(as_alice, alice, lifehack):
    response = as_alice.post("/write/new/", form_data(lifehack))
    story = Story.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/write/{story.pk}/"
    assert story.creator == alice and story.status == Status.DRAFT
    assert story.body == "<h2>Soil</h2><p>Start with <strong>soil</strong>.</p>"
    assert sorted(story.tags.names()) == ["food", "garden"]
    page = as_alice.get(f"/write/{story.pk}/").content.decode()
    assert 'value="Growing tomatoes"' in page and "garden" in page


def test_hostile_body_is_sanitised_whatever_the_client_sent(as_alice, lifehack):
    body = (
        '<p onclick="x()" style="color:red">Hi <a href="javascript:alert(1)">x</a></p>'
        "<script>alert(1)</script><svg><g onload=alert(1)></g></svg>"
        '<p class="MsoNormal" style="margin:0"><span lang=EN-US>Pasted<o:p></o:p></span></p>'
        "<!--[if gte mso 9]><xml><w:WordDocument></w:WordDocument></xml><![endif]-->"
    )
    as_alice.post("/write/new/", form_data(lifehack, body=body))
    stored = Story.objects.get().body
    assert stored == '<p>Hi <a rel="nofollow noopener ugc">x</a></p><p>Pasted</p>'


def test_bad_input_keeps_everything_typed(as_alice, lifehack):
    response = as_alice.post(
        "/write/new/", form_data(lifehack, title="", body="<p>My precious words</p>")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html
    assert "My precious words" in html and 'value="A summer of fruit"' in html
    assert not Story.objects.exists()


def test_a_hero_that_is_not_an_image_is_refused_and_nothing_is_lost(as_alice, lifehack):
    fake = SimpleUploadedFile(
        "photo.jpg", b"just some text, not an image", content_type="image/jpeg"
    )
    response = as_alice.post(
        "/write/new/", {**form_data(lifehack, hero_alt="A photo"), "hero_image": fake}
    )
    assert response.status_code == 400
    assert "Upload a JPEG, PNG, WebP or GIF image." in response.content.decode()
    assert 'value="Growing tomatoes"' in response.content.decode()
    assert not Story.objects.exists()


def test_a_hero_image_needs_alt_text_and_is_stored_re_encoded(as_alice, lifehack):
    def upload():
        return SimpleUploadedFile("h.png", png_bytes((900, 500)), content_type="image/png")

    response = as_alice.post("/write/new/", {**form_data(lifehack), "hero_image": upload()})
    assert response.status_code == 400
    assert "Describe the hero image" in response.content.decode()
    as_alice.post(
        "/write/new/",
        {**form_data(lifehack, hero_alt="Tomatoes on a vine"), "hero_image": upload()},
    )
    story = Story.objects.get()
    assert story.hero_image.name.endswith(".jpg")  # opaque PNG re-encoded as JPEG
    assert (story.hero_width, story.hero_height) == (900, 500)


def test_saving_again_keeps_the_hero_and_clear_removes_it(as_alice, lifehack):
    upload = SimpleUploadedFile("h.png", png_bytes((900, 500)), content_type="image/png")
    as_alice.post("/write/new/", {**form_data(lifehack, hero_alt="Tomatoes"), "hero_image": upload})
    story = Story.objects.get()
    name = story.hero_image.name
    as_alice.post(f"/write/{story.pk}/", form_data(lifehack, hero_alt="Tomatoes", title="New"))
    story.refresh_from_db()
    assert story.hero_image.name == name and story.title == "New"
    as_alice.post(f"/write/{story.pk}/", {**form_data(lifehack), "hero_image-clear": "on"})
    story.refresh_from_db()
    assert not story.hero_image


def test_too_many_tags_is_a_form_error(as_alice, lifehack):
    tags = ", ".join(f"t{i}" for i in range(9))
    response = as_alice.post("/write/new/", form_data(lifehack, tags=tags))
    assert response.status_code == 400 and "at most 8 tags" in response.content.decode()


# --- preview, submit, withdraw ----------------------------------------------------------------


def test_preview_shows_the_draft_as_readers_will_see_it(as_alice, alice, lifehack):
    as_alice.post("/write/new/", form_data(lifehack, action="preview"))
    story = Story.objects.get()
    response = as_alice.get(f"/write/{story.pk}/preview/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview." in html and '<h1 id="story-title"' in html
    assert "<h2>Soil</h2>" in html and "By <a" in html


def test_submitting_sends_the_story_to_review(as_alice, alice, lifehack):
    response = as_alice.post("/write/new/", form_data(lifehack, action="submit"))
    assert response.status_code == 302 and response["Location"] == "/write/"
    story = Story.objects.get()
    assert story.status == Status.SUBMITTED
    assert story.transitions.get().actor == alice


def test_an_empty_story_cannot_be_submitted(as_alice, lifehack):
    response = as_alice.post("/write/new/", form_data(lifehack, body="", action="submit"))
    assert response.status_code == 400
    assert "Write your story before submitting it." in response.content.decode()
    assert Story.objects.get().status == Status.DRAFT  # the draft itself is kept


def test_a_submitted_story_is_frozen_until_withdrawn(as_alice, alice, lifehack):
    story = make_story(creator=alice, community=lifehack, status=Status.SUBMITTED, title="Old")
    page = as_alice.get(f"/write/{story.pk}/").content.decode()
    assert "Withdraw to edit" in page and 'id="story-form"' not in page
    response = as_alice.post(f"/write/{story.pk}/", form_data(lifehack, title="Sneaky"))
    assert "awaiting review" in response.content.decode()
    story.refresh_from_db()
    assert story.title == "Old"
    as_alice.post(f"/write/{story.pk}/withdraw/")
    story.refresh_from_db()
    assert story.status == Status.DRAFT


def test_the_reviewers_reason_is_shown_in_the_editor_and_dashboard(as_alice, alice, sam, lifehack):
    story = make_story(creator=alice, community=lifehack, status=Status.SUBMITTED)
    services.story_request_changes(story=story, actor=sam, reason="Please cite your sources.")
    assert "Please cite your sources." in as_alice.get(f"/write/{story.pk}/").content.decode()
    assert "Please cite your sources." in as_alice.get("/write/").content.decode()


# --- editing a published story ----------------------------------------------------------------


def test_editing_a_published_story_keeps_the_public_version_until_approved(
    as_alice, alice, sam, lifehack, client, django_capture_on_commit_callbacks
):
    story = make_story(
        creator=alice, community=lifehack, title="Original", body="<p>First words.</p>"
    )
    public_url = story.get_absolute_url()
    as_alice.post(
        f"/write/{story.pk}/",
        form_data(lifehack, title="Revised", body="<p>Better words.</p>", action="submit"),
    )
    edit = StoryEdit.objects.get(story=story)
    assert edit.status == StoryEdit.Status.SUBMITTED and edit.title == "Revised"
    anonymous = client.__class__()
    html = anonymous.get(public_url).content.decode()
    assert "Original" in html and "First words." in html and "Better words." not in html
    preview = as_alice.get(f"/write/{story.pk}/preview/").content.decode()
    assert "Better words." in preview
    with django_capture_on_commit_callbacks(execute=True):
        services.story_publish(story=story, actor=sam)
    html = anonymous.get(public_url).content.decode()
    assert "Revised" in html and "Better words." in html
    assert sorted(Story.objects.get(pk=story.pk).tags.names()) == ["food", "garden"]
    assert not StoryEdit.objects.exists()


def test_discarding_changes_keeps_the_published_version(as_alice, alice, lifehack):
    story = make_story(creator=alice, community=lifehack, title="Original")
    as_alice.post(f"/write/{story.pk}/", form_data(lifehack, title="Revised"))
    assert StoryEdit.objects.exists()
    as_alice.post(f"/write/{story.pk}/discard/")
    assert not StoryEdit.objects.exists()
    assert Story.objects.get(pk=story.pk).title == "Original"


# --- autosave ---------------------------------------------------------------------------------


def test_autosave_creates_the_draft_then_keeps_updating_it(as_alice, lifehack):
    data = form_data(lifehack)
    data.pop("action")
    response = as_alice.post("/write/new/autosave/", data)
    assert response.status_code == 200
    result = response.json()
    story = Story.objects.get()
    assert result["saved"] and result["edit_url"] == f"/write/{story.pk}/"
    data["body"] = "<p>More words now.</p>"
    assert as_alice.post(result["autosave_url"], data).json()["saved"]
    story.refresh_from_db()
    assert story.body == "<p>More words now.</p>"
    assert Story.objects.count() == 1


def test_autosave_without_a_title_says_why(as_alice, lifehack):
    response = as_alice.post("/write/new/autosave/", form_data(lifehack, title=""))
    assert response.status_code == 400
    assert response.json()["errors"]["title"] == ["This field is required."]
    assert not Story.objects.exists()


def test_autosave_of_a_frozen_story_is_refused(as_alice, alice, lifehack):
    story = make_story(creator=alice, community=lifehack, status=Status.SUBMITTED)
    response = as_alice.post(f"/write/{story.pk}/autosave/", form_data(lifehack))
    assert response.status_code == 409 and not response.json()["saved"]


# --- images in the body -----------------------------------------------------------------------


def test_an_image_for_the_body_goes_through_the_image_module(as_alice):
    upload = SimpleUploadedFile("in-body.png", png_bytes((300, 200)), content_type="image/png")
    response = as_alice.post("/write/images/", {"image": upload})
    assert response.status_code == 201
    url = response.json()["url"]
    assert url.startswith("/media/story-images/") and url.endswith(".jpg")
    assert default_storage.exists(url.removeprefix("/media/"))


def test_a_body_image_that_is_not_an_image_is_refused(as_alice):
    upload = SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = as_alice.post("/write/images/", {"image": upload})
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "Upload a JPEG, PNG, WebP or GIF image."


# --- delete and dashboard ---------------------------------------------------------------------


def test_a_creator_deletes_their_story_after_confirming(as_alice, alice, lifehack):
    story = make_story(creator=alice, community=lifehack)
    assert "cannot be undone" in as_alice.get(f"/write/{story.pk}/delete/").content.decode()
    response = as_alice.post(f"/write/{story.pk}/delete/")
    assert response.status_code == 302
    assert not Story.objects.exists()


def test_dashboard_lists_stories_by_status(as_alice, alice, bob, lifehack):
    make_story(
        creator=alice,
        community=lifehack,
        status=Status.DRAFT,
        title="My draft",
        body="<p>" + "word " * 500 + "</p>",
    )
    make_story(creator=alice, community=lifehack, status=Status.SUBMITTED, title="Waiting")
    make_story(creator=alice, community=lifehack, title="Live one")
    make_story(creator=bob, community=lifehack, title="Not mine")
    html = as_alice.get("/write/").content.decode()
    for text in (
        "Drafts",
        "My draft",
        "500 words · 3 min read",
        "Awaiting review",
        "Waiting",
        "Published",
        "Live one",
    ):
        assert text in html
    assert "Not mine" not in html


@pytest.mark.parametrize("n", [2, 25])
def test_dashboard_queries_are_constant(as_alice, alice, lifehack, n, django_assert_num_queries):
    for i in range(n):
        make_story(creator=alice, community=lifehack, status=[*Status][i % 4])
    # user (the session comes from the cache), subscriber count, insights (2), stories with
    # community and pending edit, their editor's notes; readers' open notes (issue 16, part 5);
    # with a story under review (part 6), the review queue and the median review time (cached,
    # so only the first time)
    with django_assert_num_queries(9):
        as_alice.get("/write/")
    with django_assert_num_queries(8):
        as_alice.get("/write/")


def test_a_dashboard_with_nothing_under_review_asks_nothing_of_the_queue(
    as_alice, alice, lifehack, django_assert_num_queries
):
    make_story(creator=alice, community=lifehack, status=Status.DRAFT)
    make_story(creator=alice, community=lifehack)
    # as above, without the queue and the median
    with django_assert_num_queries(7):
        html = as_alice.get("/write/").content.decode()
    assert "review queue" not in html


# --- the editor page (issue 15) ---------------------------------------------------------------


def editor_config(html: str) -> dict:
    match = re.search(r'data-django-prose-editor-byline="([^"]*)"', html)
    return json.loads(unescape(match.group(1)))


def test_the_editor_checks_spelling_and_prompts_an_empty_story(as_alice, lifehack):
    html = as_alice.get("/write/new/").content.decode()
    extensions = editor_config(html)["extensions"]
    # The library adds NoSpellCheck (spellcheck="false") unless told not to.
    assert "NoSpellCheck" not in extensions
    assert extensions["Placeholder"] == {"placeholder": "Tell your story…"}
    assert 'spellcheck="false"' not in html


def test_the_editor_offers_no_way_to_link_an_image_from_elsewhere(as_alice, lifehack):
    html = as_alice.get("/write/new/").content.decode()
    # The image dialog uploads; it has a file field and no URL field.
    dialog = html[html.index("<dialog") : html.index("</dialog>")]
    assert 'type="file"' in dialog and 'type="url"' not in dialog and "URL" not in dialog
    assert 'data-media-url="/media/"' in html
    assert f'data-upload-url="{reverse("stories:image_upload")}"' in html


def test_a_body_image_from_another_host_is_not_stored(as_alice, lifehack):
    upload = SimpleUploadedFile("in-body.png", png_bytes((300, 200)), content_type="image/png")
    ours = as_alice.post("/write/images/", {"image": upload}).json()["url"]
    body = (
        f'<figure><img src="{ours}" alt="Ours"><figcaption>Kept</figcaption></figure>'
        '<figure><img src="https://elsewhere.example/a.png" alt="Theirs"></figure>'
        '<p><img src="data:image/png;base64,iVBORw0KGgo=" alt="Inline"></p>'
    )
    as_alice.post("/write/new/", form_data(lifehack, body=body))
    stored = Story.objects.get().body
    assert f'<img src="{ours}" alt="Ours">' in stored
    assert "elsewhere.example" not in stored and "data:" not in stored


def test_the_community_has_no_default_and_a_missing_choice_keeps_what_was_typed(as_alice, lifehack):
    make_community("Aardvarks")  # first alphabetically: once the silent default
    html = as_alice.get("/write/new/").content.decode()
    select = html[html.index('<select name="community"') : html.index("</select>")]
    assert '<option value="" selected>Choose a community</option>' in select
    assert "selected" not in select.replace('<option value="" selected>', "")
    typed = {**form_data(lifehack, body="<p>My precious words</p>"), "community": ""}
    response = as_alice.post("/write/new/", typed)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose the community your story belongs to." in page
    assert "My precious words" in page and 'value="Growing tomatoes"' in page
    assert not Story.objects.exists()
    # Autosave says the same, and saves nothing.
    data = {**form_data(lifehack), "community": ""}
    data.pop("action")
    saved = as_alice.post("/write/new/autosave/", data)
    assert saved.status_code == 400
    assert saved.json()["errors"]["community"] == ["Choose the community your story belongs to."]


@pytest.mark.parametrize("existing", [False, True])
def test_every_aria_describedby_on_the_editor_points_at_an_element(
    as_alice, alice, lifehack, existing
):
    url = "/write/new/"
    if existing:
        url = f"/write/{make_story(creator=alice, community=lifehack, status=Status.DRAFT).pk}/"
    html = as_alice.get(url).content.decode()
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    described = [
        target
        for value in re.findall(r'aria-describedby="([^"]+)"', html)
        for target in value.split()
    ]
    assert "id_community_helptext" in described
    assert [target for target in described if target not in ids] == []


# --- issue 21: the body painted before the editor mounts ---------------------------------------


def painted_body(html: str) -> str:
    match = re.search(r'<div class="prose editor-static__body"[^>]*>(.*?)</div></div>', html, re.S)
    assert match, "no painted body"
    return match.group(1)


def test_the_stored_body_is_painted_where_the_editor_mounts(as_alice, alice, lifehack):
    story = make_story(
        creator=alice,
        community=lifehack,
        status=Status.DRAFT,
        body='<p>Hi <a href="javascript:alert(1)">x</a></p><script>x()</script>',
    )
    html = as_alice.get(f"/write/{story.pk}/").content.decode()
    # What the sanitiser stored, and nothing else: the same markup the story page shows.
    assert story.body == '<p>Hi <a rel="nofollow noopener ugc">x</a></p>'
    assert painted_body(html).startswith(story.body)
    # The textarea is still what the form sends, with the same body, escaped.
    assert '<textarea name="body"' in html and "&lt;p&gt;Hi &lt;a" in html


def test_a_new_story_paints_the_prompt_and_no_body(as_alice):
    html = as_alice.get("/write/new/").content.decode()
    assert painted_body(html).strip() == "" and 'data-placeholder="Tell your story…"' in html


def test_what_was_posted_back_is_never_painted_as_markup(as_alice, lifehack):
    response = as_alice.post(
        "/write/new/", form_data(lifehack, title="", body="<p>Mine</p><script>alert(1)</script>")
    )
    html = response.content.decode()
    assert response.status_code == 400
    # The words are kept in the textarea; the painted box stays empty until the editor mounts.
    assert painted_body(html) == "" and "<script>alert(1)" not in html
    assert "&lt;p&gt;Mine&lt;/p&gt;" in html


def test_the_editor_starts_after_the_first_paint_from_one_module(as_alice):
    # The loader imports prose-editor.js and its bundle once the page (and the painted body)
    # is on screen; no other editor script or preload competes with that first paint.
    html = as_alice.get("/write/new/").content.decode()
    head = html[: html.index("</head>")]
    # The loader waits with the page's other scripts, fetched after the first paint
    # (core/first_paint.js); the only script in <head> is that first-paint one, inline.
    later = html[html.index("<template data-later-scripts>") : html.rindex("</template>")]
    assert '<script src="/static/js/prose-editor-loader.js" type="module">' in later
    assert head.count("<script") == 1 and "<script>(function" in head
    assert "modulepreload" not in html
    # Of the editor's stylesheets the first paint waits for ours only; the library's is linked
    # by the loader, from the URL on the textarea.
    assert '<link href="/static/css/editor.css"' in head
    assert "django_prose_editor" not in head
    assert 'data-stylesheet="/static/django_prose_editor/editor.css"' in html
