"""Support's background jobs that are not emails: the scheduled reconciliation."""

from __future__ import annotations

from core.jobs import job


@job
def reconcile_payments(*, days: int) -> int:
    """Compare the ledger with the provider's last `days` days; returns how many differences
    were found. A job, so a provider that does not answer is asked again later (core.jobs)."""
    from support.reconciliation import reconcile

    return len(reconcile(days=days).found)
