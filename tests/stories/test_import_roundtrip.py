"""Our own export imported again gives the same stories; an import can be cancelled."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.signals import post_save
from django.urls import reverse

from core.images import process_upload
from core.sanitizer import image_sources
from stories import imports
from stories.export import build_export
from stories.models import Story, StoryImport
from tests.conftest import make_community, make_story, png_bytes
from tests.stories.import_archives import substack_zip, upload

pytestmark = pytest.mark.django_db

SITE = "https://byline.example"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def _import(client, user, data: bytes, community, capture) -> StoryImport:
    client.force_login(user)
    with capture(execute=True):
        response = client.post(
            reverse("stories:import"), {"archive": upload(data), "community": community.pk}
        )
    assert response.status_code == 302, response.content.decode()[:1000]
    return StoryImport.objects.latest("pk")


def _flat(html: str) -> str:
    """The HTML without whitespace between elements, each element's attributes in order."""
    soup = BeautifulSoup(re.sub(r">\s+<", "><", html).strip(), "html.parser")
    for element in soup.find_all(True):
        element.attrs = dict(sorted(element.attrs.items()))
    return str(soup)


BODY = (
    "<h2>Part one</h2><p>Some <strong>bold</strong> and <em>slanted</em> words, "
    '<a href="https://example.com/">a link</a>.</p><ul><li>one</li><li>two</li></ul>'
    "<blockquote><p>Quoted.</p></blockquote><p>{image}</p>"
    # Issue 18: where the free part of a story for supporters ends.
    '<hr data-break="supporters"><h3>Part two</h3><p>The end.</p>'
)


@pytest.fixture
def originals(alice, lifehack, hero_file):
    poems = make_community("Poems")
    name = default_storage.save("story-images/2025/01/7-pic.png", ContentFile(png_bytes()))
    image = f'<img src="{default_storage.url(name)}" alt="A pic">'
    published = make_story(
        creator=alice,
        community=poems,
        title="Night Verses",
        subtitle="Written after dark",
        tags=["night", "poetry"],
        body=BODY.format(image=image),
        hero_image=process_upload(hero_file),
        hero_alt="A dark sky",
        hero_caption="Taken at midnight",
        published_at=datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC),
        created_at=datetime(2024, 2, 1, 9, 0, tzinfo=UTC),
        for_supporters=True,
    )
    draft = make_story(
        creator=alice,
        community=lifehack,
        title="Unfinished",
        status=Story.Status.DRAFT,
        body="<p>Still writing.</p>",
        created_at=datetime(2024, 3, 1, tzinfo=UTC),
    )
    return published, draft


def _assert_same(copy: Story, original: Story, tags: list[str]) -> None:
    assert copy.status == Story.Status.DRAFT
    assert copy.title == original.title
    assert copy.for_supporters == original.for_supporters
    assert copy.subtitle == original.subtitle
    assert copy.community == original.community
    assert sorted(copy.tags.names()) == tags
    assert copy.created_at == original.created_at
    assert copy.hero_alt == original.hero_alt
    assert copy.hero_caption == original.hero_caption
    # Images are stored anew (through core.images), so only their addresses differ.
    copy_body = _flat(copy.body)
    original_body = _flat(original.body)
    for old, new in zip(image_sources(original.body), image_sources(copy.body), strict=True):
        assert new != old and default_storage.exists(new[len(default_storage.url("")) :])
        original_body = original_body.replace(old, new)
    assert copy_body == original_body


@pytest.mark.slow
def test_export_then_import_after_deleting_gives_the_same_stories(
    client, alice, lifehack, originals, django_capture_on_commit_callbacks
):
    published, draft = originals
    data = build_export(user=alice).read()
    tags = {story.pk: sorted(story.tags.names()) for story in originals}
    Story.objects.filter(creator=alice).delete()
    story_import = _import(client, alice, data, lifehack, django_capture_on_commit_callbacks)
    assert story_import.format == "markdown"
    assert story_import.message == "2 of 2 stories imported as drafts."
    copy = Story.objects.get(creator=alice, title="Night Verses")
    _assert_same(copy, published, tags[published.pk])
    assert copy.first_published_elsewhere == published.published_at
    assert copy.original_url == SITE + published.get_absolute_url()
    assert copy.hero_image and default_storage.exists(copy.hero_image.name)
    assert copy.hero_width == published.hero_width
    draft_copy = Story.objects.get(creator=alice, title="Unfinished")
    _assert_same(draft_copy, draft, tags[draft.pk])
    assert draft_copy.first_published_elsewhere is None
    assert not draft_copy.hero_image

    # And once more: nothing new.
    again = _import(client, alice, data, lifehack, django_capture_on_commit_callbacks)
    assert [line["outcome"] for line in again.report] == ["already imported"] * 2
    assert Story.objects.filter(creator=alice).count() == 2


