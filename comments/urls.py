"""Comment and insight URLs: one namespace, two halves kept in their own modules."""

from django.urls import include, path

app_name = "comments"

urlpatterns = [
    path("", include("comments.urls_comments")),
    path("", include("comments.urls_insights")),
]
