"""Reader insight URLs (names start with `insight_`), at the paths they had under comments."""

from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("insights/<int:story_id>/", views.insight_save, name="insight_save"),
    path("insights/<int:story_id>/withdraw/", views.insight_withdraw, name="insight_withdraw"),
]
