"""Reading URLs. The root URLconf includes these last, so community slugs shadow nothing."""

from django.urls import path

from stories import views

app_name = "stories"

urlpatterns = [
    path("", views.home, name="home"),
    path("explore/", views.explore, name="explore"),
    path("authors/<str:username>/", views.profile, name="profile"),
    # Catch-alls: keep them last; stories.models.RESERVED_SLUGS keeps communities off fixed paths.
    path("<slug:community_slug>/", views.community_detail, name="community"),
    path("<slug:community_slug>/tag/<slug:tag_slug>/", views.tag_detail, name="tag"),
    path("<slug:community_slug>/<slug:story_slug>/", views.story_detail, name="detail"),
]
