"""Cold-start scoring rules: each band's boundary on both sides, history without look-ahead, and
rules files with mistakes refused by the key they are about."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
import pytest

from crm_core.errors import ValidationError
from crm_core.opportunities import FACTORS
from crm_core.scoring.enrichment import default_rules_text, derive, fill_missing, history_counts, parse_rules

T0 = datetime(2025, 3, 1, 12, 0)
RULES = parse_rules(
    """
[segmentation]
unknown = 4
other = 5
[segmentation.industries]
"Software" = 8
[customer_characteristics]
unknown = 3
employees = [{ from = 0, score = 2 }, { from = 50, score = 4 }]
annual_revenue = [{ from = 0, score = 2 }, { from = 5_000_000, score = 6 }]
[relationship_level]
won_deals = [{ from = 0, score = 1 }, { from = 1, score = 5 }]
orders = [{ from = 0, score = 1 }, { from = 2, score = 6 }]
[account_resource]
open_deals = [{ from = 0, score = 9 }, { from = 2, score = 7 }]
[budget]
unknown = 5
coverage_percent = [{ from = 0, score = 2 }, { from = 80, score = 8 }]
[authority]
recorded = 8
unknown = 5
[need]
recorded = 7
[timing]
recorded = 6
unknown = 4
"""
)


def deals(*rows: dict) -> pl.DataFrame:
    """Opportunities with defaults for every column the rules read (ids 1, 2, … in order)."""
    base = {
        "customer_id": 1,
        "owner_id": 1,
        "stage": "captured",
        "created_at": T0,
        "closed_at": None,
        "expected_amount_cents": 0,
        "budget_cents": None,
        "decision_maker": None,
        "need_summary": None,
        "purchase_timeframe": None,
        **dict.fromkeys(FACTORS),
    }
    schema = {
        "id": pl.Int64, "customer_id": pl.Int64, "owner_id": pl.Int64, "stage": pl.String,
        "created_at": pl.Datetime("us"), "closed_at": pl.Datetime("us"), "expected_amount_cents": pl.Int64,
        "budget_cents": pl.Int64, "decision_maker": pl.String, "need_summary": pl.String,
        "purchase_timeframe": pl.String, **dict.fromkeys(FACTORS, pl.Float64),
    }  # fmt: skip
    return pl.DataFrame([{"id": i, **base, **row} for i, row in enumerate(rows, start=1)], schema=schema)


def customers(*rows: dict) -> pl.DataFrame:
    base = {"industry": None, "employees": None, "annual_revenue_cents": None}
    return pl.DataFrame(
        [{"id": i, **base, **row} for i, row in enumerate(rows, start=1)],
        schema={
            "id": pl.Int64,
            "industry": pl.String,
            "employees": pl.Int64,
            "annual_revenue_cents": pl.Int64,
        },
    )


NO_ORDERS = pl.DataFrame(schema={"customer_id": pl.Int64, "created_at": pl.Datetime("us")})


def derived(
    factor: str, opportunities: pl.DataFrame, clients: pl.DataFrame, orders: pl.DataFrame = NO_ORDERS
) -> list:
    return derive(opportunities, clients, orders, RULES).get_column(factor).to_list()


def one_deal_per_customer(n: int) -> pl.DataFrame:
    return deals(*({"customer_id": i} for i in range(1, n + 1)))


def test_segmentation_scores_the_listed_industry_ignoring_case_and_spaces_else_other_else_unknown() -> None:
    clients = customers(
        {"industry": " SOFTWARE "}, {"industry": "Mining"}, {"industry": None}, {"industry": ""}
    )
    assert derived("segmentation", one_deal_per_customer(4), clients) == [8.0, 5.0, 4.0, 4.0]


def test_customer_characteristics_band_at_50_employees_and_5_million_revenue_and_take_the_mean() -> None:
    clients = customers(
        {"employees": 49},
        {"employees": 50},
        {"annual_revenue_cents": 499_999_999},
        {"annual_revenue_cents": 500_000_000},
        {"employees": 50, "annual_revenue_cents": 500_000_000},
        {},
    )
    assert derived("customer_characteristics", one_deal_per_customer(6), clients) == [
        2.0,
        4.0,
        2.0,
        6.0,
        5.0,
        3.0,
    ]


def test_relationship_counts_only_wins_closed_before_the_deal_was_created() -> None:
    opportunities = deals(
        {"stage": "won", "created_at": T0 - timedelta(days=30), "closed_at": T0},  # closes as deal 2 starts
        {"created_at": T0},
        {"created_at": T0 + timedelta(seconds=1)},
        {
            "stage": "won",
            "customer_id": 2,
            "created_at": T0 - timedelta(days=9),
            "closed_at": T0 + timedelta(days=9),
        },
        {"customer_id": 2, "created_at": T0},  # that win comes later: no look-ahead
    )
    clients = customers({}, {})
    counts = history_counts(opportunities, NO_ORDERS).get_column("won_deals").to_list()
    assert counts == [0, 0, 1, 0, 0]
    assert derived("relationship_level", opportunities, clients) == [1.0, 1.0, 5.0, 1.0, 1.0]


def test_relationship_takes_the_higher_score_of_wins_and_orders_entered_before_the_deal() -> None:
    orders = pl.DataFrame(
        {"customer_id": [1, 1, 1], "created_at": [T0 - timedelta(days=2), T0 - timedelta(days=1), T0]},
        schema={"customer_id": pl.Int64, "created_at": pl.Datetime("us")},
    )
    opportunities = deals(
        {"created_at": T0 - timedelta(days=1)}, {"created_at": T0}, {"created_at": T0 + timedelta(hours=1)}
    )
    assert history_counts(opportunities, orders).get_column("orders").to_list() == [1, 2, 3]
    assert derived("relationship_level", opportunities, customers({}), orders) == [1.0, 6.0, 6.0]


def test_account_resource_counts_the_owners_deals_open_when_the_deal_was_created() -> None:
    day = timedelta(days=1)
    opportunities = deals(
        {"created_at": T0 - 10 * day, "closed_at": T0 - 5 * day, "stage": "lost"},  # closed before deal 4
        {"created_at": T0 - 9 * day},
        {"created_at": T0 - 8 * day, "closed_at": T0 + day, "stage": "won"},  # still open at deal 4
        {"created_at": T0},  # deals 2 and 3 open
        {"created_at": T0, "owner_id": 2},  # another owner's load
        {"created_at": T0 + 2 * day},  # deals 2 and 4 open (3 closed the day before)
    )
    clients = customers({})
    assert history_counts(opportunities, NO_ORDERS).get_column("open_deals").to_list() == [0, 1, 2, 2, 0, 2]
    assert derived("account_resource", opportunities, clients) == [9.0, 9.0, 7.0, 7.0, 9.0, 7.0]


def test_budget_scores_its_coverage_of_the_amount_at_80_percent_and_is_unknown_without_an_amount() -> None:
    opportunities = deals(
        {"expected_amount_cents": 10_000, "budget_cents": 7_999},
        {"expected_amount_cents": 10_000, "budget_cents": 8_000},
        {"expected_amount_cents": 0, "budget_cents": 8_000},
        {"expected_amount_cents": 10_000},
    )
    assert derived("budget", opportunities, customers({})) == [2.0, 8.0, 5.0, 5.0]


def test_authority_need_and_timing_score_what_is_recorded_and_leave_empty_without_an_unknown_score() -> None:
    opportunities = deals(
        {"decision_maker": "CFO", "need_summary": "fleet renewal", "purchase_timeframe": "Q3"},
        {"decision_maker": "  ", "need_summary": "", "purchase_timeframe": None},
    )
    clients = customers({})
    assert derived("authority", opportunities, clients) == [8.0, 5.0]
    assert derived("need", opportunities, clients) == [7.0, None]
    assert derived("timing", opportunities, clients) == [6.0, 4.0]


def test_filling_keeps_every_score_a_person_entered_and_lists_what_was_derived() -> None:
    opportunities = deals(
        {"segmentation": 2.0, "relationship_level": 9.5},
        dict.fromkeys(FACTORS, 1.0),  # fully scored: nothing to fill
    )
    filled = fill_missing(
        opportunities, derive(opportunities, customers({"industry": "Software"}), NO_ORDERS, RULES)
    )
    assert filled.get_column("id").to_list() == [1]
    row = filled.row(0, named=True)
    assert (row["segmentation"], row["relationship_level"], row["customer_characteristics"]) == (
        2.0,
        9.5,
        3.0,
    )
    # need has no `unknown` score in these rules, and the deal records no need: it stays empty
    assert row["need"] is None
    assert row["derived"] == [f for f in FACTORS if f not in ("segmentation", "relationship_level", "need")]


def test_the_default_rules_file_parses_and_scores_a_small_software_customer() -> None:
    rules = parse_rules(default_rules_text())
    opportunities = deals({"expected_amount_cents": 100, "budget_cents": 100})
    row = derive(opportunities, customers({"industry": "Software", "employees": 50}), NO_ORDERS, rules).row(
        0, named=True
    )
    assert row == {
        "id": 1, "segmentation": 8.0, "customer_characteristics": 4.0, "relationship_level": 1.0,
        "account_resource": 9.0, "budget": 10.0, "authority": 5.0, "need": 5.0, "timing": 5.0,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[segmentaton]\nunknown = 3", "'[segmentaton]' is not a factor"),
        ("[segmentation]\nunkown = 3", "'segmentation.unkown' is not a rule of segmentation"),
        ("[need]\nrecorded = 11", "'need.recorded' must be a score from 0 to 10, not 11"),
        (
            "[account_resource]\nopen_deals = [{ from = 0, score = 9 }, { from = 0, score = 7 }]",
            "'account_resource.open_deals[2].from' must be above the band before it (0), not 0",
        ),
        (
            "[customer_characteristics]\nemployees = [{ from = 0, points = 9 }]",
            "'customer_characteristics.employees[1]': each band has exactly two keys",
        ),
        ("[segmentation.industries]\nRetail = -1", "'segmentation.industries.Retail' must be a score"),
        ("[budget\nunknown = 5", "Enrichment rules: not valid TOML"),
    ],
)
def test_a_rules_file_with_a_mistake_is_refused_naming_the_key(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_rules(text)
    assert str(refused.value).startswith(message)
