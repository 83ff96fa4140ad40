"""Public reading pages: home, explore, communities, tags and the story page."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from taggit.models import Tag

from core import keyset
from core.pagecache import (
    creator_name,
    current_versions,
    depends_on,
    fragment_token,
    from_plain_row,
    get_fragments,
    get_versioned,
    plain_row,
    set_versioned,
    story_name,
)
from core.pagination import paginate
from core.templatetags.fragments import fragment_key
from creators.models import User
from stories import access
from stories.forms import MastodonShareForm
from stories.models import Community, Story
from stories.share import mastodon_share_url, story_share_url


def get_story_or_404(request: HttpRequest, community_slug: str, story_slug: str) -> Story:
    """The story if this reader may see it; someone else's draft is not found, not forbidden.

    Its tags and the creator's social links are not fetched here: the story page takes them
    from stored fragments when it can (see story_detail).
    """
    queryset = (
        Story.objects.visible_to(request.user)
        .select_related("creator", "community")
        # A public story is kept in the cache for the story page; the hash stays out of it.
        .defer("creator__password")
    )
    return get_object_or_404(queryset, community__slug=community_slug, slug=story_slug)


def story_names(story: Story) -> tuple[str, ...]:
    """What the story page shows (core/pagecache.py): Keep reading lists other
    stories, so any change to the listing shows here too."""
    return ("site", "listing", story_name(story.pk), creator_name(story.creator_id))


# base.html's parts that are the same on every page, for a view that fetches its fragments.
SITE_FRAGMENTS = tuple(
    fragment_key(name) for name in ("site-header", "account-links", "site-footer")
)

# The parts of the story page that are the same for every reader, by {% fragment %} name.
STORY_FRAGMENTS = ("story-meta", "story-feeds", "story-top", "story-written-by", "keep-reading")


# How many Top Stories lead the home page, and how many stories Keep reading shows.
TOP_STORIES = 4
KEEP_READING = 3


def home(request: HttpRequest) -> HttpResponse:
    """Top Stories (staff picks with their reasons), then Latest without repeating them."""
    picks = list(Story.objects.published().picked().for_cards()[:TOP_STORIES])
    latest = list(
        Story.objects.published().for_cards().exclude(pk__in=[story.pk for story in picks])[:7]
    )
    communities = Community.objects.all()
    depends_on(request, "site", "listing")
    return render(
        request,
        "stories/home.html",
        {
            "picks": picks,
            "lead": [] if picks else latest[:1],
            # Six either way: two full rows of three on a desk.
            "latest": latest[:6] if picks else latest[1:],
            "communities": communities,
        },
    )


def listing_parts(
    request: HttpRequest, names: tuple[str, ...], parts: tuple[str, ...], *key: object
) -> tuple[dict[str, object], bool]:
    """The fragment context for a listing page whose `parts` ({% fragment %} names, keyed on
    `key` and the query string, its filters and page) are the same for every reader, and
    whether all of them are stored: then the view needs no query of its own.

    They are kept while the `names` stamps hold, the same stamps the page cache keeps the
    whole page under, so a reader it passes by (signed in, or with a cookie of their own)
    gets the same parts an anonymous one would.
    """
    depends_on(request, *names)
    query = request.GET.urlencode()
    token = fragment_token(request, *names)
    keys = [fragment_key(part, *key, query) for part in parts]
    fragments = get_fragments(token, [*keys, *SITE_FRAGMENTS])
    context = {"fragment_token": token, "fragments": fragments, "fragment_query": query}
    return context, all(k in fragments for k in keys)


# The parts of explore, a community's and a tag's page that the view fetches: all but the
# site's header, by {% fragment %} name.
EXPLORE_FRAGMENTS = ("explore-title", "explore-meta", "explore-feeds", "explore-content")
COMMUNITY_FRAGMENTS = (
    "community-title",
    "community-description",
    "community-meta",
    "community-feeds",
    "community-content",
)
TAG_FRAGMENTS = ("tag-title", "tag-meta", "tag-feeds", "tag-content")


def explore(request: HttpRequest) -> HttpResponse:
    """Newest first, in keyset pages (stories/keyset.py): deep pages cost what the first does."""
    if "page" in request.GET:
        return _explore_page_number(request)
    context, stored = listing_parts(request, ("site", "listing"), EXPLORE_FRAGMENTS)
    if not stored:
        context.update(_explore_context(request))
    return render(request, "stories/explore.html", context)


def _explore_context(request: HttpRequest) -> dict[str, object]:
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
    page = keyset.keyset_page(
        stories,
        per_page=settings.STORIES_PER_PAGE,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    return {
        "page": page,
        "communities": communities,
        "community": community,
        "community_slug": community_slug,
        "tag": tag,
        "tag_slug": tag_slug,
    }


# The highest `?page=N` looked for: a million pages of stories is past any real list's end.
MAX_OLD_PAGE = 1_000_000


def _explore_page_number(request: HttpRequest) -> HttpResponse:
    """An old `?page=N` link: page N as it is now, by its token; 1 or nonsense is the first."""
    query = request.GET.copy()
    raw = query.pop("page")[-1]
    try:
        number = int(raw)
    except ValueError:
        number = 1
    # Past the last page there is nothing to find; an offset past 2**63 would be a 500 (issue 14).
    number = min(number, MAX_OLD_PAGE)
    if number > 1:
        stories = Story.objects.published().order_by(*keyset.ORDER)
        if community_slug := query.get("community"):
            stories = stories.filter(community__slug=community_slug)
        if tag_slug := query.get("tag"):
            stories = stories.filter(tags__slug=tag_slug)
        offset = (number - 1) * settings.STORIES_PER_PAGE - 1
        # Once, for an old link; the page it leads to is read by its token.
        before = stories.only("pk", "published_at")[offset : offset + 1].first()
        if before is not None:
            query["after"] = keyset.encode(before)
    url = request.path + (f"?{query.urlencode()}" if query else "")
    return HttpResponseRedirect(url)


def community_detail(request: HttpRequest, community_slug: str) -> HttpResponse:
    # Stored parts mean the community was there when they were stored, and a change to any
    # community (or its removal) empties them: the lookup that 404s is needed only without.
    context, stored = listing_parts(
        request, ("site", "listing"), COMMUNITY_FRAGMENTS, community_slug
    )
    context["community_slug"] = community_slug
    if not stored:
        community = get_object_or_404(Community, slug=community_slug)
        stories = Story.objects.published().for_cards().filter(community=community)
        context.update(community=community, page=paginate(request, stories))
    return render(request, "stories/community.html", context)


def tag_detail(request: HttpRequest, community_slug: str, tag_slug: str) -> HttpResponse:
    # As for a community: a tag's change or removal empties the stored parts too.
    context, stored = listing_parts(
        request, ("site", "listing"), TAG_FRAGMENTS, community_slug, tag_slug
    )
    context.update(community_slug=community_slug, tag_slug=tag_slug)
    if not stored:
        community = get_object_or_404(Community, slug=community_slug)
        tag = get_object_or_404(Tag, slug=tag_slug)
        stories = Story.objects.published().for_cards().filter(community=community, tags=tag)
        context.update(community=community, tag=tag, page=paginate(request, stories))
    return render(request, "stories/tag.html", context)


def story_detail(request: HttpRequest, community_slug: str, story_slug: str) -> HttpResponse:
    # A public story is everyone's to see, so it may come from the cache while nothing it
    # shows has changed; a draft is looked up for its creator or staff every time.
    key = f"story:{community_slug}/{story_slug}"
    found = get_versioned(key)
    if found is not None:
        rows, versions = found
        story = story_from_rows(rows)
    else:
        story = get_story_or_404(request, community_slug, story_slug)
        versions = current_versions(story_names(story)) if story.is_public else None
        if versions is not None:
            set_versioned(request, key, story_rows(story), versions)
    # Only the "story-top" fragment shows the tags: they are looked up below, when it is not
    # stored (building even an unused taggit queryset was a tenth of a signed-in page's CPU).
    context: dict[str, object] = {"story": story}
    all_stored = False
    if story.is_public:
        names = story_names(story)
        depends_on(request, *names)
        # A signed-in reader's page is theirs alone, but most of it is everyone's: those parts
        # come from the cache, and the blocks below (comments, insights, support) do the same.
        token = fragment_token(request, *names, versions=versions)
        keys = [fragment_key(name, story.pk) for name in STORY_FRAGMENTS]
        fragments = get_fragments(token, [*keys, *SITE_FRAGMENTS])
        context.update(fragment_token=token, fragments=fragments)
        if fragment_key("keep-reading", story.pk) not in fragments:
            context.update(keep_reading(story))
        all_stored = all(key in fragments for key in keys)
    if story.for_supporters:
        # Issue 18: the stored parts hold the free part only; the rest is a reader part,
        # filled for this request when this reader may read it (one query at most).
        context["free_part"], context["rest_part"] = access.split_body(story.body)
        context["reads_whole"] = access.may_read_whole(story, request.user)
    if not all_stored:
        # Something is rendered afresh: one query each for the tags and the links, as before.
        prefetch_related_objects([story], "tags", "creator__social_links")
        context["tags"] = story.tags.all()
    return render(request, "stories/story_detail.html", context)


def story_rows(story: Story) -> dict[str, dict]:
    """The story with its creator and community, as plain data for the cache."""
    return {
        "story": plain_row(story),
        "creator": plain_row(story.creator),
        "community": plain_row(story.community),
    }


def story_from_rows(rows: dict[str, dict]) -> Story:
    story = from_plain_row(Story, rows["story"])
    story.creator = from_plain_row(User, rows["creator"])
    story.community = from_plain_row(Community, rows["community"])
    return story


def keep_reading(story: Story) -> dict[str, QuerySet]:
    """Under a story: more from its creator, then more from its community by others."""
    others = Story.objects.published().exclude(pk=story.pk).select_related("creator", "community")
    return {
        "more_from_creator": others.filter(creator=story.creator_id)[:KEEP_READING],
        "more_in_community": others.filter(community=story.community_id).exclude(
            creator=story.creator_id
        )[:KEEP_READING],
    }


# The parts of a profile that are everyone's; the subscribe button between them is not.
PROFILE_FRAGMENTS = (
    "profile-meta",
    "profile-feeds",
    "profile-intro",
    "profile-about",
    "profile-stories",
)


def profile(request: HttpRequest, username: str) -> HttpResponse:
    # A suspended account has no public profile.
    creator = get_object_or_404(User.objects.filter(is_active=True), username=username)
    names = ("site", creator_name(creator.pk))
    context, stored = listing_parts(request, names, PROFILE_FRAGMENTS, creator.pk)
    context["creator"] = creator
    if not stored:
        prefetch_related_objects([creator], "social_links")
        # The creator too (for_cards): a card asks whether they show read counts.
        stories = Story.objects.published().filter(creator=creator).for_cards()
        context["page"] = paginate(request, stories)
    return render(request, "stories/profile.html", context)


@require_safe
def share_mastodon(request: HttpRequest, community_slug: str, story_slug: str) -> HttpResponse:
    """The share block's Mastodon link: ask for the reader's server, then go to its share page.

    A GET form (the share block is a stored part of the story page, so it carries no CSRF
    token); only a domain name passes stories.share.clean_instance, so this can never send a
    reader anywhere but https://<a server>/share. Anything else is the form again, with what
    was typed and what is wrong with it.

    The way on is a page that refreshes to the server's share page, with a link to it, not a
    302: the CSP's form-action ('self') also covers where a form's answer redirects, so
    Chromium would stop a redirect to another site, and the policy stays as strict as it is.
    """
    story = get_object_or_404(
        Story.objects.published().select_related("community"),
        community__slug=community_slug,
        slug=story_slug,
    )
    context: dict[str, object] = {"story": story}
    if "instance" not in request.GET:
        form = MastodonShareForm()
    else:
        form = MastodonShareForm(request.GET)
        if form.is_valid():
            instance = form.cleaned_data["instance"]
            context.update(
                instance=instance,
                share_url=mastodon_share_url(
                    instance=instance, title=story.title, url=story_share_url(story)
                ),
            )
    context["form"] = form
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "stories/share_mastodon.html", context, status=status)
