"""sitemap.xml and robots.txt: what crawlers may read, and every public page worth reading."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.links import absolute
from creators.models import User
from stories.models import Community, Story


class SiteUrlSitemap(Sitemap):
    """URLs on SITE_URL, whatever the Sites framework's row or the request's Host says."""

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site: Any = None) -> str:
        parts = urlsplit(settings.SITE_URL)
        return parts.netloc + parts.path.rstrip("/")


class StaticSitemap(SiteUrlSitemap):
    def items(self) -> list[str]:
        return ["stories:home", "stories:explore"]

    def location(self, item: str) -> str:
        return reverse(item)


class StorySitemap(SiteUrlSitemap):
    def items(self) -> QuerySet[Story]:
        return (
            Story.objects.published()
            .select_related("community")
            .only("slug", "updated_at", "community__slug")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, item: Story) -> datetime:
        return item.updated_at


class CommunitySitemap(SiteUrlSitemap):
    def items(self) -> QuerySet[Community]:
        return Community.objects.only("slug").order_by("slug")


class TagSitemap(SiteUrlSitemap):
    """A community's tag page for every tag one of its published stories carries."""

    def items(self) -> QuerySet:
        return (
            Story.objects.published()
            .filter(tags__isnull=False)
            .values("community__slug", "tags__slug")
            .annotate(lastmod=Max("updated_at"))
            .order_by("community__slug", "tags__slug")
        )

    def location(self, item: dict[str, Any]) -> str:
        return reverse(
            "stories:tag",
            kwargs={"community_slug": item["community__slug"], "tag_slug": item["tags__slug"]},
        )

    def lastmod(self, item: dict[str, Any]) -> datetime:
        return item["lastmod"]


class ProfileSitemap(SiteUrlSitemap):
    """Active creators with something published: an empty profile is not worth a crawl."""

    def items(self) -> QuerySet[User]:
        return (
            User.objects.filter(is_active=True, pk__in=Story.objects.published().values("creator"))
            .only("username")
            .order_by("username")
        )


SITEMAPS = {
    "static": StaticSitemap,
    "stories": StorySitemap,
    "communities": CommunitySitemap,
    "tags": TagSitemap,
    "profiles": ProfileSitemap,
}

# What a crawler may not read: the admin, sign-in forms, the read beacon and the token pages
# of email subscriptions. Pages behind sign-in (the editor, dashboard, stats, settings, feed,
# wallet, pledges) are not listed: a crawler is sent to the sign-in page, which is, so there
# is nothing of theirs to index, and listing them only made Lighthouse's SEO audit fail them
# (issue 21). Search results name the search page as their canonical address instead.
ROBOTS_DISALLOW = (
    "/admin/",
    "/accounts/",
    "/subscriptions/",
    "/stories/",  # the read beacon
)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Allow: /",
        *(f"Disallow: {path}" for path in ROBOTS_DISALLOW),
        "",
        f"Sitemap: {absolute(reverse('feeds:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
