"""Public reading pages: home, explore, communities, tags and the story page."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from taggit.models import Tag

from creators.models import User
from stories.models import Community, Story


def paginate(request: HttpRequest, queryset: QuerySet) -> Page:
    """The requested page; a malformed or out-of-range number falls back to a valid page."""
    return Paginator(queryset, settings.STORIES_PER_PAGE).get_page(request.GET.get("page"))


def get_story_or_404(request: HttpRequest, community_slug: str, story_slug: str) -> Story:
    """The story if this reader may see it; someone else's draft is not found, not forbidden."""
    queryset = (
        Story.objects.visible_to(request.user)
        .select_related("creator", "community")
        .prefetch_related("tags", "creator__social_links")
    )
    return get_object_or_404(queryset, community__slug=community_slug, slug=story_slug)


def home(request: HttpRequest) -> HttpResponse:
    latest = list(Story.objects.published().for_cards()[:7])
    communities = Community.objects.all()
    return render(
        request,
        "stories/home.html",
        {"lead": latest[:1], "latest": latest[1:], "communities": communities},
    )


def explore(request: HttpRequest) -> HttpResponse:
    stories = Story.objects.published().for_cards()
    communities = list(Community.objects.all())
    community = tag = None
    community_slug = request.GET.get("community", "")
    tag_slug = request.GET.get("tag", "")
    if community_slug:
        community = next((c for c in communities if c.slug == community_slug), None)
        # An unknown filter shows an empty, clearly labelled result rather than everything.
        stories = stories.filter(community=community) if community else stories.none()
    if tag_slug:
        tag = Tag.objects.filter(slug=tag_slug).first()
        stories = stories.filter(tags=tag) if tag else stories.none()
    return render(
        request,
        "stories/explore.html",
        {
            "page": paginate(request, stories),
            "communities": communities,
            "community": community,
            "community_slug": community_slug,
            "tag": tag,
            "tag_slug": tag_slug,
        },
    )


def community_detail(request: HttpRequest, community_slug: str) -> HttpResponse:
    community = get_object_or_404(Community, slug=community_slug)
    stories = Story.objects.published().for_cards().filter(community=community)
    return render(
        request,
        "stories/community.html",
        {"community": community, "page": paginate(request, stories)},
    )


def tag_detail(request: HttpRequest, community_slug: str, tag_slug: str) -> HttpResponse:
    community = get_object_or_404(Community, slug=community_slug)
    tag = get_object_or_404(Tag, slug=tag_slug)
    stories = Story.objects.published().for_cards().filter(community=community, tags=tag)
    return render(
        request,
        "stories/tag.html",
        {"community": community, "tag": tag, "page": paginate(request, stories)},
    )


def story_detail(request: HttpRequest, community_slug: str, story_slug: str) -> HttpResponse:
    story = get_story_or_404(request, community_slug, story_slug)
    return render(request, "stories/story_detail.html", {"story": story, "tags": story.tags.all()})


def profile(request: HttpRequest, username: str) -> HttpResponse:
    # A suspended account has no public profile.
    creator = get_object_or_404(
        User.objects.filter(is_active=True).prefetch_related("social_links"), username=username
    )
    stories = (
        Story.objects.published()
        .filter(creator=creator)
        .select_related("community")
        .prefetch_related("tags")
    )
    return render(
        request, "stories/profile.html", {"creator": creator, "page": paginate(request, stories)}
    )
