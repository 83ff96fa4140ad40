"""The story page's "Comments" block: ``{% load comments_tags %}{% comments_block story %}``.

Two queries whatever the number of comments (see comments.selectors.story_comment_page), for
anonymous and signed-in readers alike. Reads ``?comments=oldest`` and ``?comments_page=N``.

Signed-in readers see the same block but for the buttons on their own comments (and, for the
story's creator, on everyone's) and their CSRF token. So while the story is unchanged one
rendered copy, with a placeholder for the token, serves every reader who has no comment on the
page and is not its creator, with no query (core/pagecache.py); another serves every
anonymous reader.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString

from comments.models import MAX_COMMENT_CHARS
from comments.selectors import story_comment_page
from core import pagecache

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


TEMPLATE = "comments/comments_block.html"


@register.simple_tag(takes_context=True)
def comments_block(context: template.Context, story) -> SafeString | str:
    """The comments of a published story, with the forms the viewer may use.

    Not shown on a story readers cannot see (a draft the creator or staff is looking at) or in
    the editor's preview: comments belong to the published page.
    """
    if context.get("preview") or not story.is_public:
        return ""
    request = context["request"]
    viewer = request.user
    signed_in = viewer.is_authenticated
    role = "reader" if signed_in else "anonymous"

    def build() -> tuple[dict[str, object], dict[str, object]]:
        page = story_comment_page(
            story=story,
            oldest_first=request.GET.get("comments") == "oldest",
            number=page_number(request.GET.get("comments_page")),
        )
        threads = page.threads
        authors = sorted({c.author_id for t in threads for c in (t.comment, *t.replies)})
        return block_context(context, story, page), {"authors": authors}

    def not_an_author(meta: dict[str, object]) -> bool:
        # A reader's own comments carry buttons only they see.
        return not (signed_in and viewer.pk in meta["authors"])

    return pagecache.shared_block(
        context,
        request=request,
        template_name=TEMPLATE,
        key=f"comments:{story.pk}:{role}:{request.get_full_path()}",
        owner_id=story.creator_id,
        build=build,
        fits=not_an_author,
        shareable=not_an_author,
    )


def block_context(context: template.Context, story, page) -> dict[str, object]:
    request = context["request"]
    viewer = request.user
    story_url = story.get_absolute_url()
    return {
        "show": True,
        "story": story,
        "page": page,
        "viewer": viewer,
        "signed_in": viewer.is_authenticated,
        "is_story_creator": viewer.is_authenticated and viewer.pk == story.creator_id,
        "max_chars": MAX_COMMENT_CHARS,
        "login_url": reverse("creators:login") + "?" + urlencode({"next": story_url + "#comments"}),
        "signup_url": reverse("creators:signup")
        + "?"
        + urlencode({"next": story_url + "#comments"}),
        # A new context does not carry the context processors' values.
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
