"""A reader comments on a published story and answers the comment, on a phone and a desk."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from comments.models import Comment
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, screenshot
from tests.conftest import make_community, make_story, make_user

READER_PASSWORD = "reader-password-1234"


@pytest.fixture
def story_site(transactional_db, live_server):
    cache.clear()  # rate-limit counters from earlier tests in this process
    creator = make_user("amelia", display_name="Amelia Wilson")
    make_user("ruth", display_name="Ruth Reader", password=READER_PASSWORD)
    story = make_story(
        creator=creator,
        community=make_community("Lifehack"),
        title="Slow Mornings",
        body="<p>Wake up early and drink a glass of water before anything else.</p>",
    )
    yield live_server, story
    cache.clear()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_reader_posts_a_comment_and_a_reply_and_sees_both(story_site, page_at, viewport):
    server, story = story_site
    width = viewport["width"]
    page = page_at(viewport)

    # Anonymous: the empty card and an invitation to log in that comes back to the comments.
    page.goto(server.url + story.get_absolute_url())
    comments = page.locator('[data-block="comments"]')
    assert comments.get_by_role("heading", name="Comments").is_visible()
    assert comments.get_by_text("There are no comments for this story").is_visible()
    assert comments.get_by_text("Be the first to respond and start the conversation.").is_visible()
    screenshot(page, f"comments-empty-{width}")
    assert_accessible(page)
    comments.get_by_role("link", name="Log in to comment").click()
    page.get_by_label("Username").fill("ruth")
    page.get_by_label("Password").fill(READER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{story.get_absolute_url()}#comments")

    # A comment, with a link in it.
    page.get_by_label("Add a comment").fill("I tried this for a week: https://example.com/water")
    page.get_by_role("button", name="Post comment").click()
    comment = comments.locator("article.comment").first
    comment.wait_for()
    assert "Your comment is posted." in page.locator(".messages").inner_text()
    assert "I tried this for a week" in comment.inner_text()
    assert comment.get_by_role("link", name="https://example.com/water").is_visible()
    assert comment.get_by_role("link", name="Ruth Reader").get_attribute("href") == (
        "/authors/ruth/"
    )
    assert comment.locator("time").get_attribute("title")
    assert comment.locator("time").inner_text() == "just now"

    # A reply to it, through the Reply button (no JavaScript involved).
    comment.get_by_text("Reply", exact=True).click()
    comment.get_by_label("Reply to Ruth Reader").fill("And a second week, even better.")
    comment.get_by_role("button", name="Post reply").click()
    page.wait_for_url("**#comment-*")
    reply = comments.locator(".comment-replies article.comment")
    reply.wait_for()
    assert "Your reply is posted." in page.locator(".messages").inner_text()
    assert "And a second week, even better." in reply.inner_text()

    # Both are there, the reply under the comment it answers.
    top, answer = Comment.objects.order_by("pk")
    assert answer.parent_id == top.pk
    thread = comments.locator(".comment-thread")
    assert thread.count() == 1
    assert thread.locator(f"#comment-{top.pk}").is_visible()
    assert thread.locator(f"#comment-{answer.pk}").is_visible()
    top_box = thread.locator(f"#comment-{top.pk}").bounding_box()
    reply_box = thread.locator(f"#comment-{answer.pk}").bounding_box()
    assert reply_box["y"] > top_box["y"]
    assert reply_box["x"] > top_box["x"]  # indented under it
    assert not comments.get_by_text("There are no comments for this story").count()
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # The edit form opens in place; the page stays accessible with it open.
    comment.get_by_text("Edit", exact=True).click()
    assert comment.get_by_label("Edit your comment").input_value().startswith("I tried this")
    comments.scroll_into_view_if_needed()
    screenshot(page, f"comments-thread-{width}")
    assert_accessible(page)
