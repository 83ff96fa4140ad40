"""The comment admin as the moderators' tool: find, read reports, hide/remove/restore in bulk."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from comments.models import Comment, CommentReport
from tests.comments.conftest import make_comment
from tests.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("comment_cache")]
Status = Comment.Status
COMMENTS = reverse("admin:comments_comment_changelist")
REPORTS = reverse("admin:comments_commentreport_changelist")


@pytest.fixture
def moderator(db):
    return make_user("root", display_name="Root Moderator", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client: Client, moderator) -> Client:
    client.force_login(moderator)
    return client


@pytest.fixture
def reported(comment_story, alice, bob) -> Comment:
    comment = make_comment(story=comment_story, author=bob, body="Buy cheap watches now")
    CommentReport.objects.create(comment=comment, reporter=alice, reason="Spam, plainly")
    return comment


def act(client: Client, url: str, action: str, objects) -> object:
    return client.post(
        url,
        {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects]},
        follow=True,
    )


def test_the_lists_and_one_comments_page_load(staff_client, reported):
    html = staff_client.get(COMMENTS).content.decode()
    assert "Buy cheap watches now" in html and "1 (1 open)" in html
    page = staff_client.get(reverse("admin:comments_comment_change", args=[reported.pk]))
    assert page.status_code == 200 and "Spam, plainly" in page.content.decode()
    reports = staff_client.get(REPORTS).content.decode()
    assert "Spam, plainly" in reports
    assert reverse("admin:comments_comment_change", args=[reported.pk]) in reports
    report = CommentReport.objects.get()
    url = reverse("admin:comments_commentreport_change", args=[report.pk])
    assert staff_client.get(url).status_code == 200


def test_comments_cannot_be_added_or_rewritten_by_staff(staff_client, reported):
    assert staff_client.get(reverse("admin:comments_comment_add")).status_code == 403
    url = reverse("admin:comments_comment_change", args=[reported.pk])
    staff_client.post(url, {"body": "Staff words", "status": Status.VISIBLE})
    reported.refresh_from_db()
    assert reported.body == "Buy cheap watches now"


def test_search_and_filters_find_comments(staff_client, comment_story, alice, bob, reported):
    make_comment(story=comment_story, author=alice, body="A calm remark")
    for query in ("watches", "bob", "Tomatoes in August"):
        html = staff_client.get(COMMENTS, {"q": query}).content.decode()
        assert "Buy cheap watches now" in html, query
    html = staff_client.get(COMMENTS, {"q": "watches"}).content.decode()
    assert "A calm remark" not in html
    open_only = staff_client.get(COMMENTS, {"reports": "open"}).content.decode()
    assert "Buy cheap watches now" in open_only and "A calm remark" not in open_only
    none = staff_client.get(COMMENTS, {"reports": "none"}).content.decode()
    assert "A calm remark" in none and "Buy cheap watches now" not in none
    hidden = staff_client.get(COMMENTS, {"status__exact": "hidden"}).content.decode()
    assert "A calm remark" not in hidden


def test_hide_in_bulk_records_who_resolves_reports_and_shows_on_the_page_at_once(
    staff_client, moderator, comment_story, bob, reported
):
    other = make_comment(story=comment_story, author=bob, body="Another ad")
    assert (
        "Buy cheap watches now" in Client().get(comment_story.get_absolute_url()).content.decode()
    )
    response = act(staff_client, COMMENTS, "hide", [reported, other])
    assert "Hid 2 comments." in response.content.decode()
    for comment in (reported, other):
        comment.refresh_from_db()
        assert comment.status == Status.HIDDEN
        assert comment.moderated_by == moderator and comment.moderated_at is not None
    report = CommentReport.objects.get()
    assert report.resolved_by == moderator
    html = Client().get(comment_story.get_absolute_url()).content.decode()
    assert "Buy cheap watches now" not in html and "Another ad" not in html


def test_remove_then_restore_and_a_second_restore_is_reported(staff_client, reported):
    act(staff_client, COMMENTS, "remove", [reported])
    reported.refresh_from_db()
    assert reported.status == Status.REMOVED
    response = act(staff_client, COMMENTS, "restore", [reported])
    assert "Restored 1 comment." in response.content.decode()
    reported.refresh_from_db()
    assert reported.status == Status.VISIBLE
    again = act(staff_client, COMMENTS, "restore", [reported]).content.decode()
    assert "1 comment left as they were" in again


def test_staff_do_not_undo_an_authors_deletion(staff_client, comment_story, bob):
    deleted = make_comment(story=comment_story, author=bob, status=Status.DELETED)
    act(staff_client, COMMENTS, "restore", [deleted])
    deleted.refresh_from_db()
    assert deleted.status == Status.DELETED


def test_reports_are_resolved_or_acted_on_from_their_own_list(staff_client, moderator, reported):
    report = CommentReport.objects.get()
    response = act(staff_client, REPORTS, "mark_resolved", [report])
    assert "Marked 1 report resolved." in response.content.decode()
    report.refresh_from_db()
    assert report.resolved_by == moderator and report.resolved_at is not None
    open_reports = staff_client.get(REPORTS, {"resolved": "no"}).content.decode()
    assert "Spam, plainly" not in open_reports
    act(staff_client, REPORTS, "remove", [report])
    reported.refresh_from_db()
    assert reported.status == Status.REMOVED and reported.moderated_by == moderator


def test_a_staff_member_without_change_permission_gets_no_actions(comment_story, reported):
    viewer = make_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client = Client()
    client.force_login(viewer)
    response = act(client, COMMENTS, "hide", [reported])
    reported.refresh_from_db()
    assert reported.status == Status.VISIBLE
    assert response.status_code == 200
    assert "Hide selected comments" not in response.content.decode()


def test_the_comment_list_queries_do_not_grow(
    staff_client, comment_story, bob, alice, django_assert_max_num_queries
):
    for i in range(40):
        comment = make_comment(story=comment_story, author=bob, body=f"Comment {i}")
        CommentReport.objects.create(comment=comment, reporter=alice, reason="Hm")
    with django_assert_max_num_queries(12):
        staff_client.get(COMMENTS)
    with django_assert_max_num_queries(12):
        staff_client.get(REPORTS)
