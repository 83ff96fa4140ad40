"""The Sites framework's one row, kept in step with SITE_URL and SITE_NAME on every `migrate`.

Byline builds its own absolute links from SITE_URL (core.links.absolute); what Django builds
from the Sites row (the admin's "View on site", the feeds' base) must agree, in a deployment
where no one edits that row by hand.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, router


def site_in_step(
    sender: AppConfig,
    *,
    apps: Apps = global_apps,
    using: str = DEFAULT_DB_ALIAS,
    **kwargs: object,
) -> None:
    """post_migrate: SITE_ID's row gets SITE_URL's host (and port) and SITE_NAME.

    `flush` sends the signal too (tests that truncate tables), without migration state.
    """
    Site = apps.get_model("sites", "Site")
    if not router.allow_migrate_model(using, Site):
        return
    domain = urlsplit(settings.SITE_URL).netloc
    if not domain:  # a SITE_URL without a host names no site; leave the row as it is
        return
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.SITE_NAME}
    )
    # The historical model sends no signal the real one listens to: forget this process's copy.
    from django.contrib.sites.models import Site as CurrentSite

    CurrentSite.objects.clear_cache()
