"""Admin for what readers leave: each half registers its models in its own module."""

from comments import admin_comments, admin_insights  # noqa: F401
