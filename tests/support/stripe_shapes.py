"""Stripe objects as its API reference documents them (Charge, Refund, Dispute, Transfer and
its reversals, Payout, Account, BalanceTransaction), for webhook events and list answers in
tests. Only the fields Byline reads are varied; the rest are there so the shapes are whole."""

from __future__ import annotations

import time
from typing import Any

NOW = int(time.time())


def _list(data: list[dict], url: str) -> dict:
    return {"object": "list", "data": data, "has_more": False, "url": url}


def balance_transaction(
    txn_id: str,
    *,
    type_: str,
    amount: int,
    source: Any,
    category: str | None = None,
    fee: int = 0,
    created: int | None = None,
) -> dict:
    return {
        "id": txn_id,
        "object": "balance_transaction",
        "amount": amount,
        "available_on": (created or NOW) + 2 * 86_400,
        "created": created or NOW,
        "currency": "usd",
        "description": None,
        "exchange_rate": None,
        "fee": fee,
        "fee_details": [],
        "net": amount - fee,
        "reporting_category": category or type_,
        "source": source,
        "status": "available",
        "type": type_,
    }


def charge(
    charge_id: str,
    *,
    payment_intent: str,
    amount: int,
    refunds: list[dict] | None = None,
    listed: bool = True,
) -> dict:
    """A Charge; `listed=False` leaves its refunds out, as API versions since 2022-11-15 do."""
    refunded = sum(r["amount"] for r in refunds or [] if r["status"] in ("succeeded", "pending"))
    obj = {
        "id": charge_id,
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": refunded,
        "balance_transaction": f"txn_{charge_id}",
        "captured": True,
        "created": NOW,
        "currency": "usd",
        "disputed": False,
        "livemode": False,
        "metadata": {},
        "paid": True,
        "payment_intent": payment_intent,
        "refunded": refunded == amount,
        "status": "succeeded",
    }
    if listed:
        obj["refunds"] = _list(refunds or [], f"/v1/charges/{charge_id}/refunds")
    return obj


def refund(
    refund_id: str,
    *,
    payment_intent: str,
    amount: int,
    status: str = "succeeded",
    charge_id: str = "ch_1",
    reason: str | None = "requested_by_customer",
    failure_reason: str | None = None,
) -> dict:
    obj = {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "balance_transaction": f"txn_{refund_id}",
        "charge": charge_id,
        "created": NOW,
        "currency": "usd",
        "metadata": {},
        "payment_intent": payment_intent,
        "reason": reason,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": status,
        "transfer_reversal": None,
    }
    if failure_reason:
        obj["failure_reason"] = failure_reason
        obj["failure_balance_transaction"] = f"txn_{refund_id}_failure"
    return obj


def dispute(
    dispute_id: str,
    *,
    payment_intent: str,
    amount: int,
    status: str = "needs_response",
    reason: str = "fraudulent",
    charge_id: str = "ch_1",
    withdrawn: bool = True,
) -> dict:
    transactions = []
    if withdrawn:
        transactions.append(
            balance_transaction(
                f"txn_{dispute_id}",
                type_="adjustment",
                category="dispute",
                amount=-amount,
                fee=1500,
                source=dispute_id,
            )
        )
    return {
        "id": dispute_id,
        "object": "dispute",
        "amount": amount,
        "balance_transactions": transactions,
        "charge": charge_id,
        "created": NOW,
        "currency": "usd",
        "evidence": {"customer_name": None, "product_description": None},
        "evidence_details": {
            "due_by": NOW + 7 * 86_400,
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
        },
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "payment_intent": payment_intent,
        "reason": reason,
        "status": status,
    }


def transfer(
    transfer_id: str,
    *,
    amount: int,
    reversals: list[dict] | None = None,
    destination: str = "acct_alice",
    listed: bool = True,
) -> dict:
    reversed_total = sum(r["amount"] for r in reversals or [])
    obj = {
        "id": transfer_id,
        "object": "transfer",
        "amount": amount,
        "amount_reversed": reversed_total,
        "balance_transaction": f"txn_{transfer_id}",
        "created": NOW,
        "currency": "usd",
        "destination": destination,
        "livemode": False,
        "metadata": {},
        "reversed": reversed_total == amount,
    }
    if listed:
        obj["reversals"] = _list(reversals or [], f"/v1/transfers/{transfer_id}/reversals")
    return obj


def transfer_reversal(reversal_id: str, *, transfer_id: str, amount: int) -> dict:
    return {
        "id": reversal_id,
        "object": "transfer_reversal",
        "amount": amount,
        "balance_transaction": f"txn_{reversal_id}",
        "created": NOW,
        "currency": "usd",
        "destination_payment_refund": None,
        "metadata": {},
        "source_refund": None,
        "transfer": transfer_id,
    }


def payout(payout_id: str, *, amount: int, failure_code: str, failure_message: str) -> dict:
    return {
        "id": payout_id,
        "object": "payout",
        "amount": amount,
        "arrival_date": NOW,
        "automatic": True,
        "balance_transaction": f"txn_{payout_id}",
        "created": NOW,
        "currency": "usd",
        "destination": "ba_alice",
        "failure_balance_transaction": f"txn_{payout_id}_failure",
        "failure_code": failure_code,
        "failure_message": failure_message,
        "livemode": False,
        "method": "standard",
        "status": "failed",
        "type": "bank_account",
    }


def account(account_id: str, *, payouts_enabled: bool, disabled_reason: str | None) -> dict:
    return {
        "id": account_id,
        "object": "account",
        "charges_enabled": True,
        "details_submitted": True,
        "payouts_enabled": payouts_enabled,
        "requirements": {
            "currently_due": [] if payouts_enabled else ["external_account"],
            "disabled_reason": disabled_reason,
            "past_due": [] if payouts_enabled else ["external_account"],
        },
        "type": "express",
    }


def application(app_id: str = "ca_byline") -> dict:
    return {"id": app_id, "object": "application", "name": "Byline"}
