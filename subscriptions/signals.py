"""Signals `subscriptions` sends for the apps above it, so it never imports them.

`subscribed(sender, subscription)`: a reader subscribed to a creator (not a second click on
the same subscription), sent once it is committed. `notifications` listens.
"""

from __future__ import annotations

from django.dispatch import Signal

subscribed = Signal()
