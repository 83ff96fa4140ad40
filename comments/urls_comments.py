"""URLs of the comments half of the comments app."""

urlpatterns: list = []