def test_a_community_that_does_not_exist_here_is_noted_and_the_chosen_one_used(
    client, alice, bob, lifehack, django_capture_on_commit_callbacks
):
    gone = make_community("Gone Away")
    make_story(creator=alice, community=gone, title="Orphan", status=Story.Status.DRAFT)
    data = build_export(user=alice).read()
    Story.objects.all().delete()
    gone.delete()
    story_import = _import(client, bob, data, lifehack, django_capture_on_commit_callbacks)
    assert Story.objects.get(creator=bob, title="Orphan").community == lifehack
    assert story_import.report[0]["notes"] == [
        "The community “Gone Away” does not exist here; the draft is in Lifehack."
    ]


# --- Cancelling ------------------------------------------------------------------------------


def test_cancelling_stops_between_stories_and_keeps_what_was_imported(
    client, alice, lifehack, django_capture_on_commit_callbacks
):
    archive = substack_zip(
        [{"post_id": str(n), "title": f"Letter {n}"} for n in range(1, 4)],
        {str(n): f"<p>Letter {n}.</p>" for n in range(1, 4)},
    )

    def creator_clicks_cancel(sender, instance, created, **kwargs):
        # While the first story is being saved, the creator presses "Cancel the import".
        if created and instance.title == "Letter 1":
            imports.import_cancel(story_import=StoryImport.objects.get())

    post_save.connect(creator_clicks_cancel, sender=Story)
    try:
        story_import = _import(client, alice, archive, lifehack, django_capture_on_commit_callbacks)
    finally:
        post_save.disconnect(creator_clicks_cancel, sender=Story)
    assert list(Story.objects.values_list("title", flat=True)) == ["Letter 1"]
    assert story_import.status == StoryImport.Status.CANCELLED
    assert story_import.message == (
        "Cancelled after 1 of 3 stories; the 1 imported stay as drafts."
    )
    assert story_import.archive in (b"", memoryview(b""))
    page = client.get(story_import.get_absolute_url()).content.decode()
    assert "Cancelled after 1 of 3 stories" in page


def test_cancelling_before_it_starts_imports_nothing(
    client, alice, lifehack, django_capture_on_commit_callbacks
):
    archive = substack_zip([{"post_id": "1", "title": "Never"}], {"1": "<p>x</p>"})
    story_import = StoryImport.objects.create(
        creator=alice, community=lifehack, format="substack", archive=archive, total=1
    )
    client.force_login(alice)
    response = client.post(reverse("stories:import_cancel", args=[story_import.pk]))
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        imports.run_import.enqueue(import_id=story_import.pk)
    story_import.refresh_from_db()
    assert story_import.status == StoryImport.Status.CANCELLED
    assert not Story.objects.exists()


def test_a_story_first_published_elsewhere_keeps_its_origin_through_export_and_import(
    client, alice, lifehack, django_capture_on_commit_callbacks
):
    origin = datetime(2015, 5, 5, 5, 5, tzinfo=UTC)
    make_story(
        creator=alice,
        community=lifehack,
        title="Old Post",
        status=Story.Status.DRAFT,
        first_published_elsewhere=origin,
        original_url="https://blog.example/old-post/",
    )
    data = build_export(user=alice).read()
    Story.objects.all().delete()
    _import(client, alice, data, lifehack, django_capture_on_commit_callbacks)
    copy = Story.objects.get(title="Old Post")
    assert copy.first_published_elsewhere == origin
    assert copy.original_url == "https://blog.example/old-post/"


def test_an_import_whose_community_was_removed_fails_with_a_message(
    client, alice, django_capture_on_commit_callbacks
):
    brief = make_community("Brief")
    archive = substack_zip([{"post_id": "1", "title": "Homeless"}], {"1": "<p>x</p>"})
    story_import = StoryImport.objects.create(
        creator=alice, community=brief, format="substack", archive=archive, total=1
    )
    brief.delete()
    with django_capture_on_commit_callbacks(execute=True):
        imports.run_import.enqueue(import_id=story_import.pk)
    story_import.refresh_from_db()
    assert story_import.status == StoryImport.Status.FAILED
    assert "community you chose was removed" in story_import.message
    assert not Story.objects.exists()
