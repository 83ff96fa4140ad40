"""The search page and its suggestions. The root URLconf includes this before stories' community
catch-alls."""

from django.urls import path

from search import views

app_name = "search"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("search/suggest/", views.suggest_view, name="suggest"),
]
