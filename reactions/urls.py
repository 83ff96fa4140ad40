"""Reaction URLs: like and save under /stories/<id>/ (a path no community can take, as the read
beacon's), and the reader's library at /library/ (reserved in stories.models.RESERVED_SLUGS)."""

from django.urls import path

from reactions import views

app_name = "reactions"

urlpatterns = [
    path("stories/<int:story_id>/like/", views.like, name="like"),
    path("stories/<int:story_id>/save/", views.save, name="save"),
    path("library/", views.library, name="library"),
    path("library/<int:story_id>/remove/", views.library_remove, name="library_remove"),
]
