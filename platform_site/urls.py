"""Root URLconf: fixed top-level paths first, the stories app (with community slugs) last."""

from django.conf import settings
from django.contrib import admin
from django.contrib.flatpages import views as flatpage_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.utils.cache import patch_cache_control
from django.views.static import serve

admin.site.site_header = f"{settings.SITE_NAME} administration"
admin.site.site_title = f"{settings.SITE_NAME} admin"

# The footer's pages, by URL name; staff edit their text under "Flat pages" in the admin.
FOOTER_PAGES = {
    "contact": "/contact/",
    "privacy": "/privacy/",
    "terms": "/terms/",
    "help": "/support/",
}

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", include("platform_site.health")),
    *(
        path(url.strip("/") + "/", flatpage_views.flatpage, {"url": url}, name=name)
        for name, url in FOOTER_PAGES.items()
    ),
]


def media(request: HttpRequest, path: str) -> HttpResponse:
    # MEDIA_ROOT is read per request, so tests that move it are served from where they put it.
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    # Uploads are stored under random names (core/images.py) and never rewritten with other
    # bytes: browsers keep them a year, as S3 is told to (AWS_S3_OBJECT_PARAMETERS).
    if response.status_code == 200:
        patch_cache_control(response, public=True, max_age=31536000)
    return response


if settings.SERVE_MEDIA:
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", media, name="media"))

if settings.BYLINE_BENCHMARK:
    # bench/site_benchmark.py's yardstick, ahead of the community catch-all below.
    from platform_site import benchmark

    urlpatterns.append(path("__bench__/floor/", benchmark.floor))

urlpatterns += [
    path("", include("creators.urls")),
    path("", include("subscriptions.urls")),
    path("", include("comments.urls")),
    path("", include("insights.urls")),
    path("", include("support.urls")),
    path("", include("stats.urls")),
    path("", include("challenges.urls")),  # issue 17
    # Issue 16, part 5: private notes to the author.
    path("", include("notes.urls")),
    # Part 4 of issue 16: the bell's page and the notification settings.
    path("", include("notifications.urls")),
    path("", include("reactions.urls")),  # issue 16: likes, saves and /library/
    # Feeds, sitemap.xml and robots.txt.
    path("", include("stories.urls_feeds")),
    path("", include("search.urls")),
    # Last: its community slugs catch every path nothing above claimed.
    path("", include("stories.urls")),
]

# A post over the size limits is a 413 that says the limit; every other 400 is Django's own.
handler400 = "core.request_limits.bad_request"
