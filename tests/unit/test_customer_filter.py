"""The Customers list's search and filters, as one Polars expression over the list frame."""

from __future__ import annotations

import polars as pl
import pytest

from crm_core.customers import customer_filter

CUSTOMERS = pl.DataFrame(
    {
        "id": [1, 2, 3, 4],
        "name": ["Northwind Logistics", "Blue Harbor Foods", "Northstar Retail", "Oak Energy"],
        "contact_name": ["Ada Lovelace", "Grace Hopper", None, "Alan Turing"],
        "contact_email": ["ada@northwind.example", "grace@blueharbor.example", None, "alan@oak.example"],
        "tax_id": ["12-3456789", None, "98-7654321", "55-0000001"],
        "industry": ["Logistics", "Food & Beverage", "Retail", "Energy"],
        "region": ["Northeast", "West", "Northeast", "South"],
        "blocked": [False, True, False, False],
    }
)


def ids(expr: pl.Expr) -> list[int]:
    return CUSTOMERS.filter(expr)["id"].to_list()


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("", [1, 2, 3, 4]),
        ("NORTH", [1, 3]),  # case-insensitive, part of the name
        ("hopper", [2]),  # the contact's name
        ("@oak.", [4]),  # the email
        ("98-765", [3]),  # the tax id
        ("(", []),  # literal text, not a pattern
    ],
)
def test_search_looks_in_name_contact_email_and_tax_id(search: str, expected: list[int]) -> None:
    assert ids(customer_filter(search)) == expected


def test_filters_combine_with_the_search() -> None:
    assert ids(customer_filter(industries=["Retail", "Energy"])) == [3, 4]
    assert ids(customer_filter(regions=["Northeast"])) == [1, 3]
    assert ids(customer_filter(blocked="blocked")) == [2]
    assert ids(customer_filter(blocked="not blocked")) == [1, 3, 4]
    assert ids(customer_filter("north", regions=["Northeast"], industries=["Retail"])) == [3]
