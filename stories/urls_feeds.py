"""Feeds, sitemap.xml and robots.txt: top-level paths, all reserved community slugs."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from stories import feeds
from stories.sitemaps import SITEMAPS, robots_txt

app_name = "feeds"

urlpatterns = [
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
]

# /rss/... and /atom/...: the same feeds in the two formats feed readers speak.
for kind in ("rss", "atom"):
    urlpatterns += [
        path(f"{kind}/", feeds.SiteFeed(kind=kind), name=f"site_{kind}"),
        path(
            f"{kind}/community/<slug:slug>/",
            feeds.CommunityFeed(kind=kind),
            name=f"community_{kind}",
        ),
        # Any tag: taggit keeps non-ASCII letters in slugs ("café").
        path(f"{kind}/tag/<str:slug>/", feeds.TagFeed(kind=kind), name=f"tag_{kind}"),
        path(
            f"{kind}/authors/<str:username>/",
            feeds.CreatorFeed(kind=kind),
            name=f"creator_{kind}",
        ),
    ]
