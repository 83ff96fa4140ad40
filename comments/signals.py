"""Signals `comments` sends for the apps above it, so it never imports them.

`comment_posted(sender, comment)`: a comment or a reply was posted, sent once the post is
committed. `notifications` listens (a reply to your comment).
"""

from __future__ import annotations

from django.dispatch import Signal

comment_posted = Signal()
