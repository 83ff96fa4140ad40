"""Subscription URLs: subscribe buttons, the reader's feed and list, and email unsubscribe links."""

from django.urls import path

from subscriptions import views

app_name = "subscriptions"

urlpatterns = [
    path("feed/", views.feed, name="feed"),
    path("subscriptions/", views.subscription_list, name="list"),
    # Under /subscriptions/, a path no community can take (stories.models.RESERVED_SLUGS).
    path(
        "subscriptions/unsubscribe/<str:token>/",
        views.unsubscribe_email,
        name="unsubscribe_email",
    ),
    path("subscribe/<str:username>/", views.subscribe, name="subscribe"),
    path("unsubscribe/<str:username>/", views.unsubscribe, name="unsubscribe"),
]
