"""What an invoice says, as plain values: the services fill it, `crm_core.invoice_pdf` prints it.

Kept apart from the PDF code so that importing the services does not import fpdf2 (a noticeable
part of the app's cold start); fpdf2 loads when the first invoice is printed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class InvoiceLine:
    sku: str
    description: str
    quantity: int
    unit_price_cents: int
    discount_bp: int
    amount_cents: int


@dataclass(frozen=True)
class InvoiceDocument:
    number: str
    order_number: str
    issued_on: date
    due_on: date
    customer: str
    customer_lines: tuple[str, ...]
    payment_method: str
    delivery_method: str
    lines: Sequence[InvoiceLine]
    subtotal_cents: int
    shipping_cents: int
    tax_rate_bp: int
    tax_cents: int
    total_cents: int
    paid_on: date | None = None
    # Who sells (an admin setting, `crm_core.settings`) and the buyer's address and tax id.
    seller: str = "Scalewise Inc."
    seller_address: tuple[str, ...] = ()
    seller_tax_id: str | None = None
    seller_email: str | None = None
    customer_address: tuple[str, ...] = ()
    customer_tax_id: str | None = None
    ship_to: tuple[str, ...] = ()  # only when it differs from the billing address
