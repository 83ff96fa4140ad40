"""URLs of the insights half of the comments app."""

urlpatterns: list = []
