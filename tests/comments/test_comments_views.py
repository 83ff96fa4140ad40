"""The comment views: the same negative cases for every action, then each action's own."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import MAX_COMMENT_CHARS, Comment, CommentReport
from stories.models import Story
from tests.comments.conftest import make_comment
from tests.conftest import make_story, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("comment_cache")]
Status = Comment.Status


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def bobs_comment(comment_story, bob) -> Comment:
    return make_comment(story=comment_story, author=bob, body="Bob was here.")


# Each action: its URL for a comment (or story), who may use it, and a valid POST.
ACTIONS = {
    "comment_post": ("story", None, {"body": "Hello"}),
    "comment_edit": ("comment", "author", {"body": "Changed"}),
    "comment_delete": ("comment", "author", {}),
    "comment_remove": ("comment", "creator", {}),
    "comment_report": ("comment", "reader", {"reason": "Spam"}),
}


def action_url(name: str, comment: Comment) -> str:
    target = ACTIONS[name][0]
    pk = comment.story_id if target == "story" else comment.pk
    key = "story_id" if target == "story" else "pk"
    return reverse(f"comments:{name}", kwargs={key: pk})


def allowed_user(name: str, *, alice, bob, carol):
    """alice wrote the story, bob the comment, carol is another reader."""
    return {None: carol, "author": bob, "creator": alice, "reader": carol}[ACTIONS[name][1]]


@pytest.fixture
def carol(db):
    return make_user("carol", display_name="Carol Critic")


# --- the same negative cases for every action ---------------------------------------------


@pytest.mark.parametrize("name", ACTIONS)
def test_anonymous_is_sent_to_log_in_and_nothing_changes(client, bobs_comment, name):
    url = action_url(name, bobs_comment)
    response = client.post(url, ACTIONS[name][2])
    assert response.status_code == 302
    assert response.url.startswith(reverse("creators:login") + "?next=")
    if name in {"comment_post", "comment_delete", "comment_remove"}:
        # Back to the comments after logging in, not to a URL that only takes POST.
        next_url = parse_qs(urlsplit(response.url).query)["next"]
        assert next_url == [bobs_comment.story.get_absolute_url() + "#comments"]
    assert Comment.objects.count() == 1 and not CommentReport.objects.exists()
    assert Comment.objects.get().status == Status.VISIBLE


@pytest.mark.parametrize("name", ["comment_post", "comment_delete", "comment_remove"])
def test_get_is_not_allowed_on_a_post_only_action(client, alice, bob, carol, bobs_comment, name):
    login(client, allowed_user(name, alice=alice, bob=bob, carol=carol))
    assert client.get(action_url(name, bobs_comment)).status_code == 405
    assert Comment.objects.get().status == Status.VISIBLE


@pytest.mark.parametrize("name", ["comment_edit", "comment_report"])
def test_get_shows_the_form_page_and_changes_nothing(client, alice, bob, carol, bobs_comment, name):
    login(client, allowed_user(name, alice=alice, bob=bob, carol=carol))
    response = client.get(action_url(name, bobs_comment))
    assert response.status_code == 200
    assert "<textarea" in response.content.decode()
    bobs_comment.refresh_from_db()
    assert bobs_comment.body == "Bob was here." and not CommentReport.objects.exists()


@pytest.mark.parametrize(
    ("name", "wrong"),
    [
        ("comment_edit", "alice"),  # the story's creator does not edit readers' words
        ("comment_edit", "carol"),
        ("comment_delete", "alice"),
        ("comment_delete", "carol"),
        ("comment_remove", "bob"),  # the author deletes; removing is the creator's
        ("comment_remove", "carol"),
        ("comment_report", "bob"),  # one's own comment
    ],
)
def test_the_wrong_user_gets_not_found(client, alice, bob, carol, bobs_comment, name, wrong):
    login(client, {"alice": alice, "bob": bob, "carol": carol}[wrong])
    url = action_url(name, bobs_comment)
    assert client.post(url, ACTIONS[name][2]).status_code == 404
    if name in {"comment_edit", "comment_report"}:
        assert client.get(url).status_code == 404
    bobs_comment.refresh_from_db()
    assert bobs_comment.status == Status.VISIBLE and bobs_comment.body == "Bob was here."
    assert not CommentReport.objects.exists()


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize(
    "status", [Story.Status.DRAFT, Story.Status.SUBMITTED, Story.Status.CHANGES_REQUESTED]
)
def test_a_story_that_is_not_public_is_not_found(
    client, alice, bob, carol, bobs_comment, name, status
):
    Story.objects.filter(pk=bobs_comment.story_id).update(status=status)
    login(client, allowed_user(name, alice=alice, bob=bob, carol=carol))
    assert client.post(action_url(name, bobs_comment), ACTIONS[name][2]).status_code == 404
    assert Comment.objects.count() == 1 and not CommentReport.objects.exists()


@pytest.mark.parametrize("name", ACTIONS)
def test_unknown_ids_are_not_found(client, carol, comment_story, name):
    login(client, carol)
    key = "story_id" if ACTIONS[name][0] == "story" else "pk"
    url = reverse(f"comments:{name}", kwargs={key: 987_654})
    assert client.post(url, ACTIONS[name][2]).status_code == 404


def test_a_suspended_account_cannot_post_even_with_a_session(client, comment_story):
    mallory = make_user("mallory")
    login(client, mallory)
    mallory.is_active = False
    mallory.save()
    url = reverse("comments:comment_post", args=[comment_story.pk])
    response = client.post(url, {"body": "Still here?"})
    # Django signs a deactivated account out: the session no longer authenticates.
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not Comment.objects.exists()


# --- posting ------------------------------------------------------------------------------


def test_a_reader_posts_and_lands_on_the_comment_with_a_message(client, bob, comment_story):
    login(client, bob)
    response = client.post(
        reverse("comments:comment_post", args=[comment_story.pk]), {"body": "Lovely piece."}
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response.url == f"{comment_story.get_absolute_url()}#comment-{comment.pk}"
    page = client.get(response.url)
    assert "Your comment is posted." in messages_of(page)
    assert f'id="comment-{comment.pk}"' in page.content.decode()


def test_a_reply_is_posted_under_its_comment(client, alice, bobs_comment):
    login(client, alice)
    response = client.post(
        reverse("comments:comment_post", args=[bobs_comment.story_id]),
        {"body": "Thank you, Bob.", "parent": bobs_comment.pk},
    )
    reply = Comment.objects.get(parent=bobs_comment)
    assert response.url.endswith(f"#comment-{reply.pk}")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Write something before posting."),
        ("   \r\n  ", "Write something before posting."),
        ("é" * (MAX_COMMENT_CHARS + 1), "Comments can be at most 5000 characters long"),
    ],
)
def test_empty_or_over_long_text_comes_back_with_the_error_and_the_text(
    client, bob, comment_story, body, error
):
    login(client, bob)
    response = client.post(
        reverse("comments:comment_post", args=[comment_story.pk]), {"body": body}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    assert "Your comment was not posted" in html
    if body.strip():
        assert body in html  # every character they typed is still in the form
    assert not Comment.objects.exists()


def test_a_reply_to_a_removed_comment_keeps_the_text_and_says_why(client, alice, bobs_comment):
    bobs_comment.status = Status.HIDDEN
    bobs_comment.save()
    login(client, alice)
    response = client.post(
        reverse("comments:comment_post", args=[bobs_comment.story_id]),
        {"body": "My careful answer", "parent": bobs_comment.pk},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "no longer available" in html and "My careful answer" in html
    assert f'name="parent" value="{bobs_comment.pk}"' in html


def test_a_malformed_parent_is_a_form_error_not_a_500(client, bob, comment_story):
    login(client, bob)
    response = client.post(
        reverse("comments:comment_post", args=[comment_story.pk]),
        {"body": "Kept", "parent": "not-a-number"},
    )
    assert response.status_code == 400 and "Kept" in response.content.decode()


def test_posting_too_fast_is_a_429_with_the_message_and_the_text(client, bob, comment_story):
    login(client, bob)
    url = reverse("comments:comment_post", args=[comment_story.pk])
    for i in range(5):
        assert client.post(url, {"body": f"Comment {i}"}).status_code == 302
    response = client.post(url, {"body": "The sixth, carefully typed"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "You’re commenting faster than we allow; please try again in a minute." in html
    assert "The sixth, carefully typed" in html
    assert Comment.objects.count() == 5


def test_a_script_in_a_comment_is_shown_as_text(client, bob, comment_story):
    login(client, bob)
    client.post(
        reverse("comments:comment_post", args=[comment_story.pk]),
        {"body": '<script>alert("x")</script><img src=x onerror=alert(1)> https://example.com'},
    )
    html = Client().get(comment_story.get_absolute_url()).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert '&lt;script&gt;alert("x")&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;' in html
    assert '<a href="https://example.com" rel="nofollow noopener ugc">' in html


# --- editing ------------------------------------------------------------------------------


def test_the_author_edits_and_the_page_says_edited(client, bob, bobs_comment):
    login(client, bob)
    response = client.post(
        reverse("comments:comment_edit", args=[bobs_comment.pk]), {"body": "Bob was here, twice."}
    )
    assert response.url.endswith(f"#comment-{bobs_comment.pk}")
    html = client.get(response.url).content.decode()
    assert "Bob was here, twice." in html and 'class="comment__edited"' in html


def test_a_refused_edit_keeps_the_text_on_the_edit_page(client, bob, bobs_comment):
    login(client, bob)
    too_long = "y" * (MAX_COMMENT_CHARS + 10)
    response = client.post(
        reverse("comments:comment_edit", args=[bobs_comment.pk]), {"body": too_long}
    )
    assert response.status_code == 400
    assert too_long in response.content.decode()
    bobs_comment.refresh_from_db()
    assert bobs_comment.body == "Bob was here." and bobs_comment.edited_at is None


@pytest.mark.parametrize("status", [Status.HIDDEN, Status.REMOVED, Status.DELETED])
def test_a_comment_that_is_not_shown_cannot_be_edited(client, bob, bobs_comment, status):
    bobs_comment.status = status
    bobs_comment.save()
    login(client, bob)
    url = reverse("comments:comment_edit", args=[bobs_comment.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"body": "Back again"}).status_code == 404


# --- deleting and removing ----------------------------------------------------------------


def test_the_author_deletes_and_a_second_click_is_harmless(client, bob, bobs_comment):
    login(client, bob)
    url = reverse("comments:comment_delete", args=[bobs_comment.pk])
    first = client.post(url, follow=True)
    assert "Your comment is deleted." in messages_of(first)
    assert "Bob was here." not in first.content.decode()
    second = client.post(url, follow=True)
    assert second.status_code == 200
    assert "That comment was already taken down." in messages_of(second)
    bobs_comment.refresh_from_db()
    assert bobs_comment.status == Status.DELETED


def test_the_storys_creator_removes_a_comment(client, alice, bobs_comment):
    login(client, alice)
    response = client.post(reverse("comments:comment_remove", args=[bobs_comment.pk]))
    assert response.url == f"{bobs_comment.story.get_absolute_url()}#comments"
    bobs_comment.refresh_from_db()
    assert bobs_comment.status == Status.REMOVED and bobs_comment.moderated_by == alice
    assert (
        client.post(reverse("comments:comment_remove", args=[bobs_comment.pk])).status_code == 302
    )


def test_a_creator_cannot_remove_comments_on_someone_elses_story(client, bob, carol, lifehack):
    carols_story = make_story(creator=carol, community=lifehack)
    comment = make_comment(story=carols_story, author=bob)
    login(client, make_user("dave"))  # a creator of nothing here
    assert client.post(reverse("comments:comment_remove", args=[comment.pk])).status_code == 404


# --- reporting ----------------------------------------------------------------------------


def test_a_reader_reports_a_comment_and_reporting_twice_is_harmless(client, carol, bobs_comment):
    login(client, carol)
    url = reverse("comments:comment_report", args=[bobs_comment.pk])
    first = client.post(url, {"reason": "Off topic"}, follow=True)
    assert "Thank you for your report. Our moderators will look at it." in messages_of(first)
    second = client.post(url, {"reason": "Still off topic"}, follow=True)
    assert second.status_code == 200
    assert "You have already reported this comment" in messages_of(second)[0]
    report = CommentReport.objects.get()
    assert (report.reporter, report.reason) == (carol, "Off topic")
    assert "You have already reported this comment" in client.get(url).content.decode()


def test_a_report_without_a_reason_comes_back_with_the_error(client, carol, bobs_comment):
    login(client, carol)
    response = client.post(
        reverse("comments:comment_report", args=[bobs_comment.pk]), {"reason": "  "}
    )
    assert response.status_code == 400
    assert "Tell us briefly what is wrong with this comment." in response.content.decode()
    assert not CommentReport.objects.exists()


def test_a_hidden_comment_cannot_be_reported(client, carol, bobs_comment):
    bobs_comment.status = Status.HIDDEN
    bobs_comment.save()
    login(client, carol)
    url = reverse("comments:comment_report", args=[bobs_comment.pk])
    assert client.post(url, {"reason": "Spam"}).status_code == 404
