"""Demo data for development: the data files, their loader and the load_demo* commands.

The top floor beside platform_site: it may import every app, and no app imports it.
"""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
