"""RSS 2.0 and Atom feeds of the latest published stories: the site, a community, tag or creator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import html5lib
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from django.utils.xmlutils import SimplerXMLGenerator
from html5lib.filters.base import Filter
from html5lib.serializer import HTMLSerializer
from taggit.models import Tag

from core.links import absolute
from creators.models import User
from stories.access import free_body
from stories.models import Community, Story
from stories.seo import summary

# How many of the latest stories a feed carries; readers keep what they have already seen.
FEED_LENGTH = 30


class _AbsoluteUrls(Filter):
    """Resolves every href and src against a base URL: a feed reader has no page to resolve from."""

    def __init__(self, source: Any, base: str) -> None:
        super().__init__(source)
        self.base = base

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for token in super().__iter__():
            if token["type"] in {"StartTag", "EmptyTag"}:
                for name in ((None, "href"), (None, "src")):
                    if name in token["data"]:
                        token["data"][name] = urljoin(self.base, token["data"][name].strip())
            yield token


def absolute_html(html: str, base: str) -> str:
    """Sanitised HTML with its relative links and images made absolute against ``base``."""
    if not html:
        return ""
    fragment = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    walker = html5lib.getTreeWalker("etree")
    serializer = HTMLSerializer(quote_attr_values="always", omit_optional_tags=False)
    return serializer.render(_AbsoluteUrls(walker(fragment), base))


class RssWithContent(Rss201rev2Feed):
    """RSS 2.0 with the whole story in <content:encoded>; <description> stays the summary."""

    def rss_attributes(self) -> dict[str, str]:
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content:encoded", item["content"])


class AtomWithContent(Atom1Feed):
    """Atom with the whole story in <content type="html">, next to its <summary>."""

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


class StoryFeed(Feed):
    """The latest published stories of one scope, newest first; subclasses name the scope.

    One instance per format: ``SiteFeed(kind="atom")``. Instances are shared by every request,
    so nothing about a request is kept on them.
    """

    scope = ""

    def __init__(self, *, kind: str = "rss") -> None:
        if kind not in {"rss", "atom"}:
            raise ValueError(f"kind must be 'rss' or 'atom', not {kind!r}")
        self.kind = kind
        self.feed_type = AtomWithContent if kind == "atom" else RssWithContent

    # --- What a subclass says about its scope -------------------------------------------------

    def stories(self, obj: Any) -> QuerySet[Story]:
        return Story.objects.published()

    def url_args(self, obj: Any) -> list[str]:
        return []

    # --- The feed ------------------------------------------------------------------------------

    def feed_url(self, obj: Any) -> str:
        return absolute(reverse(f"feeds:{self.scope}_{self.kind}", args=self.url_args(obj)))

    def subtitle(self, obj: Any) -> str:
        # Atom's <subtitle>; RSS uses description.
        return self._get_dynamic_attr("description", obj)

    def items(self, obj: Any) -> list[Story]:
        return list(
            self.stories(obj)
            .select_related("creator", "community")
            .prefetch_related("tags")
            .order_by("-published_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item: Story) -> str:
        # Plain text: the feed generator escapes it for XML, and Atom titles are text.
        return item.title

    def item_description(self, item: Story) -> str:
        # RSS descriptions and Atom summaries are HTML, so the plain-text summary is escaped.
        return escape(summary(item))

    def item_link(self, item: Story) -> str:
        return absolute(item.get_absolute_url())

    def item_guid_is_permalink(self, item: Story) -> bool:
        return True

    def item_author_name(self, item: Story) -> str:
        return item.creator.name

    def item_author_link(self, item: Story) -> str:
        return absolute(item.creator.get_absolute_url())

    def item_pubdate(self, item: Story) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Story) -> datetime:
        return item.updated_at

    def item_categories(self, item: Story) -> list[str]:
        return [tag.name for tag in item.tags.all()]

    def item_extra_kwargs(self, item: Story) -> dict[str, str]:
        link = self.item_link(item)
        if not item.for_supporters:
            return {"content": absolute_html(item.body, link)}
        # A feed is read by anyone: the free part, and where supporters read on (issue 18).
        note = format_html(
            '<p><em>This story is for {}’s supporters.</em> <a href="{}">Read on at {}</a>.</p>',
            item.creator.name,
            link,
            settings.SITE_NAME,
        )
        return {"content": absolute_html(free_body(item), link) + note}


class SiteFeed(StoryFeed):
    scope = "site"

    def title(self) -> str:
        return settings.SITE_NAME

    def link(self) -> str:
        return absolute(reverse("stories:home"))

    def description(self) -> str:
        return f"The latest stories on {settings.SITE_NAME}."


class CommunityFeed(StoryFeed):
    scope = "community"

    def get_object(self, request, slug: str) -> Community:
        return Community.objects.get(slug=slug)

    def stories(self, obj: Community) -> QuerySet[Story]:
        return Story.objects.published().filter(community=obj)

    def url_args(self, obj: Community) -> list[str]:
        return [obj.slug]

    def title(self, obj: Community) -> str:
        return f"{obj.name} | {settings.SITE_NAME}"

    def link(self, obj: Community) -> str:
        return absolute(obj.get_absolute_url())

    def description(self, obj: Community) -> str:
        return obj.description or f"The latest stories in {obj.name} on {settings.SITE_NAME}."


class TagFeed(StoryFeed):
    """A tag across every community, like explore's tag filter."""

    scope = "tag"

    def get_object(self, request, slug: str) -> Tag:
        return Tag.objects.get(slug=slug)

    def stories(self, obj: Tag) -> QuerySet[Story]:
        return Story.objects.published().filter(tags=obj)

    def url_args(self, obj: Tag) -> list[str]:
        return [obj.slug]

    def title(self, obj: Tag) -> str:
        return f"Stories tagged “{obj.name}” | {settings.SITE_NAME}"

    def link(self, obj: Tag) -> str:
        return absolute(reverse("stories:explore") + "?" + urlencode({"tag": obj.slug}))

    def description(self, obj: Tag) -> str:
        return f"The latest stories tagged “{obj.name}” on {settings.SITE_NAME}."


class CreatorFeed(StoryFeed):
    scope = "creator"

    def get_object(self, request, username: str) -> User:
        # A suspended account has no public profile, and so no feed.
        return User.objects.get(username=username, is_active=True)

    def stories(self, obj: User) -> QuerySet[Story]:
        return Story.objects.published().filter(creator=obj)

    def url_args(self, obj: User) -> list[str]:
        return [obj.username]

    def title(self, obj: User) -> str:
        return f"{obj.name} | {settings.SITE_NAME}"

    def link(self, obj: User) -> str:
        return absolute(obj.get_absolute_url())

    def description(self, obj: User) -> str:
        return f"Stories by {obj.name} on {settings.SITE_NAME}."

    def author_name(self, obj: User) -> str:
        return obj.name

    def author_link(self, obj: User) -> str:
        return absolute(obj.get_absolute_url())
