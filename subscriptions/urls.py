"""Subscription and feed URLs."""

app_name = "subscriptions"

urlpatterns: list = []
