"""Admin for comments and their reports."""
