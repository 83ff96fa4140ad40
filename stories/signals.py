"""Signals that `stories` sends to the apps built on it (DESIGN.md: the one place for signals)."""

from django.dispatch import Signal

# Sent once when a story becomes public; `subscriptions` listens to notify subscribers.
# Arguments: story.
story_published = Signal()
