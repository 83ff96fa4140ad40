"""Comment actions: post or reply, edit, delete, remove (the story's creator) and report.

Each changes state on POST only and then goes back to the story with a message. When the text
is refused (empty, too long, too fast: a 429) the reader gets a page with the form, the reason and
everything they typed, never a lost comment or a 500.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from comments import services
from comments.forms import CommentEditForm, CommentForm, ReportForm
from comments.models import Comment, CommentReport
from core import ratelimit
from core.client_ip import client_ip
from core.ratelimit import RateLimited
from stories.models import Story


def get_comment_or_404(request: HttpRequest, pk: int, *, role: str, shown: bool = False) -> Comment:
    """A comment on a published story that this reader may act on as `role`; else not found.

    role "author": the reader's own comment; "creator": any comment on the reader's story;
    "reader": someone else's comment; "any": any comment (to find its story for an anonymous
    reader). `shown` limits it to comments readers can see.
    """
    comments = (Comment.objects.shown() if shown else Comment.objects.all()).select_related(
        "author", "story__creator", "story__community"
    )
    comments = comments.filter(story__in=Story.objects.published())
    if role == "author":
        comments = comments.filter(author=request.user)
    elif role == "creator":
        comments = comments.filter(story__creator=request.user)
    elif role == "reader":
        comments = comments.exclude(author=request.user)
    elif role != "any":
        raise ValueError(f"unknown role {role!r}")
    return get_object_or_404(comments, pk=pk)


def _published_story_or_404(story_id: int) -> Story:
    return get_object_or_404(
        Story.objects.published().select_related("creator", "community"), pk=story_id
    )


def _comments_url(story: Story) -> str:
    return f"{story.get_absolute_url()}#comments"


def _log_in_first(story: Story) -> HttpResponse:
    """Send an anonymous reader to log in and back to the comments, not to this POST-only URL
    (which would answer the redirect after logging in with a 405)."""
    return redirect_to_login(_comments_url(story))


@require_POST
def comment_post(request: HttpRequest, story_id: int) -> HttpResponse:
    story = _published_story_or_404(story_id)
    if not request.user.is_authenticated:
        return _log_in_first(story)
    form = CommentForm(request.POST)
    status, retry_after = 400, None
    if form.is_valid():
        try:
            comment = services.comment_create(
                story=story,
                author=request.user,
                body=form.cleaned_data["body"],
                parent_id=form.cleaned_data["parent"],
                client_address=client_ip(request),
            )
        except RateLimited as error:
            form.add_error(None, error)
            status = 429
            retry_after = error.retry_after
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, "Your reply is posted." if comment.parent_id else "Your comment is posted."
            )
            return redirect(comment.get_absolute_url())
    parent_id = form.cleaned_data.get("parent")
    parent = (
        Comment.objects.shown().select_related("author").filter(story=story, pk=parent_id).first()
        if parent_id
        else None
    )
    response = render(
        request,
        "comments/comments_form_error.html",
        {"story": story, "form": form, "parent": parent, "back_url": _comments_url(story)},
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """POST saves the new text; GET is the same form on its own page, for readers without JS
    (the story page edits in place) and for showing what was refused."""
    comment = get_comment_or_404(request, pk, role="author", shown=True)
    status = 200
    if request.method == "POST":
        form = CommentEditForm(request.POST)
        if form.is_valid():
            try:
                services.comment_edit(
                    comment=comment, editor=request.user, body=form.cleaned_data["body"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Your comment is updated.")
                return redirect(comment.get_absolute_url())
        status = 400
    else:
        form = CommentEditForm(initial={"body": comment.body})
    return render(
        request,
        "comments/comments_edit.html",
        {"comment": comment, "story": comment.story, "form": form},
        status=status,
    )


@require_POST
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return _log_in_first(get_comment_or_404(request, pk, role="any").story)
    # Not limited to shown comments, so a second click (another tab) is answered, not a 404.
    comment = get_comment_or_404(request, pk, role="author")
    if services.comment_delete(comment=comment, actor=request.user):
        messages.success(request, "Your comment is deleted.")
    else:
        messages.info(request, "That comment was already taken down.")
    return redirect(_comments_url(comment.story))


@require_POST
def comment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return _log_in_first(get_comment_or_404(request, pk, role="any").story)
    comment = get_comment_or_404(request, pk, role="creator")
    if services.comment_remove(comment=comment, actor=request.user):
        messages.success(request, f"The comment by {comment.author.name} is removed.")
    else:
        messages.info(request, "That comment was already taken down.")
    return redirect(_comments_url(comment.story))


@login_required
@require_http_methods(["GET", "POST"])
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    """POST files the report; GET is the form asking for a reason."""
    comment = get_comment_or_404(request, pk, role="reader", shown=True)
    status, retry_after = 200, None
    if request.method == "POST":
        form = ReportForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                ratelimit.take_for_request(request, "report")
                _, created = services.comment_report(
                    comment=comment, reporter=request.user, reason=form.cleaned_data["reason"]
                )
            except RateLimited as error:
                form.add_error(None, error)
                status, retry_after = 429, error.retry_after
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if created:
                    messages.success(
                        request, "Thank you for your report. Our moderators will look at it."
                    )
                else:
                    messages.info(
                        request,
                        "You have already reported this comment; our moderators will look at it.",
                    )
                return redirect(comment.get_absolute_url())
    else:
        form = ReportForm()
    already = CommentReport.objects.filter(comment=comment, reporter=request.user).exists()
    response = render(
        request,
        "comments/comments_report.html",
        {"comment": comment, "story": comment.story, "form": form, "already_reported": already},
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
