"""URLs of the insights half of the comments app (names start with `insight_`)."""

from django.urls import path

from comments import insight_views

urlpatterns = [
    path("insights/<int:story_id>/", insight_views.insight_save, name="insight_save"),
    path(
        "insights/<int:story_id>/withdraw/",
        insight_views.insight_withdraw,
        name="insight_withdraw",
    ),
]
