"""The Sites framework's one row follows SITE_URL: every `migrate` puts SITE_URL's domain and
SITE_NAME in it, so what Django builds from it (the admin's "View on site") agrees with the
links Byline builds itself (core.links.absolute)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.core.management import call_command

from creators.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_the_cached_site():
    # Django keeps the current Site per process; later tests must not see this module's.
    Site.objects.clear_cache()
    yield
    Site.objects.clear_cache()


def test_migrate_puts_site_url_and_site_name_in_the_sites_row(settings):
    settings.SITE_URL = "https://byline.example"
    settings.SITE_NAME = "Inkwell"
    call_command("migrate", verbosity=0, interactive=False)
    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("byline.example", "Inkwell")


def test_the_admins_view_on_site_goes_to_site_url(client, alice, settings):
    settings.SITE_URL = "https://byline.example"
    call_command("migrate", verbosity=0, interactive=False)
    client.force_login(User.objects.create_superuser("root", password=None))
    ct = ContentType.objects.get_for_model(User)
    response = client.get(f"/admin/r/{ct.pk}/{alice.pk}/")
    assert response.status_code == 302
    assert urlsplit(response["Location"]).netloc == "byline.example"
    assert urlsplit(response["Location"]).path == alice.get_absolute_url()


def test_flush_puts_the_row_back_from_site_url_too(settings):
    # flush empties every table, then sends post_migrate without the migrations' app registry.
    settings.SITE_URL = "https://byline.example"
    call_command("flush", verbosity=0, interactive=False)
    assert Site.objects.get_current().domain == "byline.example"
