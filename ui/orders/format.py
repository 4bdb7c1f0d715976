"""Formatting for the order pages: money to the cent, percentages, and text people typed shown as text."""

from __future__ import annotations

import re
from datetime import date, datetime

from crm_core.money import format_money

_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def plain(text: object) -> str:
    """Escape typed text for st.markdown / st.caption / st.subheader so it shows exactly as typed.

    CommonMark lets any ASCII punctuation be backslash-escaped, which also stops links, inline
    HTML, Streamlit's `:material/…:` icons, `:red[…]` colours and emoji short codes."""
    if text is None or text == "":
        return "—"
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))


def cents(amount: int | None) -> str:
    """$1,234.56 (orders are money to the cent)."""
    return "—" if amount is None else format_money(int(amount))


def pct(bp: int | None) -> str:
    return "—" if bp is None else f"{bp / 100:g} %"


def day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return value.isoformat()


METHOD_LABELS = {"paypal": "PayPal"}


def method(value: str | None) -> str:
    """'bank_transfer' → 'bank transfer', 'paypal' → 'PayPal'."""
    return "—" if not value else METHOD_LABELS.get(value, value.replace("_", " "))


def amount_text(amount_cents: int) -> str:
    """Cents as the text a person would type: 1234.50."""
    return f"{amount_cents // 100}.{amount_cents % 100:02d}"
