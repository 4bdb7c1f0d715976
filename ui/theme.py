"""One palette and one number format for every page."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from crm_core.opportunities import Stage
from crm_core.orders import OrderStatus

PRIMARY = "#2F5DA8"
ACCENT = "#E07A1F"
GOOD = "#2E8B57"
BAD = "#C0392B"
MUTED = "#94A3B8"
GRID = "#E5E7EB"

STAGE_COLORS: dict[str, str] = {
    Stage.CAPTURED: "#A7C4E8",
    Stage.ENRICHED: "#7AA5DB",
    Stage.QUALIFIED: "#4F84C9",
    Stage.SCHEDULED: "#2F5DA8",
    Stage.WON: GOOD,
    Stage.LOST: BAD,
}
STATUS_COLORS: dict[str, str] = {
    OrderStatus.ENTERED: "#C7D7EE",
    OrderStatus.AUDITED: "#A7C4E8",
    OrderStatus.ALLOCATED: "#7AA5DB",
    OrderStatus.INVOICED: "#4F84C9",
    OrderStatus.PAID: "#2F5DA8",
    OrderStatus.SHIPPED: "#5FA77F",
    OrderStatus.DELIVERED: GOOD,
    OrderStatus.ON_HOLD: ACCENT,
    OrderStatus.CANCELLED: BAD,
}
QUADRANT_COLORS: dict[str, str] = {
    "pursue": GOOD,
    "nurture": PRIMARY,
    "quick win": ACCENT,
    "disqualify": MUTED,
}
SERIES = [PRIMARY, ACCENT, GOOD, "#8E44AD", "#16A085", BAD, "#7F8C8D", "#D4AC0D"]

FONT = "Source Sans Pro, sans-serif"


def label(value: str) -> str:
    """'on_hold' → 'On hold', for stages, statuses and methods shown to people."""
    return str(value).replace("_", " ").capitalize()


def money(cents: int | float | Decimal | None, *, compact: bool = False) -> str:
    """Cents → '$1,234' (whole dollars) or, compact, '$1.2M'."""
    if cents is None:
        return "—"
    dollars = float(cents) / 100
    if compact:
        for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(dollars) >= limit:
                return f"${dollars / limit:,.1f}{suffix}"
    return f"${dollars:,.0f}"


def percent(ratio: float | None, digits: int = 0) -> str:
    return "—" if ratio is None else f"{ratio * 100:.{digits}f} %"


def label_expr(column: str) -> pl.Expr:
    """The Polars version of `label`: 'on_hold' → 'On hold'."""
    spaced = pl.col(column).str.replace_all("_", " ")
    return (spaced.str.slice(0, 1).str.to_uppercase() + spaced.str.slice(1)).alias(column)
