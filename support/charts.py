"""Support's charts, for the wallet and for the creator's stats page (a floor above)."""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format

from core.charts import BarChart, bar_chart
from support.money import format_money


def income_chart(rows: list[tuple[date, int]], currency: str) -> BarChart:
    """Net income per month as a bar chart, for the wallet and the creator's stats page."""
    return bar_chart(
        slug="income",
        title=f"Net income per month over the last {len(rows)} months",
        caption="Net income per month (payments less fees and refunds)",
        rows=rows,
        label=lambda month: date_format(month, "M"),
        name=lambda month: date_format(month, "F Y"),
        key_heading="Month",
        value_heading="Net income",
        display=lambda amount: format_money(amount, currency),
    )
