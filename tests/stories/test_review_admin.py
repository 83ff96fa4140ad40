"""The review queue and the lifecycle actions in the admin: what moderators see and decide."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from creators.models import User
from stories.models import Story, StoryEdit, StoryTransition, Submission
from stories.services import story_publish, story_submit, story_update
from tests.conftest import make_community, make_story, make_user, png_bytes

pytestmark = pytest.mark.django_db
Status = Story.Status

QUEUE = reverse("admin:stories_submission_changelist")
STORIES = reverse("admin:stories_story_changelist")


def preview_url(story: Story) -> str:
    return reverse("admin:stories_submission_change", args=[story.pk])


def publish_url(story: Story) -> str:
    return reverse("admin:stories_submission_publish", args=[story.pk])


def request_changes_url(story: Story) -> str:
    return reverse("admin:stories_submission_request_changes", args=[story.pk])


def grant(user: User, *codenames: str) -> User:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)  # a fresh instance: permissions are cached per object


@pytest.fixture
def moderator(sam) -> User:
    """Sam, staff, with the Story permissions a moderator gets: no superuser powers."""
    return grant(sam, "view_story", "change_story")


@pytest.fixture
def staff_client(client, moderator):
    client.force_login(moderator)
    return client


def submitted(creator: User, community, *, ago: timedelta = timedelta(0), **fields) -> Story:
    """A draft its creator submitted `ago` ago, through the service, so it has its transition."""
    story = make_story(creator=creator, community=community, status=Status.DRAFT, **fields)
    story_submit(story=story, actor=creator)
    StoryTransition.objects.filter(story=story).update(created_at=timezone.now() - ago)
    return story


def with_submitted_edit(
    creator: User, community, *, ago: timedelta = timedelta(0), **fields
) -> Story:
    """A published story whose creator changed title, body and tags and submitted the changes."""
    fields.setdefault("title", "The published title")
    fields.setdefault("body", "<p>The published words.</p>")
    story = make_story(creator=creator, community=community, tags=["old"], **fields)
    story_update(
        story=story,
        data={"title": "The improved title", "body": "<p>Better words, <em>more</em>.</p>"},
        tags=["new", "better"],
    )
    story_submit(story=story, actor=creator)
    StoryTransition.objects.filter(story=story).update(created_at=timezone.now() - ago)
    return story


def action_names(response) -> set[str]:
    form = response.context["action_form"]  # None when no action is offered at all
    return {name for name, _ in form.fields["action"].choices} if form else set()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def assert_unchanged(story: Story, status: str) -> None:
    story.refresh_from_db()
    assert story.status == status
    assert not StoryTransition.objects.filter(story=story).exclude(to_status=Status.SUBMITTED)


# --- the queue ------------------------------------------------------------------------------


def test_queue_lists_what_awaits_review_oldest_first(staff_client, alice, bob, lifehack):
    newest = submitted(alice, lifehack, title="Newest", ago=timedelta(hours=1))
    oldest = submitted(bob, lifehack, title="Oldest", ago=timedelta(days=3))
    edit = with_submitted_edit(alice, lifehack, ago=timedelta(days=2))
    # Not awaiting review: none of these may show.
    make_story(creator=alice, community=lifehack, title="A draft", status=Status.DRAFT)
    make_story(
        creator=alice, community=lifehack, title="Sent back", status=Status.CHANGES_REQUESTED
    )
    make_story(creator=alice, community=lifehack, title="Just published")
    unsent = make_story(creator=alice, community=lifehack, title="Edit not sent")
    story_update(story=unsent, data={"title": "Edit still a draft"})

    response = staff_client.get(QUEUE)

    assert response.status_code == 200
    assert [s.pk for s in response.context["cl"].result_list] == [oldest.pk, edit.pk, newest.pk]
    html = response.content.decode()
    assert "The improved title" in html  # an edit is listed by what is under review
    assert "Changes to a published story" in html and "New story" in html
    for title in ("A draft", "Sent back", "Just published", "Edit still a draft"):
        assert title not in html


def test_queue_orders_by_the_latest_submission_not_the_first(staff_client, alice, lifehack):
    resubmitted = submitted(alice, lifehack, ago=timedelta(days=5))
    waiting = submitted(alice, lifehack, ago=timedelta(days=2))
    # Sent back and resubmitted today: it goes to the end of the queue.
    resubmitted.status = Status.CHANGES_REQUESTED
    resubmitted.save()
    story_submit(story=resubmitted, actor=alice)

    result = staff_client.get(QUEUE).context["cl"].result_list

    assert [s.pk for s in result] == [waiting.pk, resubmitted.pk]
    assert result[1].submitted_at > timezone.now() - timedelta(minutes=1)


def test_queue_queries_do_not_grow_with_rows(
    staff_client, alice, lifehack, django_assert_max_num_queries, django_assert_num_queries
):
    def fill(n: int) -> None:
        for i in range(n):
            if i % 2:
                with_submitted_edit(alice, lifehack)
            else:
                submitted(alice, lifehack)

    fill(3)
    # user (the session comes from the cache), user permissions, group permissions, the
    # community filter's choices, the count, the unfiltered count ("3 of 3"), and the page of
    # rows with creator, community, pending edit and the edit's community joined in; the
    # oldest wait and the median review time above the list (issue 16; the median is cached).
    with django_assert_num_queries(9):
        few = staff_client.get(QUEUE)
    fill(27)
    with django_assert_max_num_queries(9):
        many = staff_client.get(QUEUE)
    assert len(few.context["cl"].result_list) == 3
    assert len(many.context["cl"].result_list) == 30


def test_queue_search_finds_an_edit_by_its_new_title(staff_client, alice, lifehack):
    with_submitted_edit(alice, lifehack)
    submitted(alice, lifehack, title="Something else")
    rows = staff_client.get(QUEUE, {"q": "improved"}).context["cl"].result_list
    assert [row.under_review.title for row in rows] == ["The improved title"]


def test_queue_filters_by_kind(staff_client, alice, lifehack):
    edit = with_submitted_edit(alice, lifehack)
    new = submitted(alice, lifehack)
    for kind, expected in (("edit", edit), ("new", new)):
        rows = staff_client.get(QUEUE, {"kind": kind}).context["cl"].result_list
        assert [row.pk for row in rows] == [expected.pk], kind


def test_nothing_is_added_to_or_deleted_from_the_queue(staff_client, alice, lifehack):
    story = submitted(alice, lifehack)
    assert staff_client.get(reverse("admin:stories_submission_add")).status_code == 403
    delete = reverse("admin:stories_submission_delete", args=[story.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    actions = action_names(staff_client.get(QUEUE))
    assert actions == {"", "publish", "request_changes", "unpublish"}  # no delete_selected
    assert Story.objects.filter(pk=story.pk).exists()


@pytest.mark.parametrize("url", [QUEUE, "preview"])
def test_queue_is_for_staff_only(client, alice, lifehack, url):
    story = submitted(alice, lifehack)
    url = preview_url(story) if url == "preview" else url
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    client.force_login(make_user("reader"))
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    client.force_login(make_user("intern", is_staff=True))  # staff, but no story permissions
    assert client.get(url).status_code == 403


# --- the preview ----------------------------------------------------------------------------


def test_preview_reads_like_the_story_not_an_edit_form(
    staff_client, alice, lifehack, django_assert_num_queries
):
    story = submitted(
        alice,
        lifehack,
        title="Tomatoes in winter",
        subtitle="A greenhouse diary",
        hero_image=ContentFile(png_bytes((800, 450)), name="hero.png"),
        hero_caption="The greenhouse in January",
        hero_alt="Tomato plants under glass",
        body="<h2>Week one</h2><p>Frost <strong>everywhere</strong>.</p><script>x()</script>"
        '<p onclick="steal()">Clicked</p>',
        tags=["garden"],
    )

    # user (the session comes from the cache), permissions (user, group), the story with its
    # creator, community and edit, its tags, its history with actors.
    with django_assert_num_queries(6):
        response = staff_client.get(preview_url(story))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Tomatoes in winter" in html and "A greenhouse diary" in html
    assert "<h2>Week one</h2><p>Frost <strong>everywhere</strong>.</p>" in html  # rendered
    assert "<script>x()" not in html and "steal()" not in html  # cleaned when it was saved
    assert story.hero_image.url in html and 'alt="Tomato plants under glass"' in html
    assert "The greenhouse in January" in html
    assert 'name="title"' not in html and 'name="body"' not in html  # nothing to edit here
    assert publish_url(story) in html and request_changes_url(story) in html
    assert 'name="reason"' in html
    assert "New story" in html and "garden" in html
    assert "Awaiting review" in html and "Alice Walker" in html  # the history: who submitted it


def test_preview_escapes_everything_but_the_sanitised_body(staff_client, alice, lifehack):
    story = submitted(alice, lifehack, title="<b>Bold</b> title", subtitle="<i>sub</i>")
    html = staff_client.get(preview_url(story)).content.decode()
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt; title" in html
    assert "<i>sub</i>" not in html


def test_preview_of_an_edit_shows_the_changes_and_what_is_live(staff_client, alice, lifehack):
    story = with_submitted_edit(alice, lifehack)

    response = staff_client.get(preview_url(story))

    html = response.content.decode()
    assert "Changes to a published story" in html
    assert "The improved title" in html and "Better words, <em>more</em>." in html
    assert "The published title" in html and story.get_absolute_url() in html  # what is live
    assert "The published words." not in html  # the preview shows the edit, not the live body
    assert response.context["changed"] == ["title", "body", "tags"]
    assert "Publish these changes" in html


def test_preview_of_something_no_longer_in_the_queue_goes_back_to_it(staff_client, alice, lifehack):
    story = make_story(creator=alice, community=lifehack)
    response = staff_client.get(preview_url(story), follow=True)
    assert response.redirect_chain[-1][0] == QUEUE
    assert "That story is no longer awaiting review." in messages_of(response)
    assert staff_client.get(preview_url(Story(pk=9999))).status_code == 302


def test_a_moderator_who_may_only_look_gets_no_buttons(client, alice, lifehack):
    story = submitted(alice, lifehack)
    client.force_login(grant(make_user("viewer", is_staff=True), "view_story"))
    html = client.get(preview_url(story)).content.decode()
    assert publish_url(story) not in html and 'name="reason"' not in html
    assert action_names(client.get(QUEUE)) == set()
    assert client.post(publish_url(story)).status_code == 403
    assert client.post(request_changes_url(story), {"reason": "No."}).status_code == 403
    assert_unchanged(story, Status.SUBMITTED)


# --- the preview's buttons ------------------------------------------------------------------


def test_publish_button_publishes_records_and_emails(
    settings,
    staff_client,
    moderator,
    alice,
    lifehack,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    alice.email = "alice@example.com"
    alice.save()
    story = submitted(alice, lifehack, title="Tomatoes")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(publish_url(story), follow=True)

    assert response.redirect_chain[0] == (QUEUE, 302)
    assert "Published “Tomatoes”." in messages_of(response)
    story.refresh_from_db()
    assert story.status == Status.PUBLISHED and story.published_at is not None
    step = story.transitions.first()
    assert (step.to_status, step.actor, step.is_edit) == (Status.PUBLISHED, moderator, False)
    assert story.pk not in [s.pk for s in response.context["cl"].result_list]
    [mail] = mailoutbox
    assert mail.to == ["alice@example.com"]
    assert mail.subject == "Your “Tomatoes” is live"
    assert settings.SITE_URL.rstrip("/") + story.get_absolute_url() in mail.body


def test_request_changes_button_sends_it_back_with_the_reason(
    staff_client, moderator, alice, lifehack, mailoutbox, django_capture_on_commit_callbacks
):
    alice.email = "alice@example.com"
    alice.save()
    story = submitted(alice, lifehack, title="Tomatoes")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            request_changes_url(story), {"reason": "Cite your sources."}, follow=True
        )

    assert response.redirect_chain[0] == (QUEUE, 302)
    assert "Sent “Tomatoes” back to Alice Walker with your note." in messages_of(response)
    story.refresh_from_db()
    assert story.status == Status.CHANGES_REQUESTED
    step = story.transitions.first()
    assert (step.actor, step.reason) == (moderator, "Cite your sources.")
    [mail] = mailoutbox
    assert mail.to == ["alice@example.com"]
    assert mail.subject == "Changes requested for “Tomatoes”"
    assert "Cite your sources." in mail.body and f"/write/{story.pk}/" in mail.body


def test_request_changes_without_a_reason_shows_the_error_and_changes_nothing(
    staff_client, alice, lifehack, mailoutbox, django_capture_on_commit_callbacks
):
    story = submitted(alice, lifehack, title="Tomatoes")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(request_changes_url(story), {"reason": "   "})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert "Tomatoes" in response.content.decode()  # the preview again, with the error
    assert_unchanged(story, Status.SUBMITTED)
    assert mailoutbox == []


@pytest.mark.parametrize("button", [publish_url, request_changes_url])
def test_buttons_refuse_get(staff_client, alice, lifehack, button):
    story = submitted(alice, lifehack)
    assert staff_client.get(button(story)).status_code == 405
    assert_unchanged(story, Status.SUBMITTED)


@pytest.mark.parametrize("button", [publish_url, request_changes_url])
def test_buttons_send_anonymous_and_non_staff_to_the_admin_login(client, alice, lifehack, button):
    story = submitted(alice, lifehack)
    for user in (None, make_user("reader")):
        if user:
            client.force_login(user)
        response = client.post(button(story), {"reason": "No."})
        assert response.status_code == 302, user
        assert response.url.startswith(reverse("admin:login")), user
    client.force_login(alice)  # the creator is not staff either
    assert client.post(button(story), {"reason": "No."}).status_code == 302
    assert_unchanged(story, Status.SUBMITTED)


@pytest.mark.parametrize("button", [publish_url, request_changes_url])
def test_buttons_need_the_csrf_token(moderator, alice, lifehack, button):
    story = submitted(alice, lifehack)
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    assert client.post(button(story), {"reason": "No."}).status_code == 403
    assert_unchanged(story, Status.SUBMITTED)


@pytest.mark.parametrize("button", [publish_url, request_changes_url])
def test_buttons_refuse_what_is_not_awaiting_review(staff_client, alice, lifehack, button):
    draft = make_story(creator=alice, community=lifehack, status=Status.DRAFT)
    published = make_story(creator=alice, community=lifehack)
    for story, status in ((draft, Status.DRAFT), (published, Status.PUBLISHED)):
        response = staff_client.post(button(story), {"reason": "No."}, follow=True)
        assert response.redirect_chain[0] == (QUEUE, 302)
        assert "That story is no longer awaiting review." in messages_of(response)
        story.refresh_from_db()
        assert story.status == status
    assert not StoryTransition.objects.exists()


# --- an edit of a published story -----------------------------------------------------------


def test_publishing_an_edit_replaces_the_public_content(
    staff_client, moderator, alice, lifehack, mailoutbox, django_capture_on_commit_callbacks
):
    alice.email = "alice@example.com"
    alice.save()
    story = with_submitted_edit(alice, lifehack)
    address, published_at = story.get_absolute_url(), story.published_at

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(publish_url(story), follow=True)

    assert "Published the changes to “The improved title”." in messages_of(response)
    story.refresh_from_db()
    assert story.title == "The improved title"
    assert story.body == "<p>Better words, <em>more</em>.</p>"
    assert sorted(story.tags.names()) == ["better", "new"]
    assert (story.status, story.published_at) == (Status.PUBLISHED, published_at)
    assert not StoryEdit.objects.filter(story=story).exists()
    step = story.transitions.first()
    assert (step.to_status, step.actor, step.is_edit) == (Status.PUBLISHED, moderator, True)
    page = Client().get(address)  # for a reader; the address does not move
    assert page.status_code == 200 and "The improved title" in page.content.decode()
    [mail] = mailoutbox
    assert mail.subject == "Your changes to “The improved title” are live"
    assert address in mail.body


def test_requesting_changes_to_an_edit_keeps_the_published_version_public(
    staff_client, alice, lifehack, mailoutbox, django_capture_on_commit_callbacks
):
    alice.email = "alice@example.com"
    alice.save()
    story = with_submitted_edit(alice, lifehack)

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(request_changes_url(story), {"reason": "Keep the old title."})

    story.refresh_from_db()
    assert story.status == Status.PUBLISHED and story.title == "The published title"
    assert story.pending_edit.status == StoryEdit.Status.CHANGES_REQUESTED
    assert story.pending_edit.title == "The improved title"  # the creator's work is kept
    assert story.transitions.first().is_edit
    page = Client().get(story.get_absolute_url())
    assert page.status_code == 200 and "The published title" in page.content.decode()
    assert not Submission.objects.awaiting_review().exists()
    [mail] = mailoutbox
    assert "Keep the old title." in mail.body and "replaces the published version" in mail.body


# --- the actions ----------------------------------------------------------------------------


def act(client, url: str, action: str, stories, **extra):
    data = {"action": action, "_selected_action": [s.pk for s in stories], **extra}
    return client.post(url, data, follow=True)


@pytest.mark.parametrize("url", [QUEUE, STORIES])
def test_bulk_publish_reports_new_stories_and_edits(
    staff_client, moderator, alice, bob, lifehack, url, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    for user in (alice, bob):
        user.email = f"{user.username}@example.com"
        user.save()
    first, second = submitted(alice, lifehack), submitted(bob, lifehack)
    edit = with_submitted_edit(alice, lifehack)

    with django_capture_on_commit_callbacks(execute=True):
        response = act(staff_client, url, "publish", [first, second, edit], index=0)

    assert "Published 2 stories." in messages_of(response)
    assert "Published the changes to 1 story." in messages_of(response)
    for story in (first, second, edit):
        story.refresh_from_db()
        assert story.status == Status.PUBLISHED
        assert story.transitions.first().actor == moderator
    assert edit.title == "The improved title"
    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "alice@example.com",
        "alice@example.com",
        "bob@example.com",
    ]


def test_publish_action_refuses_what_is_not_submitted_and_says_why(staff_client, alice, lifehack):
    draft = make_story(creator=alice, community=lifehack, title="Draft", status=Status.DRAFT)
    live = make_story(creator=alice, community=lifehack, title="Live")
    response = act(staff_client, STORIES, "publish", [draft, live], index=0)
    messages = messages_of(response)
    assert not any(m.startswith("Published") for m in messages)
    assert any(m.startswith("“Draft”:") and "cannot become" in m for m in messages)
    assert any(m.startswith("“Live”:") and "no changes awaiting review" in m for m in messages)
    assert_unchanged(draft, Status.DRAFT)
    assert_unchanged(live, Status.PUBLISHED)


@pytest.mark.parametrize("url", [QUEUE, STORIES])
def test_request_changes_action_asks_for_a_reason_first(staff_client, alice, bob, lifehack, url):
    first, second = submitted(alice, lifehack, title="First"), submitted(bob, lifehack)

    response = act(staff_client, url, "request_changes", [first, second], index=0)

    assert response.status_code == 200 and not response.redirect_chain
    html = response.content.decode()
    assert "First" in html and 'name="reason"' in html
    assert 'name="post" value="yes"' in html and 'value="request_changes"' in html
    for story in (first, second):
        assert f'name="_selected_action" value="{story.pk}"' in html
        assert_unchanged(story, Status.SUBMITTED)


@pytest.mark.parametrize("url", [QUEUE, STORIES])
def test_request_changes_action_without_a_reason_keeps_the_selection(
    staff_client, alice, bob, lifehack, url
):
    first, second = submitted(alice, lifehack), submitted(bob, lifehack)

    response = act(staff_client, url, "request_changes", [first, second], post="yes", reason="")

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    html = response.content.decode()
    assert "Please correct the error below." in html
    for story in (first, second):
        assert f'name="_selected_action" value="{story.pk}"' in html
        assert_unchanged(story, Status.SUBMITTED)


@pytest.mark.parametrize("url", [QUEUE, STORIES])
def test_request_changes_action_sends_each_back_with_the_reason(
    staff_client, moderator, alice, bob, lifehack, url, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    alice.email = "alice@example.com"
    alice.save()
    first, second = submitted(alice, lifehack), submitted(bob, lifehack)  # bob has no email
    edit = with_submitted_edit(alice, lifehack)

    with django_capture_on_commit_callbacks(execute=True):
        response = act(
            staff_client, url, "request_changes", [first, second, edit],
            post="yes", reason="Please add sources.",
        )  # fmt: skip

    assert response.redirect_chain[0] == (url, 302)
    assert "Sent 3 stories back to their creators." in messages_of(response)
    for story in (first, second):
        story.refresh_from_db()
        assert story.status == Status.CHANGES_REQUESTED
    edit.refresh_from_db()
    assert edit.status == Status.PUBLISHED
    assert edit.pending_edit.status == StoryEdit.Status.CHANGES_REQUESTED
    for story in (first, second, edit):
        step = story.transitions.first()
        assert (step.actor, step.reason) == (moderator, "Please add sources.")
    assert len(mailoutbox) == 2
    assert all("Please add sources." in mail.body for mail in mailoutbox)


def test_request_changes_action_refuses_what_is_not_submitted(staff_client, alice, lifehack):
    draft = make_story(creator=alice, community=lifehack, title="Draft", status=Status.DRAFT)
    response = act(staff_client, STORIES, "request_changes", [draft], post="yes", reason="No.")
    assert any(m.startswith("“Draft”:") for m in messages_of(response))
    assert not any(m.startswith("Sent") for m in messages_of(response))
    assert_unchanged(draft, Status.DRAFT)


def test_unpublish_action_takes_the_story_off_every_public_page(
    staff_client, moderator, alice, lifehack
):
    story = make_story(creator=alice, community=lifehack, title="Regrettable", tags=["oops"])
    kept = make_story(creator=alice, community=lifehack, title="Fine")
    reader = Client()
    pages = ("/", "/explore/", f"/{lifehack.slug}/", f"/{lifehack.slug}/tag/oops/")
    for page in pages:  # listed everywhere before, so its absence below means something
        assert "Regrettable" in reader.get(page).content.decode(), page
    confirm = act(staff_client, STORIES, "unpublish", [story], index=0)
    assert confirm.status_code == 200 and "Regrettable" in confirm.content.decode()
    assert_unchanged(story, Status.PUBLISHED)

    response = act(staff_client, STORIES, "unpublish", [story], post="yes", reason="Legal request")

    assert "Unpublished 1 story." in messages_of(response)
    story.refresh_from_db()
    assert story.status == Status.DRAFT
    step = story.transitions.first()
    assert (step.from_status, step.to_status) == (Status.PUBLISHED, Status.DRAFT)
    assert (step.actor, step.reason) == (moderator, "Legal request")
    # Off every listing at once, for a reader who is not logged in.
    assert reader.get(f"/{lifehack.slug}/regrettable/").status_code == 404
    for page in pages:
        assert "Regrettable" not in reader.get(page).content.decode(), page
    assert "Fine" in reader.get("/explore/").content.decode() and kept.is_public


def test_unpublish_needs_no_reason_and_refuses_what_is_not_published(staff_client, alice, lifehack):
    live = make_story(creator=alice, community=lifehack, title="Live")
    waiting = submitted(alice, lifehack, title="Waiting")
    response = act(staff_client, STORIES, "unpublish", [live, waiting], post="yes", reason="")
    messages = messages_of(response)
    assert "Unpublished 1 story." in messages
    assert "“Waiting”: it is not published." in messages
    live.refresh_from_db()
    assert live.status == Status.DRAFT and live.transitions.get().reason == ""
    assert_unchanged(waiting, Status.SUBMITTED)


@pytest.mark.parametrize("action", ["publish", "request_changes", "unpublish"])
def test_actions_are_for_staff_with_story_permissions_only(client, alice, lifehack, action):
    story = submitted(alice, lifehack)
    data = {"action": action, "_selected_action": [story.pk], "post": "yes", "reason": "No."}
    for user in (None, make_user("reader")):
        if user:
            client.force_login(user)
        response = client.post(STORIES, data)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    client.force_login(grant(make_user("viewer", is_staff=True), "view_story"))
    for extra in ({}, {"index": 0}):  # the confirmation's post, or the list's own form
        response = client.post(STORIES, {**data, **extra})
        assert action_names(response) == set()  # nothing is offered to a viewer
    assert_unchanged(story, Status.SUBMITTED)


# --- history --------------------------------------------------------------------------------


def test_story_page_in_the_admin_shows_the_history_newest_first(
    staff_client, moderator, alice, lifehack
):
    story = with_submitted_edit(alice, lifehack, ago=timedelta(hours=1))
    staff_client.post(request_changes_url(story), {"reason": "Shorter, please."})

    response = staff_client.get(reverse("admin:stories_story_change", args=[story.pk]))

    inline = next(
        formset for formset in response.context["inline_admin_formsets"]
        if formset.opts.model is StoryTransition
    )  # fmt: skip
    steps = [form.original for form in inline]
    assert [s.to_status for s in steps] == [Status.CHANGES_REQUESTED, Status.SUBMITTED]
    html = response.content.decode()
    assert "Shorter, please." in html and "Sam Staff" in html and "Alice Walker" in html
    assert "Changes to the published story" in html
    assert 'name="transitions-0-reason"' not in html  # read-only


def test_story_page_points_to_the_review_queue(staff_client, alice, lifehack):
    story = with_submitted_edit(alice, lifehack)
    html = staff_client.get(reverse("admin:stories_story_change", args=[story.pk])).content
    assert "Changes awaiting review" in html.decode() and preview_url(story) in html.decode()


def test_history_admin_is_read_only(client, alice, lifehack, sam):
    story = submitted(alice, lifehack)
    story_publish(story=story, actor=sam)
    step = story.transitions.first()
    root = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(root)
    listing = client.get(reverse("admin:stories_storytransition_changelist"))
    assert listing.status_code == 200
    assert "delete_selected" not in action_names(listing)
    page = client.get(reverse("admin:stories_storytransition_change", args=[step.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'name="_save"' not in html and "deletelink" not in html
    assert client.get(reverse("admin:stories_storytransition_add")).status_code == 403
    delete = reverse("admin:stories_storytransition_delete", args=[step.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    edit = client.post(
        reverse("admin:stories_storytransition_change", args=[step.pk]), {"reason": "Rewritten"}
    )
    assert edit.status_code == 403
    step.refresh_from_db()
    assert step.reason == ""


def test_deleting_a_story_still_takes_its_history_along(client, alice, lifehack, sam):
    story = submitted(alice, lifehack)
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    response = client.post(reverse("admin:stories_story_delete", args=[story.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Story.objects.exists() and not StoryTransition.objects.exists()


def test_a_queue_row_in_another_community_shows_the_edit_community(staff_client, alice, lifehack):
    story = with_submitted_edit(alice, lifehack)
    elsewhere = make_community("Gardening")
    StoryEdit.objects.filter(story=story).update(community=elsewhere)
    [row] = staff_client.get(QUEUE).context["cl"].result_list
    assert row.under_review.community == elsewhere


def test_unpublishing_a_story_with_submitted_changes_leaves_nothing_stale(
    staff_client, alice, lifehack
):
    story = with_submitted_edit(alice, lifehack)
    act(staff_client, STORIES, "unpublish", [story], post="yes", reason="")
    story.refresh_from_db()
    story_update(story=story, data={"title": "Rewritten while a draft"})
    story_submit(story=story, actor=alice)
    staff_client.post(publish_url(story))
    assert not Submission.objects.awaiting_review().exists()
