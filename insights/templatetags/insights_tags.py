"""Reader insights on pages other apps own: the story page's block and the dashboard's breakdown.

The story page: ``{% insights_block story %}`` (two queries). A signed-in reader who has not
left an insight sees what every such reader sees: one stored copy serves them, for one query
("have you left one?"), while the story is unchanged (core/pagecache.py).
The dashboard: ``{% creator_insights request.user as breakdowns %}`` once (two queries), then
``{% insights_breakdown breakdowns story.pk %}`` per story (no query), or
``{{ breakdowns|insights_for:story.pk }}`` to look one story's breakdown up yourself.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString

from core import pagecache
from core.prepared import PreparedExists
from insights.models import Insight
from insights.selectors import (
    StoryInsights,
    creator_insight_breakdown,
    story_insights_summary,
)

register = template.Library()


TEMPLATE = "insights/insights_block.html"


@register.simple_tag(takes_context=True)
def insights_block(context: template.Context, story) -> SafeString:
    """The "Reader insights" card: the summary, how it works, and the viewer's own form."""
    request = context.get("request")
    viewer = getattr(request, "user", None)
    signed_in = bool(viewer and viewer.is_authenticated)

    def build() -> tuple[dict[str, object], dict[str, object]]:
        values = block_context(context, story)
        return values, {"has_own": values["summary"].has_own}

    return pagecache.shared_block(
        context,
        request=request,
        template_name=TEMPLATE,
        key=f"insights:{story.pk}:{'reader' if signed_in else 'anonymous'}",
        owner_id=story.creator_id,
        build=build,
        # A reader who left an insight sees their own, not the form.
        fits=lambda meta: not (signed_in and _has_own(story, viewer)),
        shareable=lambda meta: not meta["has_own"],
    )


def _has_own(story, viewer) -> bool:
    return _left_insight(story=story.pk, reader=viewer.pk)


# Asked on every story page a signed-in reader opens.
_left_insight = PreparedExists(
    Insight,
    lambda story, reader: Insight.objects.filter(story_id=story, reader_id=reader),
    ("story", "reader"),
)


def block_context(context: template.Context, story) -> dict[str, object]:
    request = context.get("request")
    viewer = getattr(request, "user", None)
    signed_in = bool(viewer and viewer.is_authenticated)
    is_creator = signed_in and viewer.pk == story.creator_id
    story_url = story.get_absolute_url()
    return {
        "story": story,
        "summary": story_insights_summary(story_id=story.pk, viewer=viewer),
        # Only a published story takes insights; the creator's preview shows the summary alone.
        "open": story.status == story.Status.PUBLISHED and story.creator.is_active,
        "signed_in": signed_in,
        "is_creator": is_creator,
        "login_url": reverse("creators:login") + "?" + urlencode({"next": story_url + "#insights"}),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }


@register.simple_tag
def creator_insights(creator) -> dict[int, StoryInsights]:
    """Story id → its insights breakdown, for every story of the creator (two queries)."""
    if not getattr(creator, "is_authenticated", False):
        return {}
    return creator_insight_breakdown(creator=creator)


@register.filter
def insights_for(breakdowns: dict[int, StoryInsights] | None, story_id) -> StoryInsights | None:
    """One story's breakdown from `creator_insights`, or None when it has no insights."""
    if not breakdowns:
        return None
    try:
        return breakdowns.get(int(story_id))
    except (TypeError, ValueError):
        return None


@register.inclusion_tag("insights/insights_breakdown.html")
def insights_breakdown(breakdowns: dict[int, StoryInsights] | None, story_id) -> dict[str, object]:
    """One story's breakdown as the dashboard shows it: counts and who chose what."""
    return {"breakdown": insights_for(breakdowns, story_id), "story_id": story_id}
