"""Compare the ledger with the payment provider's balance transactions of the last N days and
list every difference in the admin (Support and payments → Differences).

Run it daily from cron or the platform's scheduler. By default it queues the durable job (the
job worker runs it, and retries it if the provider does not answer); `--now` runs it here and
prints what it found. Safe to run twice: an open difference is listed once.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core.jobs import enqueue
from support.jobs import reconcile_payments
from support.money import format_money
from support.reconciliation import DEFAULT_DAYS, reconcile


class Command(BaseCommand):
    help = "Compare the ledger with the payment provider and list the differences for staff."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="1 to 90 (default 7)")
        parser.add_argument("--now", action="store_true", help="run here instead of queueing")

    def handle(self, *args, days: int, now: bool, **options) -> None:
        if not 1 <= days <= 90:
            raise CommandError(f"--days takes a whole number from 1 to 90, not {days}")
        if not now:
            enqueue(reconcile_payments, days=days)
            self.stdout.write(f"Queued the reconciliation of the last {days} days.")
            return
        report = reconcile(days=days)
        self.stdout.write(
            f"Compared {report.compared} objects at {report.gateway} over {days} days: "
            f"{len(report.found)} differences, {report.new} new."
        )
        for item in report.found:
            amounts = ""
            if item.currency:
                ledger = format_money(item.ledger_amount, item.currency)
                provider = format_money(item.provider_amount, item.currency)
                amounts = f" ledger {ledger}, provider {provider}"
            self.stdout.write(f"  {item.kind} {item.what} {item.reference}{amounts}")
