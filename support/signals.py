"""Signals support sends for other apps to act on, so support never imports them.

`pledge_started(sender, pledge, request)`: a reader started a monthly pledge from a page
(offline it is already paid; with Stripe it waits for checkout). subscriptions connects the
receiver that subscribes the pledger to the creator: the one place a sibling app imports from
support, and only this module (DESIGN.md: signals are the allowed exception).
"""

from __future__ import annotations

from django.dispatch import Signal

pledge_started = Signal()
