"""What reactions announces to the floors above (notifications): a reader liked a story.

``story_liked`` is sent once the like is committed, with ``like``, ``story`` and ``reader``; an
un-like sends nothing.
"""

from django.dispatch import Signal

story_liked = Signal()
