"""Creates the footer's staff-editable pages with sensible default text."""

from django.db import migrations

from platform_site.pages import PAGES, ensure_footer_pages


def create_pages(apps, schema_editor):
    ensure_footer_pages(apps.get_model("sites", "Site"), apps.get_model("flatpages", "FlatPage"))


def remove_pages(apps, schema_editor):
    apps.get_model("flatpages", "FlatPage").objects.filter(url__in=PAGES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sites", "0002_alter_domain_unique"),
        ("flatpages", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_pages, remove_pages)]
