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
    # The story page's token (stories.views.story_detail); "" where nothing may be shared.
    token = context.get("fragment_token", "")
    signed_in = viewer.is_authenticated
    shared = token and (not signed_in or viewer.pk != story.creator_id)
    role = "reader" if signed_in else "anonymous"
    key = f"comments:{story.pk}:{role}:{request.get_full_path()}"
    if shared:
        stored = pagecache.get_fragment(token, key)
        if stored is not None and not (signed_in and viewer.pk in stored["authors"]):
            return pagecache.with_csrf(stored["html"], request)
    page = story_comment_page(
        story=story,
        oldest_first=request.GET.get("comments") == "oldest",
        number=page_number(request.GET.get("comments_page")),
    )
    values = block_context(context, story, page)
    authors = {c.author_id for thread in page.threads for c in (thread.comment, *thread.replies)}
    if shared and not (signed_in and viewer.pk in authors):
        html = render(context, values | {"csrf_token": pagecache.csrf_placeholder()})
        pagecache.set_fragment(token, key, {"html": str(html), "authors": authors})
        return pagecache.with_csrf(html, request)
    return render(context, values)


def render(context: template.Context, values: dict[str, object]) -> SafeString:
    """The block's template in a context of its own, as an inclusion tag would render it."""
    return context.template.engine.get_template(TEMPLATE).render(context.new(values))


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
