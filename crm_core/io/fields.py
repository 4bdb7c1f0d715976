"""What can be imported: the fields of each kind, their types, and the column names other
systems use for them (the synonyms behind auto-detected column mapping).

The README's import tables are this file in prose; `python -m crm_core import KIND --help`
prints them too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TypedDict, Unpack

from crm_core.customer_fields import MAX_ADDRESS
from crm_core.opportunities import BANT_FACTORS, SCALE_FACTORS, Stage
from crm_core.orders import DELIVERY_METHODS, PAYMENT_METHODS, OrderStatus


class Kind(StrEnum):
    CUSTOMERS = "customers"
    PRODUCTS = "products"
    OPPORTUNITIES = "opportunities"
    ORDERS = "orders"


class FieldType(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long text"
    INTEGER = "whole number"
    MONEY = "amount"
    PERCENT = "percent"
    SCORE = "score 0–10"
    BOOLEAN = "yes/no"
    CHOICE = "choice"
    EMAIL = "email"
    PHONE = "phone"
    DATE = "date"
    DATETIME = "date and time"


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    description: str
    required: bool = False
    synonyms: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    max_length: int = 200
    minimum: int | None = None


class _FieldOptions(TypedDict, total=False):
    required: bool
    choices: tuple[str, ...]
    max_length: int
    minimum: int | None


def _f(name: str, type_: FieldType, description: str, *synonyms: str, **kw: Unpack[_FieldOptions]) -> Field:
    return Field(name, type_, description, synonyms=synonyms, **kw)


T, LT, INT, M, P = FieldType.TEXT, FieldType.LONG_TEXT, FieldType.INTEGER, FieldType.MONEY, FieldType.PERCENT
S, B, C, E, PH = FieldType.SCORE, FieldType.BOOLEAN, FieldType.CHOICE, FieldType.EMAIL, FieldType.PHONE
D, DT = FieldType.DATE, FieldType.DATETIME

# fmt: off
_CUSTOMER_REF = (
    _f("customer", T,
        "the account's name; matched to an existing customer by name (case and spacing ignored)", "account",
        "account name", "company", "company name", "customer name", "client", "organization", "organisation",
        "associated company", "organization name"),
    _f("customer_external_id", T,
        "the account's id in the other system; matched to a customer's external id first", "customer id",
        "customerid", "account id", "company id", "client id", "customer no", "customer number",
        "account number", max_length=100),
)

CUSTOMER_FIELDS: tuple[Field, ...] = (
    _f("external_id", T, "the customer's id in the other system; re-importing it updates", "id",
        "customer id", "customerid", "account id", max_length=100),
    _f("name", T, "company name", "account", "account name", "company", "company name", "customer",
        "customer name", "organization", "organisation", required=True),
    _f("industry", T, "industry, the segment on Integration", "sector", "segment", "vertical",
        max_length=100),
    _f("employees", INT, "company size in employees", "employee count", "number of employees", "size",
        "company size", minimum=0),
    _f("annual_revenue", M, "annual revenue in currency units", "revenue", "annual revenue"),
    _f("region", T, "region or country", "country", "office location", "state", "territory",
        "billing country", "billing state", max_length=100),
    _f("credit_limit", M, "credit limit in currency units (default 0)", "credit"),
    _f("blocked", B, "blocked for new orders (default no)", "is blocked", "on stop"),
    _f("contact_name", T, "main contact", "contact", "primary contact", "contact person"),
    _f("contact_email", E, "main contact's email", "email", "e-mail", "contact e-mail"),
    _f("contact_phone", PH, "main contact's phone", "phone", "telephone", "phone number"),
    _f("billing_address", LT, "billing address (several lines)", "billing address", "address",
        "invoice address", max_length=MAX_ADDRESS),
    _f("shipping_address", LT, "shipping address (empty: the billing address)", "shipping address",
        "delivery address", "ship to address", max_length=MAX_ADDRESS),
    _f("tax_id", T, "VAT or tax number", "vat number", "vat id", "tax number", "tax id", max_length=50),
)

PRODUCT_FIELDS: tuple[Field, ...] = (
    _f("sku", T, "stock-keeping unit; re-importing it updates", "stockcode", "stock code", "item code",
        "product code", "product id", "code", "item", "article", required=True, max_length=64),
    _f("name", T, "product name", "product", "product name", "description", "item name", "title",
        required=True),
    _f("list_price", M, "list price in currency units", "price", "unit price", "unitprice", "sales price",
        required=True),
    _f("active", B, "sold today (default yes)", "is active", "enabled"),
)

OPPORTUNITY_FIELDS: tuple[Field, ...] = (
    _f("external_id", T, "the deal's id in the other system; re-importing it updates", "id",
        "opportunity id", "deal id", "opportunityid", "record id", max_length=100),
    _f("title", T, "what the deal is called (default: account — product)", "name", "opportunity name",
        "deal name", "opportunity", "deal", "subject"),
    *_CUSTOMER_REF,
    _f("owner", T, "the rep: a user's email or name (default: --owner, else the importing user)",
        "sales agent", "sales rep", "rep", "owner name", "opportunity owner", "deal owner", "account owner",
        "assigned to", "salesperson", max_length=320),
    _f("contact_name", T, "the contact (default: the account's name)", "contact", "primary contact",
        "contact person"),
    _f("contact_email", E, "the contact's email", "email", "e-mail", "contact e-mail"),
    _f("contact_phone", PH, "the contact's phone", "phone", "telephone", "phone number"),
    _f("product", T, "product interest: a SKU or product name (names matched loosely, reported)",
        "product name", "sku", "product interest", "item"),
    _f("quantity", INT, "units (default 1)", "qty", "units", "quantity", minimum=1),
    _f("expected_amount", M, "expected amount in currency units (default 0)", "amount", "value",
        "deal value", "close value", "expected revenue", "deal amount", "opportunity amount"),
    _f("expected_close_date", D, "expected close date", "close date", "expected close", "closing date",
        "close_date"),
    _f("stage", C, "pipeline stage; common names of other CRMs are understood (default captured)",
        "deal stage", "dealstage", "stage name", "status", "sales stage", "pipeline stage",
        choices=tuple(s.value for s in Stage)),
    _f("created_at", DT, "when the deal was created (default: now)", "created", "created date",
        "create date", "engage date", "created on", "date created", "createdate"),
    _f("closed_at", DT, "when a won or lost deal closed (default: close date, else created)", "closed",
        "closed date", "close date actual", "date closed", "closed on"),
    _f("lost_reason", LT, "why it was lost (default: 'Not recorded in the imported file')", "loss reason",
        "reason lost", "closed lost reason", max_length=5000),
    _f("need_summary", LT, "the need", "need", "description", "notes", max_length=5000),
    _f("budget", M, "the customer's budget in currency units", "budget amount"),
    _f("decision_maker", T, "who decides", "decision maker"),
    _f("purchase_timeframe", T, "when they mean to buy", "timeframe", "timing text", max_length=100),
    *(_f(f, S, f"{f.replace('_', ' ')} score 0–10 (SCALE)", f.replace("_", " ")) for f in SCALE_FACTORS),
    # BANT scores carry `_score` in their import names: `budget` is the amount above, `need` the text.
    *(_f(f"{f}_score", S, f"{f} score 0–10 (BANT)", f"{f} score") for f in BANT_FACTORS),
)

ORDER_FIELDS: tuple[Field, ...] = (
    _f("order_key", T, "groups lines into orders; becomes the order's external id (re-import updates)",
        "order id", "order number", "order no", "invoiceno", "invoice no", "invoice", "invoice number",
        "orderid", "order", "external id", required=True, max_length=100),
    *_CUSTOMER_REF,
    _f("customer_region", T, "region or country, used when a missing customer is created", "country",
        "region", "ship country", max_length=100),
    _f("sku", T, "the product's SKU", "stockcode", "stock code", "product code", "item code", "product id",
        "item", "article", max_length=64),
    _f("product", T, "the product's name (matched, loosely too, on lines without a SKU)", "description",
        "product name", "item name", "item description"),
    _f("quantity", INT, "units, a whole number > 0 (negative: see cancelled invoices)", "qty", "units",
        "quantity", "quantity ordered"),
    _f("unit_price", M, "price per unit in currency units (default: the list price)", "unitprice", "price",
        "price each", "unit cost", "sales price"),
    _f("discount", P, "discount in percent 0–100 (default 0)", "discount %", "discount pct",
        "discount percent"),
    _f("status", C, "order status (default entered)", "order status", "state",
        choices=tuple(s.value for s in OrderStatus)),
    _f("created_at", DT, "when the order was placed (default: now)", "invoicedate", "invoice date",
        "order date", "date", "created", "created date", "orderdate"),
    _f("delivered_at", DT, "when it was delivered (default for delivered orders: created_at)",
        "delivery date", "delivered", "delivered date"),
    _f("payment_method", C, "credit_card, paypal or bank_transfer (default bank_transfer)", "payment",
        "payment type", choices=PAYMENT_METHODS),
    _f("delivery_method", C, "standard, express, pickup or freight (default standard)", "delivery",
        "shipping method", "ship mode", "ship via", choices=tuple(DELIVERY_METHODS)),
    _f("shipping", M, "shipping charge of the order in currency units (default 0)", "shipping cost",
        "freight", "shipping charge"),
    _f("tax_rate", P, "tax rate in percent (default 0)", "tax", "tax %", "vat", "vat rate"),
    _f("requested_date", D, "requested delivery date", "requested delivery", "required date", "due date"),
    _f("notes", LT, "notes", "comment", "comments", "remarks", max_length=5000),
    _f("opportunity_external_id", T, "the external id of the opportunity the order came from",
        "opportunity id", "deal id", "opportunity", max_length=100),
)

# fmt: on

FIELDS: dict[Kind, tuple[Field, ...]] = {
    Kind.CUSTOMERS: CUSTOMER_FIELDS,
    Kind.PRODUCTS: PRODUCT_FIELDS,
    Kind.OPPORTUNITIES: OPPORTUNITY_FIELDS,
    Kind.ORDERS: ORDER_FIELDS,
}

# Stage names of other CRMs (Salesforce, HubSpot, Pipedrive, the Kaggle "CRM sales opportunities"
# set), normalised with `normalise_name`. A mapping file's [values.stage] wins over these.
STAGE_SYNONYMS: dict[str, str] = {
    **{k: "captured" for k in ("prospecting", "prospect", "new", "lead", "open", "leadin", "captured")},
    **{
        k: "enriched"
        for k in ("needsanalysis", "engaging", "discovery", "research", "contactmade", "enriched")
    },
    **{
        k: "qualified"
        for k in (
            "qualification",
            "qualified",
            "qualifiedtobuy",
            "valueproposition",
            "iddecisionmakers",
            "perceptionanalysis",
            "decisionmakerboughtin",
        )
    },
    **{
        k: "scheduled"
        for k in (
            "appointmentscheduled",
            "presentationscheduled",
            "proposalpricequote",
            "proposal",
            "proposalmade",
            "negotiationreview",
            "negotiation",
            "contractsent",
            "demoscheduled",
            "meetingscheduled",
            "scheduled",
        )
    },
    **{k: "won" for k in ("closedwon", "won", "win", "dealwon")},
    **{k: "lost" for k in ("closedlost", "lost", "loss", "deallost")},
}
STATUS_SYNONYMS: dict[str, str] = {
    **{s.value.replace("_", ""): s.value for s in OrderStatus},
    "new": "entered",
    "open": "entered",
    "pending": "entered",
    "complete": "delivered",
    "completed": "delivered",
    "fulfilled": "delivered",
    "canceled": "cancelled",
    "onhold": "on_hold",
    "hold": "on_hold",
    "invoice": "invoiced",
    "shipping": "shipped",
    "dispatched": "shipped",
}
CHOICE_SYNONYMS: dict[str, dict[str, str]] = {
    "stage": STAGE_SYNONYMS,
    "status": STATUS_SYNONYMS,
    "payment_method": {
        "creditcard": "credit_card",
        "card": "credit_card",
        "paypal": "paypal",
        "banktransfer": "bank_transfer",
        "wire": "bank_transfer",
        "transfer": "bank_transfer",
        "invoice": "bank_transfer",
    },
    "delivery_method": {m: m for m in DELIVERY_METHODS},
}

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_name(value: str) -> str:
    """'Close Date' → 'closedate', 'deal_stage' → 'dealstage': how column names are compared."""
    return _NON_ALNUM.sub("", value.lower())


def fields_for(kind: Kind | str) -> tuple[Field, ...]:
    return FIELDS[Kind(kind)]
