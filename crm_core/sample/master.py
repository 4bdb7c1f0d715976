"""Master data: users, products, warehouses and customers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from crm_core.sample.vectors import DAY, _Calendar, _frame, _lognormal, _pick, _text, _times, _where
from crm_core.sample.vocab import (
    BRAND_PREFIXES,
    BRAND_SUFFIXES,
    COMPANY_DOMAIN,
    FIRST_NAMES,
    INDUSTRIES,
    LAST_NAMES,
    LEGAL_FORMS,
    PRODUCTS,
    REGION_AREA_CODES,
    REGION_CITIES,
    REGION_SHARE,
    REP_SHARE,
    STREET_KINDS,
    STREET_NAMES,
    USERS,
    WAREHOUSES,
)


def _users(cal: _Calendar) -> pl.DataFrame:
    n = len(USERS)
    names = [name for name, _ in USERS]
    return _frame(
        "users",
        {
            "id": np.arange(1, n + 1),
            "name": names,
            "email": [f"{nm.lower().replace(' ', '.')}@{COMPANY_DOMAIN}" for nm in names],
            "role": [role for _, role in USERS],
            "active": [True] * n,
            "created_at": _times((cal.monday - 120 + 3 * np.arange(n)) * DAY + 9 * 3600),
        },
    )


def _products() -> pl.DataFrame:
    return _frame(
        "products",
        {
            "id": np.arange(1, len(PRODUCTS) + 1),
            "sku": [f"SW-{1001 + i}" for i in range(len(PRODUCTS))],
            "name": [p[0] for p in PRODUCTS],
            "list_price_cents": [p[1] for p in PRODUCTS],
            "active": [p[5] for p in PRODUCTS],
        },
    )


def _warehouses() -> pl.DataFrame:
    return _frame(
        "warehouses",
        {
            "id": np.arange(1, len(WAREHOUSES) + 1),
            "code": [w[0] for w in WAREHOUSES],
            "name": [w[1] for w in WAREHOUSES],
            "region": [w[2] for w in WAREHOUSES],
            "lead_time_days": [w[3] for w in WAREHOUSES],
        },
    )


@dataclass
class _Customers:
    n: int
    weight: np.ndarray  # how much business each customer does, relative
    region: np.ndarray  # index into WAREHOUSES' regions
    industry: np.ndarray  # index into INDUSTRIES
    owner: np.ndarray  # account owner (user id of a rep)
    frame: pl.DataFrame  # every column but id, created_at, updated_at


def _customers(rng: np.random.Generator, n: int, rep_ids: np.ndarray) -> _Customers:
    brands = [p + s for p in BRAND_PREFIXES for s in BRAND_SUFFIXES if s != p.lower()]
    nouns = [noun for _, group in INDUSTRIES for noun in group]
    combos = len(brands) * len(nouns)
    combo = rng.permutation(combos)[np.arange(n) % combos]
    round_no = np.arange(n) // combos  # only beyond ~47,000 customers
    brand_i, noun_i = combo // len(nouns), combo % len(nouns)
    industry = noun_i // len(INDUSTRIES[0][1])
    brand, noun = _pick(brands, brand_i), _pick(nouns, noun_i)
    brand = pl.select(pl.when(pl.Series(round_no) > 0).then(_text(brand, " ", round_no + 1)).otherwise(brand))
    brand = brand.to_series()
    legal = _pick(LEGAL_FORMS, rng.integers(0, len(LEGAL_FORMS), n))
    name = pl.select(pl.concat_str([brand, pl.lit(" "), noun, pl.lit(" "), legal]).str.strip_chars())
    domain = _text(
        brand.str.to_lowercase().str.replace_all(" ", ""), "-", noun.str.to_lowercase(), ".example"
    )
    first, last = rng.integers(0, len(FIRST_NAMES), n), rng.integers(0, len(LAST_NAMES), n)
    first_s, last_s = _pick(FIRST_NAMES, first), _pick(LAST_NAMES, last)
    region = rng.choice(len(WAREHOUSES), n, p=REGION_SHARE)
    area = _pick(REGION_AREA_CODES, region * 4 + rng.integers(0, 4, n))
    employees = np.clip(_lognormal(rng, 180, 1.3, n), 5, 120_000).astype(np.int64)
    revenue = employees * rng.integers(900, 3_500, n) * 10_000  # $90k-$350k per employee, in cents
    credit = np.clip(np.rint(revenue * 0.02 / 500_000) * 500_000, 2_500_000, 200_000_000).astype(np.int64)
    blocked = np.zeros(n, dtype=bool)
    blocked[rng.choice(n, max(1, round(0.02 * n)), replace=False)] = True
    frame = pl.DataFrame(
        {
            "name": name.to_series(),
            "industry": _pick([i for i, _ in INDUSTRIES], industry),
            "employees": employees,
            "annual_revenue_cents": revenue,
            "region": _pick([w[2] for w in WAREHOUSES], region),
            "credit_limit_cents": credit,
            "blocked": blocked,
            "contact_name": _text(first_s, " ", last_s),
            "contact_email": _text(first_s.str.to_lowercase(), ".", last_s.str.to_lowercase(), "@", domain),
            "contact_phone": _text(
                "+1 ", area, "-555-01", pl.Series(rng.integers(0, 100, n)).cast(pl.Utf8).str.zfill(2)
            ),
        }
    )
    owner = rep_ids[rng.choice(len(rep_ids), n, p=REP_SHARE)]
    return _Customers(n, _lognormal(rng, 1.0, 1.0, n), region, industry, owner, frame)


def _customer_addresses(rng: np.random.Generator, frame: pl.DataFrame) -> pl.DataFrame:
    """Billing address, shipping address (a third ship to a separate dock) and a US tax id (EIN)
    per customer, in the city of its contact's phone area code. Drawn from their own generator, so
    adding them changed no other sample value."""
    n = frame.height
    city = pl.Series(REGION_CITIES).gather(
        frame["contact_phone"]
        .str.slice(3, 3)
        .replace_strict(list(REGION_AREA_CODES), list(range(len(REGION_AREA_CODES))), return_dtype=pl.Int64)
    )
    place = _text(
        city.str.head(-4),
        " ",
        city.str.tail(3),
        pl.Series(rng.integers(0, 100, n)).cast(pl.Utf8).str.zfill(2),
    )
    street = _text(
        pl.Series(rng.integers(10, 9_900, n)).cast(pl.Utf8),
        " ",
        _pick(STREET_NAMES, rng.integers(0, len(STREET_NAMES), n)),
        " ",
        _pick(STREET_KINDS, rng.integers(0, len(STREET_KINDS), n)),
    )
    dock = _text(
        "Receiving dock, ",
        pl.Series(rng.integers(10, 9_900, n)).cast(pl.Utf8),
        " ",
        _pick(STREET_NAMES, rng.integers(0, len(STREET_NAMES), n)),
        " Road",
    )
    billing = _text(street, "\n", place, "\nUnited States")
    separate = rng.random(n) < 1 / 3
    ein = _text(
        pl.Series(rng.integers(10, 99, n)).cast(pl.Utf8),
        "-",
        pl.Series(rng.integers(0, 10_000_000, n)).cast(pl.Utf8).str.zfill(7),
    )
    return pl.DataFrame(
        {
            "billing_address": billing,
            "shipping_address": _where(separate, _text(dock, "\n", place, "\nUnited States")),
            "tax_id": ein,
        }
    )
