"""What the notes app announces, for the floors above (a notification, say); sent on commit."""

from __future__ import annotations

from django.dispatch import Signal

# A reader sent a note. kwargs: note=<Note>, story=<Story>, reader=<User>.
note_sent = Signal()
# The creator answered it. kwargs: note=<Note>, story=<Story>, creator=<User>.
note_replied = Signal()
