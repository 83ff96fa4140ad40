from django.urls import path

from stats import views

app_name = "stats"

urlpatterns = [
    # Under /stories/, a reserved top-level path, so no community slug can shadow it.
    path("stories/<int:pk>/read/", views.read_beacon, name="read"),
    # Beside the creator's dashboard at /write/, also a reserved top-level path.
    path("write/stats/", views.creator_stats, name="creator"),
    # issue 17: top creators; "leaderboard" is in stories.models.RESERVED_SLUGS.
    path("leaderboard/", views.leaderboard_page, name="leaderboard"),
]
