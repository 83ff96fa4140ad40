"""The story page's "Comments" block: ``{% load comments_tags %}{% comments_block story %}``.

Two queries whatever the number of comments (see comments.selectors.story_comment_page), for
anonymous and signed-in readers alike. Reads ``?comments=oldest`` and ``?comments_page=N``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from comments.models import MAX_COMMENT_CHARS
from comments.selectors import story_comment_page

register = template.Library()

# Past this a page number is a typo or a probe, not a reader paging through comments.
MAX_PAGE = 10_000


def page_number(raw: str | None) -> int:
    """The requested comments page; anything malformed falls back to the first."""
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


@register.inclusion_tag("comments/comments_block.html", takes_context=True)
def comments_block(context: template.Context, story) -> dict[str, object]:
    """The comments of a published story, with the forms the viewer may use.

    Not shown on a story readers cannot see (a draft the creator or staff is looking at) or in
    the editor's preview: comments belong to the published page.
    """
    if context.get("preview") or not story.is_public:
        return {"show": False}
    request = context["request"]
    viewer = request.user
    story_url = story.get_absolute_url()
    return {
        "show": True,
        "story": story,
        "page": story_comment_page(
            story=story,
            oldest_first=request.GET.get("comments") == "oldest",
            number=page_number(request.GET.get("comments_page")),
        ),
        "viewer": viewer,
        "signed_in": viewer.is_authenticated,
        "is_story_creator": viewer.is_authenticated and viewer.pk == story.creator_id,
        "max_chars": MAX_COMMENT_CHARS,
        "login_url": reverse("creators:login") + "?" + urlencode({"next": story_url + "#comments"}),
        "signup_url": reverse("creators:signup")
        + "?"
        + urlencode({"next": story_url + "#comments"}),
        # An inclusion tag's context does not carry the context processors' values.
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
