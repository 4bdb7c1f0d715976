"""The printable invoice: a one-page A4 PDF built with fpdf2 from the frozen invoice amounts.

Layout: the seller (name, address, tax id, email: an admin setting) and the word INVOICE at the
top; "Bill to" (the customer, its billing address, tax id and contact, and "Ship to" when the
shipping address differs) on the left and the invoice facts (number, dates, order, payment and
delivery method) on the right; the lines as a table (SKU, description, quantity, unit price,
discount, amount); subtotal, shipping, tax and the total under it, right-aligned; then either
"Paid on …" or the payment request, and a footnote with the rounding rules. Text is drawn as
text (nothing is interpreted as markup). DejaVu Sans is used when the machine has it, so any
customer name prints; otherwise the built-in Helvetica, with characters it cannot draw replaced.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Literal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from crm_core.invoice_document import InvoiceDocument
from crm_core.money import format_money

FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)
INK = (33, 37, 41)
MUTED = (100, 116, 139)
RULE = (203, 213, 225)
ACCENT = (47, 93, 168)


class _Pdf(FPDF):
    def __init__(self, seller: str) -> None:
        super().__init__(format="A4")
        self.seller = seller
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=22)
        font = next((p for p in FONT_CANDIDATES if p.exists()), None)
        bold = font.with_name("DejaVuSans-Bold.ttf") if font else None
        if font is not None:
            self.add_font("Body", "", str(font))
            self.add_font("Body", "B", str(bold if bold and bold.exists() else font))
            self.family_name, self.unicode_ok = "Body", True
        else:
            self.family_name, self.unicode_ok = "Helvetica", False

    def clean(self, text: str) -> str:
        if self.unicode_ok:
            return text
        folded = unicodedata.normalize("NFKD", text.replace("—", "-").replace("·", "-"))
        return folded.encode("latin-1", "replace").decode("latin-1")

    def write_cell(
        self,
        w: float,
        h: float,
        text: str,
        *,
        align: str = "L",
        style: str = "",
        size: float = 10,
        color: tuple[int, int, int] = INK,
        border: str | Literal[0, 1] = 0,
        newline: bool = False,
    ) -> None:
        self.set_font(self.family_name, style, size)
        self.set_text_color(*color)
        self.cell(
            w, h, self.clean(text), border=border, align=align,
            new_x=XPos.LMARGIN if newline else XPos.RIGHT, new_y=YPos.NEXT if newline else YPos.TOP,
        )  # fmt: skip

    def footer(self) -> None:
        self.set_y(-16)
        self.write_cell(0, 5, f"{self.seller} · page {self.page_no()}", align="C", size=8, color=MUTED)


def _pct(bp: int) -> str:
    return f"{bp / 100:g} %"


def render_invoice_pdf(doc: InvoiceDocument) -> bytes:
    """The invoice as PDF bytes."""
    pdf = _Pdf(doc.seller)
    pdf.set_title(pdf.clean(f"Invoice {doc.number}"))
    pdf.set_author(pdf.clean(doc.seller))
    pdf.add_page()
    width = pdf.epw

    pdf.set_font(pdf.family_name, "B", 18)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(width * 0.7, 10, pdf.clean(doc.seller), align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
    pdf.set_x(pdf.l_margin + width * 0.7)
    pdf.write_cell(width * 0.3, 10, "INVOICE", align="R", style="B", size=18, newline=True)
    seller_lines = [
        *doc.seller_address,
        *([f"Tax id: {doc.seller_tax_id}"] if doc.seller_tax_id else []),
        *([doc.seller_email] if doc.seller_email else []),
    ]
    for line in seller_lines:
        pdf.write_cell(width, 5, line, size=9, color=MUTED, newline=True)
    pdf.ln(6)

    facts = [
        ("Invoice", doc.number),
        ("Issued", doc.issued_on.isoformat()),
        ("Due", doc.due_on.isoformat()),
        ("Order", doc.order_number),
        ("Payment", doc.payment_method.replace("_", " ")),
        ("Delivery", doc.delivery_method.replace("_", " ")),
    ]
    top = pdf.get_y()
    pdf.write_cell(width / 2, 6, "BILL TO", style="B", size=9, color=MUTED, newline=True)
    pdf.set_font(pdf.family_name, "B", 11)
    pdf.set_text_color(*INK)
    pdf.multi_cell(width / 2 - 6, 6, pdf.clean(doc.customer), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    bill_to = [
        *doc.customer_address,
        *([f"Tax id: {doc.customer_tax_id}"] if doc.customer_tax_id else []),
        *doc.customer_lines,
    ]
    for line in bill_to:
        pdf.write_cell(width / 2 - 6, 5, line, size=9, newline=True)
    if doc.ship_to:
        pdf.ln(2)
        pdf.write_cell(width / 2, 6, "SHIP TO", style="B", size=9, color=MUTED, newline=True)
        for line in doc.ship_to:
            pdf.write_cell(width / 2 - 6, 5, line, size=9, newline=True)
    left_end = pdf.get_y()
    pdf.set_y(top)
    for label, value in facts:
        pdf.set_x(pdf.l_margin + width / 2)
        pdf.write_cell(width / 4, 6, label, size=9, color=MUTED)
        pdf.write_cell(width / 4, 6, value, align="R", style="B" if label == "Invoice" else "", size=10,
                       newline=True)  # fmt: skip
    pdf.set_y(max(left_end, pdf.get_y()) + 8)

    columns = (("SKU", 0.13, "L"), ("Description", 0.37, "L"), ("Qty", 0.09, "R"),
               ("Unit price", 0.15, "R"), ("Discount", 0.11, "R"), ("Amount", 0.15, "R"))  # fmt: skip
    pdf.set_draw_color(*RULE)
    for title, share, align in columns:
        pdf.write_cell(width * share, 8, title, align=align, style="B", size=9, color=MUTED, border="B")
    pdf.ln(8)
    for item in doc.lines:
        values = (
            item.sku,
            item.description,
            f"{item.quantity:,}",
            format_money(item.unit_price_cents),
            _pct(item.discount_bp) if item.discount_bp else "—",
            format_money(item.amount_cents),
        )
        description_width = width * columns[1][1]
        pdf.set_font(pdf.family_name, "", 9)
        text = pdf.clean(item.description)
        while text and pdf.get_string_width(text) > description_width - 2:
            text = text[:-2] + "…" if pdf.unicode_ok else text[:-4] + "..."
        for (_, share, align), value in zip(columns, values, strict=True):
            pdf.write_cell(width * share, 7, text if value is item.description else value, align=align,
                           size=9, border="B")  # fmt: skip
        pdf.ln(7)
    pdf.ln(4)

    totals = [
        ("Subtotal", doc.subtotal_cents, ""),
        ("Shipping", doc.shipping_cents, ""),
        (f"Tax ({_pct(doc.tax_rate_bp)} of the subtotal)", doc.tax_cents, ""),
        ("Total", doc.total_cents, "B"),
    ]
    for label, cents, style in totals:
        pdf.set_x(pdf.l_margin + width * 0.45)
        pdf.write_cell(width * 0.35, 7, label, align="R", style=style, size=11 if style else 10,
                       color=INK if style else MUTED)  # fmt: skip
        pdf.write_cell(width * 0.20, 7, format_money(cents), align="R", style=style, size=11 if style else 10,
                       newline=True)  # fmt: skip
    pdf.ln(8)

    if doc.paid_on is not None:
        message = f"Paid in full on {doc.paid_on.isoformat()}. Thank you."
    else:
        method = doc.payment_method.replace("_", " ")
        message = (
            f"Please pay {format_money(doc.total_cents)} by {doc.due_on.isoformat()} ({method}), "
            f"quoting {doc.number}."
        )
    pdf.write_cell(width, 7, message, style="B", size=11, color=ACCENT, newline=True)
    pdf.ln(2)
    pdf.set_font(pdf.family_name, "", 8)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        width,
        4,
        align="L",
        text=pdf.clean(
            "Amounts in US dollars. Each line is quantity × unit price less its discount, rounded half-up "
            "to the cent; tax is charged on the subtotal and rounded once; shipping is not taxed."
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return bytes(pdf.output())
