"""Write the realistic files other systems export, deterministically (`python make_files.py`).

Nothing here comes from Scalewise's sample generator: these are the shapes a team moving in
brings — a CRM's accounts export, a product list, a Salesforce opportunities report (US dates,
"$12,500.00"), a HubSpot deals export (stage ids, ISO times, owner emails), a Pipedrive deals
export (day-first dates, won/lost/open, lost reasons) and an ERP's order lines (C-numbered
cancellations, returns, missing customer ids, prices of 0 and 0.001). The dates lie years in
the past (2011–2019) with gaps of several months, as old systems' data does. The files are
committed; re-running this script rewrites them byte for byte.
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 13

OWNERS = [
    ("Hannah Whitfield", "hannah.whitfield@northwind-trading.example", "rep"),
    ("Tomás Ferreira", "tomas.ferreira@northwind-trading.example", "rep"),
    ("Aiko Tanaka", "aiko.tanaka@northwind-trading.example", "rep"),
    ("Marcus Oyelaran", "marcus.oyelaran@northwind-trading.example", "rep"),
    ("Greta Lindholm", "greta.lindholm@northwind-trading.example", "manager"),
]
INDUSTRIES = ["Retail", "Manufacturing", "Software", "Healthcare", "Logistics", "Finance", ""]
COUNTRIES = ["United Kingdom", "France", "Germany", "Netherlands", "EIRE", "Spain", "Australia"]
ACCOUNT_WORDS = [
    "Amber",
    "Anchor",
    "Birch",
    "Cobalt",
    "Delta",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Indigo",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Maple",
    "Nimbus",
    "Onyx",
    "Pioneer",
    "Quarry",
    "Raven",
    "Summit",
    "Tidal",
    "Umber",
    "Vertex",
    "Willow",
    "Yarrow",
    "Zephyr",
]
ACCOUNT_KINDS = ["Holdings", "Ltd", "GmbH", "Trading Co.", "Supplies", "Group", "S.A.", "Inc."]
PRODUCTS = [
    ("85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "2.55"),
    ("71053", "WHITE METAL LANTERN", "3.39"),
    ("84406B", "CREAM CUPID HEARTS COAT HANGER", "2.75"),
    ("22752", "SET 7 BABUSHKA NESTING BOXES", "7.65"),
    ("21730", "GLASS STAR FROSTED T-LIGHT HOLDER", "4.25"),
    ("22633", "HAND WARMER UNION JACK", "1.85"),
    ("84879", "ASSORTED COLOUR BIRD ORNAMENT", "1.69"),
    ("22745", "POPPY'S PLAYHOUSE BEDROOM", "2.10"),
    ("90037A", "TINY CRYSTAL BRACELET RED", "1.25"),
    ("90037B", "TINY CRYSTAL BRACELET GREEN", "1.25"),
    ("72349B", "OCEAN SCENT CANDLE", "1.95"),
    ("72349C", "ROSE SCENT CANDLE", "1.95"),
    ("POST", "POSTAGE", "18.00"),
    ("NW-ERP-STD", "Warehouse ERP Standard licence", "12500.00"),
    ("NW-ERP-PRO", "Warehouse ERP Professional licence", "32000.00"),
    ("NW-IMPL", "Implementation days (block of 10)", "9500.00"),
    ("NW-SUPPORT", "Annual support plan", "4800.00"),
    ("NW-SCAN", "Handheld scanner kit", "1450.00"),
]
DEAL_PRODUCTS = PRODUCTS[13:]
# Months with no activity at all: the old systems were switched off, migrated or simply idle.
SF_MONTHS = (
    [(2011, m) for m in range(3, 13)]
    + [(2012, m) for m in (1, 2, 3, 4, 5)]
    + [(2013, m) for m in range(2, 10)]
)
HS_MONTHS = [(2015, m) for m in range(4, 13)] + [(2016, m) for m in (1, 2, 3, 9, 10, 11, 12)]
PD_MONTHS = [(2017, m) for m in range(5, 13)] + [(2018, m) for m in (1, 2, 3, 4)]
ERP_MONTHS = [(2011, m) for m in (1, 2, 3, 4, 9, 10, 11, 12)] + [(2019, m) for m in (2, 3, 4, 5)]


def _write(name: str, header: list[str], rows: list[list[str]]) -> None:
    with (HERE / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _day_in(rng: random.Random, months: list[tuple[int, int]]) -> date:
    year, month = rng.choice(months)
    return date(year, month, rng.randint(1, 28))


def _accounts(rng: random.Random) -> list[list[str]]:
    rows = []
    names = set()
    while len(rows) < 60:
        name = f"{rng.choice(ACCOUNT_WORDS)} {rng.choice(ACCOUNT_WORDS)} {rng.choice(ACCOUNT_KINDS)}"
        if name in names:
            continue
        names.add(name)
        employees = rng.choice([8, 25, 60, 140, 450, 1200, 5200])
        revenue = employees * rng.randint(60, 240) * 1000
        rows.append(
            [
                f"001{len(rows) + 1:05d}",
                name,
                rng.choice(INDUSTRIES),
                str(employees),
                f"{revenue:,}.00",
                rng.choice(COUNTRIES),
                f"+44 20 7946 {rng.randint(1000, 9999)}",
            ]
        )
    return rows


def _deal_amount(rng: random.Random) -> tuple[str, int]:
    sku, _name, price = rng.choice(DEAL_PRODUCTS)
    quantity = rng.choice([1, 1, 1, 2, 3, 5])
    return sku, int(float(price)) * quantity


def _salesforce(rng: random.Random, accounts: list[list[str]]) -> list[list[str]]:
    stages = ["Closed Won"] * 5 + ["Closed Lost"] * 4 + ["Negotiation/Review", "Prospecting", "Qualification"]
    rows = []
    for n in range(180):
        created = _day_in(rng, SF_MONTHS)
        close = created + timedelta(days=rng.randint(10, 120))
        _sku, amount = _deal_amount(rng)
        account = rng.choice(accounts)[1]
        rows.append(
            [
                f"0063000000{n:05d}",
                account,
                f"{account.split()[0]} warehouse rollout {n}",
                rng.choice(stages),
                f"${amount:,}.00",
                f"{close.month}/{close.day}/{close.year}",
                rng.choice(OWNERS[:4])[0],
                f"{created.month}/{created.day}/{created.year}",
                f"{created.month}/{created.day}/{created.year} {rng.randint(8, 18)}:{rng.randint(0, 59):02d}",
            ]
        )
    return rows


def _hubspot(rng: random.Random, accounts: list[list[str]]) -> list[list[str]]:
    stages = (
        ["closedwon"] * 4 + ["closedlost"] * 3 + ["qualifiedtobuy", "appointmentscheduled", "contractsent"]
    )
    rows = []
    for n in range(160):
        created = datetime.combine(_day_in(rng, HS_MONTHS), datetime.min.time()) + timedelta(
            hours=rng.randint(7, 19), minutes=rng.randint(0, 59)
        )
        close = created + timedelta(days=rng.randint(7, 90), hours=rng.randint(0, 5))
        _sku, amount = _deal_amount(rng)
        owner = rng.choice(OWNERS[:4])
        rows.append(
            [
                str(4_100_000_000 + n * 7),
                f"{rng.choice(ACCOUNT_WORDS)} deal {n}",
                rng.choice(stages),
                str(amount) if n % 37 else "",
                close.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                str(52_000_000 + OWNERS.index(owner)),
                owner[1],
                rng.choice(accounts)[1],
                "default",
            ]
        )
    return rows


def _pipedrive(rng: random.Random, accounts: list[list[str]]) -> list[list[str]]:
    reasons = ["Price too high", "Went with a competitor", "No budget this year", "Project cancelled"]
    rows = []
    for n in range(150):
        created = _day_in(rng, PD_MONTHS)
        status = rng.choice(["won", "won", "lost", "lost", "open"])
        closed = created + timedelta(days=rng.randint(5, 100))
        _sku, amount = _deal_amount(rng)
        rows.append(
            [
                str(4100 + n),  # Pipedrive's deal ID
                f"{rng.choice(ACCOUNT_WORDS)} scanners {n}",
                rng.choice(accounts)[1],
                f"{amount}",
                "EUR",
                status,
                closed.strftime("%d/%m/%Y 14:%M") if status == "won" else "",
                closed.strftime("%d/%m/%Y 16:%M") if status == "lost" else "",
                rng.choice(reasons) if status == "lost" else "",
                rng.choice(OWNERS[:4])[0],
                created.strftime("%d/%m/%Y"),
                closed.strftime("%d/%m/%Y"),
            ]
        )
    return rows


def _erp_lines(rng: random.Random) -> list[list[str]]:
    retail = PRODUCTS[:13]
    customers = [str(12_346 + 37 * i) for i in range(40)]
    rows = []
    invoice = 536_365
    while len(rows) < 420:
        day = _day_in(rng, ERP_MONTHS)
        when = f"{day.month}/{day.day}/{day.year} {rng.randint(8, 17)}:{rng.randint(0, 59):02d}"
        cancelled = rng.random() < 0.06
        customer = "" if rng.random() < 0.08 else rng.choice(customers)
        country = rng.choice(COUNTRIES[:5])
        number = f"C{invoice}" if cancelled else str(invoice)
        for _ in range(rng.randint(1, 5)):
            sku, name, price = rng.choice(retail)
            quantity = rng.choice([1, 2, 3, 6, 12, 24])
            if cancelled:
                quantity = -quantity
            elif rng.random() < 0.03:
                quantity = -rng.choice([1, 2])  # a return typed into a normal invoice
            unit = price
            roll = rng.random()
            if roll < 0.02:
                unit = "0"
            elif roll < 0.03:
                unit = "0.001"
            rows.append([number, sku, name, str(quantity), when, unit, customer, country])
        invoice += 1
    return rows


def main() -> None:
    rng = random.Random(SEED)
    accounts = _accounts(rng)
    _write("users.csv", ["name", "email", "role"], [list(o) for o in OWNERS])
    _write(
        "accounts.csv",
        ["Account ID", "Account Name", "Industry", "Employees", "Annual Revenue", "Billing Country", "Phone"],
        accounts,
    )
    _write(
        "products.csv",
        ["Product Code", "Product Name", "List Price", "Active"],
        [[s, n, p, "true"] for s, n, p in PRODUCTS],
    )
    _write(
        "salesforce_opportunities.csv",
        [
            "Opportunity ID",
            "Account Name",
            "Opportunity Name",
            "Stage",
            "Amount",
            "Close Date",
            "Opportunity Owner",
            "Created Date",
            "Last Modified",
        ],
        _salesforce(rng, accounts),
    )
    _write(
        "hubspot_deals.csv",
        [
            "Record ID",
            "dealname",
            "dealstage",
            "amount",
            "closedate",
            "createdate",
            "hubspot_owner_id",
            "Deal owner email",
            "Associated Company",
            "pipeline",
        ],
        _hubspot(rng, accounts),
    )
    _write(
        "pipedrive_deals.csv",
        [
            "ID",
            "Title",
            "Organization",
            "Value",
            "Currency",
            "Status",
            "Won time",
            "Lost time",
            "Lost reason",
            "Owner",
            "Deal created",
            "Expected close date",
        ],
        _pipedrive(rng, accounts),
    )
    _write(
        "erp_order_lines.csv",
        [
            "InvoiceNo",
            "StockCode",
            "Description",
            "Quantity",
            "InvoiceDate",
            "UnitPrice",
            "CustomerID",
            "Country",
        ],
        _erp_lines(rng),
    )


if __name__ == "__main__":
    main()
