"""Challenge URLs: the list, each challenge, entering and withdrawing."""

from django.urls import path

from challenges import views

app_name = "challenges"

urlpatterns = [
    path("challenges/", views.challenge_list, name="list"),
    path("challenges/<slug:slug>/", views.challenge_detail, name="detail"),
    path("challenges/<slug:slug>/enter/", views.enter, name="enter"),
    path("challenges/<slug:slug>/entries/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
