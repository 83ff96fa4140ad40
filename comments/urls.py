"""Comment URLs (names start with `comment_`)."""

from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("comments/<int:story_id>/post/", views.comment_post, name="comment_post"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:pk>/remove/", views.comment_remove, name="comment_remove"),
    path("comments/<int:pk>/report/", views.comment_report, name="comment_report"),
]
