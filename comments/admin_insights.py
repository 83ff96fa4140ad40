"""Admin for ratings, qualities and reader insights."""
