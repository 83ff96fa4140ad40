"""`manage.py flush` (and every test that truncates the tables) leaves a working site: the
ratings and qualities readers choose from and the footer's pages come back, as the migrations
first made them; a database where staff have some keeps what they made."""

from __future__ import annotations

import pytest
from django.contrib.flatpages.models import FlatPage
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal

from insights.defaults import QUALITIES, RATINGS
from insights.models import Quality, Rating
from platform_site.pages import PAGES

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_flushed_database_gets_the_default_choices_and_footer_pages_back():
    call_command("flush", "--no-input", verbosity=0)
    assert list(Rating.objects.order_by("position").values_list("name", flat=True)) == [
        name for name, _ in RATINGS
    ]
    assert list(Quality.objects.order_by("position").values_list("name", flat=True)) == QUALITIES
    assert sorted(FlatPage.objects.values_list("url", flat=True)) == sorted(PAGES)
    assert all(page.sites.exists() for page in FlatPage.objects.all())


def test_a_migrate_leaves_the_choices_and_pages_staff_kept_as_they_are():
    Rating.objects.exclude(name=RATINGS[0][0]).delete()
    Quality.objects.all().delete()
    kept_page = FlatPage.objects.order_by("url").first()
    FlatPage.objects.exclude(pk=kept_page.pk).delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert list(Rating.objects.values_list("name", flat=True)) == [RATINGS[0][0]]
    assert not Quality.objects.exists()
    assert list(FlatPage.objects.values_list("pk", flat=True)) == [kept_page.pk]
