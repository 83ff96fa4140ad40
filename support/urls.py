"""Support URLs: for now only Stripe's webhook; reader pages are added on top of the services."""

from django.urls import path

from support import views

app_name = "support"

urlpatterns = [
    # Under /support/, a path no community can take (stories.models.RESERVED_SLUGS).
    path("support/stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
]
