"""comments.services: who may do what to a comment, the limits, and who hears about it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from comments import emails
from comments.models import MAX_COMMENT_CHARS, Comment, CommentReport
from comments.services import (
    comment_create,
    comment_delete,
    comment_edit,
    comment_moderate,
    comment_remove,
    comment_report,
    report_resolve,
)
from core import jobs as core_jobs
from core import ratelimit
from core.ratelimit import RateLimited
from stories.models import Story
from tests.comments.conftest import make_comment
from tests.conftest import make_story, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("comment_cache")]
Status = Comment.Status


# --- posting ------------------------------------------------------------------------------


def test_a_reader_posts_a_comment_stored_as_typed_and_shown_as_safe_html(comment_story, bob):
    comment = comment_create(
        story=comment_story,
        author=bob,
        body="  Lovely.\r\nSee https://example.com/tomatoes <script>alert(1)</script>  ",
    )
    assert comment.body == "Lovely.\nSee https://example.com/tomatoes <script>alert(1)</script>"
    assert comment.status == Status.VISIBLE and comment.parent is None
    assert "<script>" not in comment.body_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in comment.body_html
    assert '<a href="https://example.com/tomatoes" rel="nofollow noopener ugc">' in (
        comment.body_html
    )


@pytest.mark.parametrize("body", ["", "   ", "\r\n\t "])
def test_empty_text_is_refused(comment_story, bob, body):
    with pytest.raises(ValidationError) as error:
        comment_create(story=comment_story, author=bob, body=body)
    assert error.value.code == "empty"
    assert not Comment.objects.exists()


def test_text_over_the_limit_is_refused_but_line_breaks_count_once(comment_story, bob):
    with pytest.raises(ValidationError) as error:
        comment_create(story=comment_story, author=bob, body="x" * (MAX_COMMENT_CHARS + 1))
    assert error.value.code == "too_long"
    # What the browser's maxlength let through: each line break is one character there.
    lines = "a\r\n" * 2000 + "end"
    assert len(lines) > MAX_COMMENT_CHARS
    comment = comment_create(story=comment_story, author=bob, body=lines)
    assert len(comment.body) == 4003


@pytest.mark.parametrize(
    "status", [Story.Status.DRAFT, Story.Status.SUBMITTED, Story.Status.CHANGES_REQUESTED]
)
def test_no_comments_on_a_story_that_is_not_public(alice, bob, lifehack, status):
    draft = make_story(creator=alice, community=lifehack, status=status)
    with pytest.raises(ValidationError) as error:
        comment_create(story=draft, author=bob, body="First!")
    assert error.value.code == "not_public"


def test_a_suspended_account_cannot_comment(comment_story):
    mallory = make_user("mallory", is_active=False)
    with pytest.raises(ValidationError) as error:
        comment_create(story=comment_story, author=mallory, body="Hello")
    assert error.value.code == "suspended"


def test_a_reply_goes_under_the_comment_it_answers(comment_story, alice, bob):
    top = comment_create(story=comment_story, author=bob, body="Question?")
    reply = comment_create(story=comment_story, author=alice, body="Answer.", parent_id=top.pk)
    assert reply.parent == top


def test_an_answer_to_a_reply_joins_the_same_thread_one_level_deep(comment_story, alice, bob):
    top = comment_create(story=comment_story, author=bob, body="Question?")
    reply = comment_create(story=comment_story, author=alice, body="Answer.", parent_id=top.pk)
    again = comment_create(story=comment_story, author=bob, body="Thanks!", parent_id=reply.pk)
    assert again.parent == top


def test_a_reply_to_a_comment_that_is_gone_or_elsewhere_is_refused(
    comment_story, alice, bob, lifehack
):
    other_story = make_story(creator=alice, community=lifehack)
    elsewhere = make_comment(story=other_story, author=alice)
    hidden = make_comment(story=comment_story, author=alice, status=Status.HIDDEN)
    mallory = make_user("mallory")
    suspended = make_comment(story=comment_story, author=mallory)
    mallory.is_active = False
    mallory.save()
    for parent_id in (elsewhere.pk, hidden.pk, suspended.pk, 999_999):
        with pytest.raises(ValidationError) as error:
            comment_create(story=comment_story, author=bob, body="Hm", parent_id=parent_id)
        assert error.value.code == "parent_gone"


# --- rate limit ---------------------------------------------------------------------------


def test_more_than_five_comments_a_minute_are_refused_with_a_clear_message(comment_story, bob):
    for i in range(5):
        comment_create(story=comment_story, author=bob, body=f"Comment {i}")
    with pytest.raises(RateLimited) as error:
        comment_create(story=comment_story, author=bob, body="One too many")
    assert error.value.messages == [
        "You’re commenting faster than we allow; please try again in a minute."
    ]
    assert Comment.objects.count() == 5
    # The limit is per account: someone else still may.
    comment_create(story=comment_story, author=make_user(), body="Me too")


def test_the_daily_limit_holds_across_minutes(comment_story, bob, monkeypatch):
    clock = [1_000_000_000.0]  # 01:46:40 UTC, so fifty-one minutes stay within the day
    monkeypatch.setattr(ratelimit, "clock", lambda: clock[0])
    for i in range(50):
        clock[0] += 61  # a new minute each time, so only the daily limit counts
        comment_create(story=comment_story, author=bob, body=f"Comment {i}")
    clock[0] += 61
    with pytest.raises(RateLimited) as error:
        comment_create(story=comment_story, author=bob, body="Fifty-first")
    assert "please try again in 22 hours" in error.value.messages[0]  # the day ends at 24:00 UTC


def test_refused_text_does_not_use_up_the_limit(comment_story, bob):
    for _ in range(10):
        with pytest.raises(ValidationError):
            comment_create(story=comment_story, author=bob, body=" ")
    for i in range(5):
        comment_create(story=comment_story, author=bob, body=f"Comment {i}")


# --- edit, delete, remove -----------------------------------------------------------------


def test_the_author_edits_and_the_comment_is_marked_edited(comment_story, bob):
    comment = make_comment(story=comment_story, author=bob, body="Teh tomatoes")
    comment_edit(comment=comment, editor=bob, body="The tomatoes")
    comment.refresh_from_db()
    assert comment.body == "The tomatoes" and "The tomatoes" in comment.body_html
    assert comment.edited_at is not None


def test_saving_the_same_text_is_not_an_edit(comment_story, bob):
    comment = make_comment(story=comment_story, author=bob, body="Same")
    comment_edit(comment=comment, editor=bob, body=" Same ")
    comment.refresh_from_db()
    assert comment.edited_at is None


def test_nobody_else_edits_a_comment_and_a_hidden_one_cannot_be_edited(comment_story, alice, bob):
    comment = make_comment(story=comment_story, author=bob, body="Mine")
    with pytest.raises(ValidationError):
        comment_edit(comment=comment, editor=alice, body="Hijacked")
    comment.status = Status.HIDDEN
    comment.save()
    with pytest.raises(ValidationError):
        comment_edit(comment=comment, editor=bob, body="Sneaky fix")
    comment.refresh_from_db()
    assert comment.body == "Mine"
    with pytest.raises(ValidationError):
        comment_edit(comment=make_comment(story=comment_story, author=bob), editor=bob, body="")


def test_delete_is_the_authors_alone_and_twice_is_harmless(comment_story, alice, bob):
    comment = make_comment(story=comment_story, author=bob)
    with pytest.raises(ValidationError):
        comment_delete(comment=comment, actor=alice)
    assert comment_delete(comment=comment, actor=bob) is True
    assert comment_delete(comment=comment, actor=bob) is False
    comment.refresh_from_db()
    assert comment.status == Status.DELETED
    assert comment.moderated_by is None


def test_the_storys_creator_removes_a_comment_on_it_recorded(comment_story, alice, bob):
    comment = make_comment(story=comment_story, author=bob)
    with pytest.raises(ValidationError):
        comment_remove(comment=comment, actor=bob)
    assert comment_remove(comment=comment, actor=alice) is True
    assert comment_remove(comment=comment, actor=alice) is False
    comment.refresh_from_db()
    assert comment.status == Status.REMOVED
    assert comment.moderated_by == alice and comment.moderated_at is not None


# --- reports and moderation ---------------------------------------------------------------


def test_reporting_twice_is_harmless(comment_story, alice, bob):
    comment = make_comment(story=comment_story, author=alice)
    report, created = comment_report(comment=comment, reporter=bob, reason="Spam")
    assert created and report.reason == "Spam"
    again, created = comment_report(comment=comment, reporter=bob, reason="Really spam")
    assert not created and again.pk == report.pk and again.reason == "Spam"
    assert CommentReport.objects.count() == 1


def test_a_report_needs_a_reason_and_not_ones_own_comment(comment_story, alice, bob):
    comment = make_comment(story=comment_story, author=alice)
    with pytest.raises(ValidationError):
        comment_report(comment=comment, reporter=bob, reason="  ")
    with pytest.raises(ValidationError):
        comment_report(comment=comment, reporter=bob, reason="x" * 1001)
    with pytest.raises(ValidationError):
        comment_report(comment=comment, reporter=alice, reason="I regret it")
    assert not CommentReport.objects.exists()


def test_staff_hide_remove_and_restore_in_bulk_recording_who(comment_story, alice, bob, sam):
    first = make_comment(story=comment_story, author=bob)
    second = make_comment(story=comment_story, author=bob)
    deleted = make_comment(story=comment_story, author=bob, status=Status.DELETED)
    comment_report(comment=first, reporter=alice, reason="Rude")
    everything = Comment.objects.all()
    assert comment_moderate(comments=everything, status=Status.HIDDEN, actor=sam) == 2
    first.refresh_from_db()
    assert first.status == Status.HIDDEN and first.moderated_by == sam
    assert first.moderated_at is not None
    # Hiding answered the report.
    report = CommentReport.objects.get()
    assert report.resolved_by == sam and report.resolved_at is not None
    # An author's deletion stands.
    deleted.refresh_from_db()
    assert deleted.status == Status.DELETED
    assert comment_moderate(comments=[second], status=Status.REMOVED, actor=sam) == 1
    assert comment_moderate(comments=everything, status=Status.VISIBLE, actor=sam) == 2
    assert set(Comment.objects.values_list("status", flat=True)) == {
        Status.VISIBLE,
        Status.DELETED,
    }


def test_resolving_counts_only_open_reports(comment_story, alice, bob, sam):
    comment = make_comment(story=comment_story, author=alice)
    comment_report(comment=comment, reporter=bob, reason="Spam")
    assert report_resolve(reports=CommentReport.objects.all(), actor=sam) == 1
    assert report_resolve(reports=CommentReport.objects.all(), actor=sam) == 0


# --- notifications ------------------------------------------------------------------------


@pytest.fixture
def emails_on(alice, bob):
    for person in (alice, bob):
        person.email = f"{person.username}@example.com"
        person.save()


@pytest.mark.usefixtures("emails_on")
def test_the_creator_hears_of_a_new_comment_with_a_link_to_it(
    comment_story, bob, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://byline.example"
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_create(story=comment_story, author=bob, body="Great read")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert message.subject == "Bob Reader commented on “Tomatoes in August”"
    assert "Great read" in message.body
    assert f"https://byline.example{comment_story.get_absolute_url()}#comment-{comment.pk}" in (
        message.body
    )
    assert "https://byline.example/settings/#emails" in message.body
    # The job run again (a retry, a second worker) sends nothing more.
    emails.send_new_comment.call(comment_id=comment.pk)
    assert len(mail.outbox) == 1


@pytest.mark.usefixtures("emails_on")
def test_a_commenter_hears_of_a_reply_and_the_creator_of_neither_own_nor_replies(
    comment_story, alice, bob, django_capture_on_commit_callbacks
):
    top = make_comment(story=comment_story, author=bob)
    with django_capture_on_commit_callbacks(execute=True):
        reply = comment_create(
            story=comment_story, author=alice, body="Thanks, Bob", parent_id=top.pk
        )
        comment_create(story=comment_story, author=alice, body="My own note")
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]
    emails.send_reply.call(comment_id=reply.pk)  # run again: nothing more
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Alice Walker replied to your comment on “Tomatoes in August”"
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(story=comment_story, author=bob, body="Replying to myself", parent_id=top.pk)
    assert len(mail.outbox) == 1


@pytest.mark.usefixtures("emails_on")
def test_no_email_for_those_who_turned_it_off(
    comment_story, alice, bob, django_capture_on_commit_callbacks
):
    alice.email_story_activity = False
    alice.save()
    bob.email_comment_replies = False
    bob.save()
    top = make_comment(story=comment_story, author=bob)
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(story=comment_story, author=bob, body="New thought")
        comment_create(story=comment_story, author=alice, body="Reply", parent_id=top.pk)
    assert mail.outbox == []


def test_no_email_without_an_address_or_once_the_comment_is_hidden(
    comment_story, alice, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(story=comment_story, author=bob, body="Nobody is told")
    assert mail.outbox == []
    alice.email = "alice@example.com"
    alice.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        comment = comment_create(story=comment_story, author=bob, body="Spam spam")
    Comment.objects.filter(pk=comment.pk).update(status=Status.HIDDEN)
    for callback in callbacks:
        callback()
    assert mail.outbox == []


def test_posting_hands_exactly_one_job_to_the_task_seam(
    comment_story, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        comment_create(story=comment_story, author=bob, body="Queued")
    # The page cache stamps the story again after the commit too (core/pagecache.py);
    # what is counted here is the jobs.
    queued = [c.args[0] for c in callbacks if getattr(c, "func", None) is core_jobs._send]
    assert queued == [emails.send_new_comment]
