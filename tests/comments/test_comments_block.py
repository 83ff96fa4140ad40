"""The story page's "Comments" block: what each reader sees, in what order, in constant queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import RequestContext, Template
from django.test import Client, RequestFactory
from django.utils import timezone

from comments.models import Comment
from comments.selectors import COMMENTS_PER_PAGE
from core.sanitizer import clean_text
from stories.models import Story
from tests.comments.conftest import make_comment
from tests.conftest import make_story, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("comment_cache")]
Status = Comment.Status


def block_of(html: str) -> str:
    """The comments card alone, so other blocks' words never make a test pass."""
    match = re.search(r'<section class="card comments".*?</section>', html, re.S)
    assert match, "no comments block on the page"
    return match.group(0)


def comments_block(client: Client, story: Story, query: str = "") -> str:
    response = client.get(story.get_absolute_url() + query)
    assert response.status_code == 200
    return block_of(response.content.decode())


def ids_in_order(block: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="comment-(\d+)"', block)]


# --- what readers see -----------------------------------------------------------------------


def test_no_comments_yet_says_so_and_invites_anonymous_readers_to_log_in(client, comment_story):
    block = comments_block(client, comment_story)
    assert 'data-block="comments"' in block and 'aria-labelledby="comments-title"' in block
    assert '<h2 id="comments-title">Comments</h2>' in block
    assert "There are no comments for this story" in block
    assert "Be the first to respond and start the conversation." in block
    assert "Log in to comment" in block
    next_url = comment_story.get_absolute_url().replace("/", "%2F") + "%23comments"
    assert f'href="/accounts/login/?next={next_url}"' in block
    assert "<textarea" not in block and "<form" not in block


def test_a_signed_in_reader_gets_a_labelled_form_with_limits(client, bob, comment_story):
    client.force_login(bob)
    block = comments_block(client, comment_story)
    assert '<label for="comment-new">Add a comment</label>' in block
    assert re.search(
        r'<textarea id="comment-new" name="body"[^>]* maxlength="5000" required', block
    )
    assert "csrfmiddlewaretoken" in block
    assert "Log in to comment" not in block


def test_a_comment_shows_its_author_avatar_time_and_edited_mark(client, bob, comment_story):
    comment = make_comment(
        story=comment_story,
        author=bob,
        body="Planted mine in May.",
        ago=timedelta(hours=3),
        edited_at=timezone.now(),
    )
    block = comments_block(client, comment_story)
    assert f'<article class="comment" id="comment-{comment.pk}">' in block
    assert '<a class="comment__author" href="/authors/bob/">Bob Reader</a>' in block
    assert 'class="avatar avatar--sm avatar--initials"' in block and ">BR<" in block
    assert f'datetime="{comment.created_at.isoformat()}"' in block
    assert re.search(r'<time datetime="[^"]+" title="\d{1,2} \w+ \d{4}, \d\d:\d\d UTC">', block)
    assert "about 3 hours ago</time>" in block
    assert ">edited</span>" in block
    assert "<p>Planted mine in May.</p>" in block


def test_newest_first_by_default_and_oldest_first_on_request(client, bob, comment_story):
    old = make_comment(story=comment_story, author=bob, ago=timedelta(days=2))
    new = make_comment(story=comment_story, author=bob, ago=timedelta(hours=1))
    middle = make_comment(story=comment_story, author=bob, ago=timedelta(days=1))
    assert ids_in_order(comments_block(client, comment_story)) == [new.pk, middle.pk, old.pk]
    oldest = comments_block(client, comment_story, "?comments=oldest")
    assert ids_in_order(oldest) == [old.pk, middle.pk, new.pk]
    assert '<strong aria-current="true">Oldest first</strong>' in oldest


def test_replies_sit_under_the_comment_they_answer_oldest_first(client, alice, bob, comment_story):
    first = make_comment(story=comment_story, author=bob, ago=timedelta(days=3))
    second = make_comment(story=comment_story, author=bob, ago=timedelta(days=2))
    late = make_comment(story=comment_story, author=alice, parent=first, ago=timedelta(hours=1))
    early = make_comment(story=comment_story, author=alice, parent=first, ago=timedelta(days=1))
    block = comments_block(client, comment_story)
    assert ids_in_order(block) == [second.pk, first.pk, early.pk, late.pk]
    thread = block[block.index(f'id="comment-{first.pk}"') :]
    assert thread.index('class="comment-replies"') < thread.index(f'id="comment-{early.pk}"')
    # The story's creator is marked as such.
    assert '<span class="comment__badge">Creator</span>' in thread


@pytest.mark.parametrize("status", [Status.HIDDEN, Status.REMOVED, Status.DELETED])
def test_a_comment_taken_down_leaves_a_placeholder_only_while_it_has_replies(
    client, alice, bob, comment_story, status
):
    with_replies = make_comment(story=comment_story, author=bob, body="Bad words", status=status)
    reply = make_comment(story=comment_story, author=alice, parent=with_replies, body="Calm down")
    alone = make_comment(story=comment_story, author=bob, body="More bad words", status=status)
    block = comments_block(client, comment_story)
    assert "Bad words" not in block and "More bad words" not in block
    assert f'id="comment-{alone.pk}"' not in block
    placeholder = re.search(
        rf'<article class="comment comment--removed" id="comment-{with_replies.pk}">\s*'
        r'<p class="comment__removed">Comment removed</p>',
        block,
    )
    assert placeholder, block
    assert "Calm down" in block and f'id="comment-{reply.pk}"' in block
    # Nobody can reply to what is gone.
    assert f'value="{with_replies.pk}"' not in block


def test_hidden_replies_disappear_and_staff_changes_show_at_once(client, alice, bob, comment_story):
    top = make_comment(story=comment_story, author=bob, body="Good point")
    reply = make_comment(story=comment_story, author=alice, parent=top, body="Spammy reply")
    assert "Spammy reply" in comments_block(client, comment_story)
    Comment.objects.filter(pk=reply.pk).update(status=Status.HIDDEN)
    block = comments_block(client, comment_story)
    assert "Spammy reply" not in block and "Good point" in block
    Comment.objects.filter(pk=reply.pk).update(status=Status.VISIBLE)
    assert "Spammy reply" in comments_block(client, comment_story)


def test_a_suspended_accounts_comments_are_not_shown(client, alice, bob, comment_story):
    mallory = make_user("mallory", display_name="Mallory")
    top = make_comment(story=comment_story, author=mallory, body="Buy pills")
    make_comment(story=comment_story, author=mallory, parent=top, body="More pills")
    bobs = make_comment(story=comment_story, author=bob, body="Nice")
    make_comment(story=comment_story, author=mallory, parent=bobs, body="Pills here")
    answer = make_comment(story=comment_story, author=alice, parent=top, body="Reported you")
    mallory.is_active = False
    mallory.save()
    block = comments_block(client, comment_story)
    assert "pills" not in block.lower() and "Mallory" not in block
    assert "Comment removed" in block  # mallory's comment, kept for alice's answer
    assert f'id="comment-{answer.pk}"' in block and "Nice" in block


def test_a_script_typed_into_a_comment_is_inert(client, bob, comment_story):
    make_comment(story=comment_story, author=bob, body="<script>alert(document.cookie)</script>")
    block = comments_block(client, comment_story)
    assert "<script" not in block
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in block


# --- what each signed-in reader may do ------------------------------------------------------


def test_each_reader_sees_only_the_controls_they_may_use(client, alice, bob, comment_story):
    comment = make_comment(story=comment_story, author=bob)
    carol = make_user("carol")
    urls = {
        "edit": f"/comments/{comment.pk}/edit/",
        "delete": f"/comments/{comment.pk}/delete/",
        "remove": f"/comments/{comment.pk}/remove/",
        "report": f"/comments/{comment.pk}/report/",
    }
    expected = {
        None: set(),
        bob: {"edit", "delete"},
        alice: {"remove", "report"},
        carol: {"report"},
    }
    for viewer, allowed in expected.items():
        viewer_client = Client()
        if viewer:
            viewer_client.force_login(viewer)
        block = comments_block(viewer_client, comment_story)
        shown = {name for name, url in urls.items() if url in block}
        assert shown == allowed, viewer
        assert ('name="parent"' in block) is bool(viewer)


# --- where there is no block ----------------------------------------------------------------


@pytest.mark.parametrize("status", [Story.Status.DRAFT, Story.Status.SUBMITTED])
def test_a_story_readers_cannot_see_has_no_comments_block(client, alice, lifehack, status):
    story = make_story(creator=alice, community=lifehack, status=status)
    client.force_login(alice)
    html = client.get(story.get_absolute_url()).content.decode()
    assert 'data-block="comments"' not in html


def test_the_editors_preview_has_no_comments_block(client, alice, lifehack):
    story = make_story(creator=alice, community=lifehack, status=Story.Status.DRAFT)
    client.force_login(alice)
    response = client.get(f"/write/{story.pk}/preview/")
    assert response.status_code == 200
    assert 'data-block="comments"' not in response.content.decode()


# --- pages of comments ----------------------------------------------------------------------


def make_many(story: Story, author, n: int) -> list[Comment]:
    now = timezone.now()
    body_html = clean_text("Many words.")
    return Comment.objects.bulk_create(
        Comment(
            story=story,
            author=author,
            body="Many words.",
            body_html=body_html,
            created_at=now - timedelta(minutes=i + 1),
        )
        for i in range(n)
    )


def test_fifty_threads_a_page_with_a_link_to_more(client, bob, comment_story):
    made = make_many(comment_story, bob, COMMENTS_PER_PAGE + 3)  # newest first already
    first = comments_block(client, comment_story, "?comments=oldest")
    assert len(ids_in_order(first)) == COMMENTS_PER_PAGE
    assert ids_in_order(first)[0] == made[-1].pk
    more = re.search(r'<a rel="next" href="([^"]+)">More comments →</a>', first)
    assert more and more.group(1) == "?comments=oldest&amp;comments_page=2#comments"
    second = comments_block(client, comment_story, "?comments=oldest&comments_page=2")
    assert ids_in_order(second) == [c.pk for c in reversed(made[:3])]
    assert "More comments" not in second and 'rel="prev"' in second


@pytest.mark.parametrize("raw", ["abc", "0", "-2", "1e3", "99999999999999999999999"])
def test_a_malformed_comments_page_shows_the_first(client, bob, comment_story, raw):
    comment = make_comment(story=comment_story, author=bob)
    assert ids_in_order(comments_block(client, comment_story, f"?comments_page={raw}")) == [
        comment.pk
    ]


def test_a_page_past_the_end_says_there_are_no_more(client, bob, comment_story):
    make_comment(story=comment_story, author=bob)
    block = comments_block(client, comment_story, "?comments_page=7")
    assert "There are no more comments." in block
    assert "There are no comments for this story" not in block


# --- constant queries -----------------------------------------------------------------------


def fill(story: Story, n: int, creator) -> None:
    """`n` comments: a third of them replies, some hidden, some by a suspended account."""
    if not n:
        return
    readers = [make_user(f"reader{i}", display_name=f"Reader {i}") for i in range(8)]
    suspended = make_user("gone", is_active=False)
    tops = make_many(story, readers[0], max(1, n * 2 // 3))
    now = timezone.now()
    replies = []
    for i in range(n - len(tops)):
        replies.append(
            Comment(
                story=story,
                author=[*readers, creator, suspended][i % 10],
                parent=tops[i % len(tops)],
                body="A reply.",
                body_html="<p>A reply.</p>",
                status=Status.HIDDEN if i % 7 == 0 else Status.VISIBLE,
                created_at=now - timedelta(seconds=i),
            )
        )
    Comment.objects.bulk_create(replies)
    Comment.objects.filter(pk__in=[c.pk for c in tops[::5]]).update(status=Status.REMOVED)
    Comment.objects.filter(pk__in=[c.pk for c in tops[1::9]]).update(author=suspended)


# The story page, anonymous: the story with its creator and community, its tags, the creator's
# social links (3); the support box's "does the creator take support?" (1); the insights card's
# ratings and qualities (2); the comments card's page of top-level comments with their authors,
# and their replies with their authors (2); Keep reading's two lists (2).
ANONYMOUS_QUERIES = 10
# Signed in adds the user, the support box's "do you subscribe?" and, since the creator takes
# support (on by default), "do you pledge?", and (issue 16) reactions' "do you like it, have you
# saved it?" in one (the session comes from the cache: SESSION_ENGINE
# cached_db).
SIGNED_IN_QUERIES = ANONYMOUS_QUERIES + 4


@pytest.mark.parametrize("n", [0, 10, 500])
def test_the_story_page_queries_do_not_grow_with_comments(
    client, alice, bob, comment_story, n, django_assert_num_queries
):
    fill(comment_story, n, alice)
    url = comment_story.get_absolute_url()
    with django_assert_num_queries(ANONYMOUS_QUERIES):
        html = client.get(url).content.decode()
    assert ("There are no comments for this story" in html) is (n == 0)
    client.force_login(bob)
    with django_assert_num_queries(SIGNED_IN_QUERIES):
        html = client.get(url + "?comments=oldest&comments_page=2").content.decode()
    assert 'data-block="comments"' in html


@pytest.mark.parametrize("n", [0, 10, 500])
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_the_comments_block_alone_takes_two_queries(
    alice, bob, comment_story, n, signed_in, django_assert_num_queries
):
    fill(comment_story, n, alice)
    request = RequestFactory().get(comment_story.get_absolute_url())
    request.user = bob if signed_in else AnonymousUser()
    template = Template("{% load comments_tags %}{% comments_block story %}")
    story = Story.objects.select_related("creator", "community").get(pk=comment_story.pk)
    with django_assert_num_queries(2):  # top-level comments + authors, replies + authors
        html = template.render(RequestContext(request, {"story": story}))
    assert ("There are no comments for this story" in html) is (n == 0)
