"""Support URLs: Stripe's webhook, the creator's settings and wallet, tips and pledges."""

from django.urls import path

from support import views

app_name = "support"

urlpatterns = [
    # Under /support/, a path no community can take (stories.models.RESERVED_SLUGS).
    path("support/stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("support/tip/<str:username>/", views.tip, name="tip"),
    path("support/pledge/<str:username>/", views.pledge, name="pledge"),
    path("settings/support/", views.support_settings, name="settings"),
    path("settings/support/payouts/", views.payouts_connect, name="payouts"),
    path("supporting/", views.supporting, name="supporting"),
    path("supporting/<int:pk>/change/", views.pledge_change, name="pledge_change"),
    path("supporting/<int:pk>/cancel/", views.pledge_cancel_view, name="pledge_cancel"),
    path("supporting/<int:pk>/resume/", views.pledge_resume_view, name="pledge_resume"),
    path("wallet/", views.wallet, name="wallet"),
]
