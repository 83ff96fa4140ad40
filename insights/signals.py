"""Signals `insights` sends for the apps above it, so it never imports them.

`insight_added(sender, insight)`: a reader left an insight on a story (not a change to one
they had left), sent once it is committed. `notifications` listens.
"""

from __future__ import annotations

from django.dispatch import Signal

insight_added = Signal()
