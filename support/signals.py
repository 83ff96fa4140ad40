"""Signals support sends for other apps to act on, so support never imports them.

`pledge_started(sender, pledge, request)`: a reader started a monthly pledge from a page
(offline it is already paid; with Stripe it waits for checkout). The top floor
(platform_site.apps) connects it to subscriptions' receiver that subscribes the pledger to the
creator, since siblings never import each other.

`tip_received(sender, tip)` and `pledge_payment_received(sender, payment)`: a tip, or a month
of a pledge, was paid, sent once that is committed (recording the same payment again sends
nothing). `notifications` listens.
"""

from __future__ import annotations

from django.dispatch import Signal

pledge_started = Signal()
tip_received = Signal()
pledge_payment_received = Signal()

# `money_notice_made(sender, notice)`: money moved at the payment provider (a refund from its
# dashboard, a dispute, a returned transfer, payouts switched off); sent once committed.
# `notifications` tells the creator and staff on the site.
money_notice_made = Signal()
