"""Signals that `stories` sends to the apps built on it (DESIGN.md: the one place for signals)."""

from django.dispatch import Signal

# Sent once when a story becomes public; `subscriptions` listens to notify subscribers.
# Arguments: story.
story_published = Signal()

# Sent once a review decision is committed: published (a new story or an edit), changes
# requested, or unpublished. `notifications` listens. Arguments: story, transition (the
# StoryTransition recording it, with the reason).
story_reviewed = Signal()

# Sent once staff's pick of a story as a Top Story is committed. Arguments: story.
story_picked = Signal()
