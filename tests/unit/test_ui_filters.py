"""The analytics pages' filter values: each is the Polars predicate of the rows it selects and the cache
key of what is computed from them, so a filter cannot change the rows without changing the key."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

import polars as pl
import pytest

import ui.data
from crm_core.store import Store
from ui.filters import Choices, narrowed, selected_rows
from ui.opportunities.pipeline import BY_SIZE, PipelineFilters
from ui.orders.status import OrderStatusFilters
from ui.reports.integration import IntegrationPeriod
from ui.reports.overview import MonthToDate

# For every field of every filter value: a value different from the one in the base value.
BASES: dict[type, tuple[Any, dict[str, Any]]] = {
    PipelineFilters: (
        PipelineFilters(),
        {
            "owners": ("Ann",),
            "segment_by": BY_SIZE,
            "industries": ("Retail",),
            "size_bands": ("1–49",),
            "created": (date(2026, 1, 1), date(2026, 1, 31)),
        },
    ),
    OrderStatusFilters: (
        OrderStatusFilters(),
        {
            "created": (date(2026, 1, 1), date(2026, 1, 31)),
            "regions": ("EMEA",),
            "delivery_methods": ("express",),
            "payment_methods": ("paypal",),
        },
    ),
    IntegrationPeriod: (
        IntegrationPeriod(None, date(2026, 6, 1)),
        {"start": date(2026, 1, 1), "end": date(2026, 6, 2)},
    ),
    MonthToDate: (MonthToDate(date(2026, 6, 15)), {"day": date(2026, 6, 16)}),
}


def variants() -> list[Any]:
    cases = []
    for cls, (base, other) in BASES.items():
        for field in dataclasses.fields(cls):  # a new field without a value here fails below
            cases.append(
                pytest.param(base, field.name, other.get(field.name), id=f"{cls.__name__}.{field.name}")
            )
    return cases


@pytest.mark.parametrize(("base", "name", "value"), variants())
def test_changing_any_field_changes_the_cache_key(base: Any, name: str, value: Any) -> None:
    assert value is not None, f"add a different value for {type(base).__name__}.{name} to BASES"
    changed = dataclasses.replace(base, **{name: value})
    assert changed != base
    assert repr(changed) != repr(base)  # ui.data.derived keys the cache by repr(params)
    assert dataclasses.replace(base) == base and hash(dataclasses.replace(base)) == hash(base)


@pytest.mark.parametrize("cls", list(BASES))
def test_filter_values_are_frozen(cls: type) -> None:
    base, _ = BASES[cls]
    first = dataclasses.fields(cls)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(base, first, None)


def test_a_changed_filter_is_computed_again_and_the_same_filter_is_not(seeded_sqlite_store: Store) -> None:
    calls: list[PipelineFilters] = []

    def compute_for(filters: PipelineFilters) -> Any:
        def compute() -> int:
            calls.append(filters)
            return len(calls)

        return compute

    base = PipelineFilters()
    what = f"test_filters_{id(calls)}"
    assert ui.data.derived(what, base, compute_for(base), seeded_sqlite_store) == 1
    assert (
        ui.data.derived(what, PipelineFilters(), compute_for(base), seeded_sqlite_store) == 1
    )  # equal: cached
    for field, value in BASES[PipelineFilters][1].items():
        changed = dataclasses.replace(base, **{field: value})
        ui.data.derived(what, changed, compute_for(changed), seeded_sqlite_store)
        assert calls[-1] == changed, f"changing {field} did not change the cache key"
    assert len(calls) == 1 + len(dataclasses.fields(PipelineFilters))


OPPORTUNITIES = pl.DataFrame(
    {
        "id": [1, 2, 3, 4, 5],
        "owner": ["Ann", "Ann", "Bob", "Cy", "Ann"],
        "industry": ["Retail", "Energy", "Retail", "Retail", None],
        "size_band": ["1–49", "250–999", "1–49", "50–249", "Unknown"],
        "created_at": [
            datetime(2026, 1, 1, 0, 0),
            datetime(2026, 1, 31, 23, 59),
            datetime(2026, 2, 1, 0, 0),
            datetime(2025, 12, 31, 23, 59),
            datetime(2026, 1, 15, 12, 0),
        ],
    }
)
JANUARY = (date(2026, 1, 1), date(2026, 1, 31))


def picked(frame: pl.DataFrame, predicate: pl.Expr) -> list[int]:
    return frame.filter(predicate)["id"].to_list()


@pytest.mark.parametrize(
    ("filters", "ids"),
    [
        (PipelineFilters(), [1, 2, 3, 4, 5]),
        (PipelineFilters(owners=("Ann",)), [1, 2, 5]),
        (PipelineFilters(owners=("Ann", "Bob")), [1, 2, 3, 5]),
        (PipelineFilters(industries=("Retail",)), [1, 3, 4]),
        # the size bands apply only when segmenting by size, the industries only by industry
        (PipelineFilters(industries=("Retail",), size_bands=("1–49",)), [1, 3, 4]),
        (PipelineFilters(segment_by=BY_SIZE, industries=("Retail",), size_bands=("1–49",)), [1, 3]),
        (PipelineFilters(segment_by=BY_SIZE), [1, 2, 3, 4, 5]),
        # both ends of the span are days included, to the last minute of the last day
        (PipelineFilters(created=JANUARY), [1, 2, 5]),
        (PipelineFilters(owners=("Ann",), industries=("Retail",), created=JANUARY), [1]),
    ],
)
def test_the_pipeline_predicate_selects_what_the_filters_say(
    filters: PipelineFilters, ids: list[int]
) -> None:
    assert picked(OPPORTUNITIES, filters.predicate()) == ids
    assert selected_rows(OPPORTUNITIES, filters)["id"].to_list() == ids


ORDERS = pl.DataFrame(
    {
        "id": [1, 2, 3, 4],
        "region": ["EMEA", "AMER", "EMEA", "APAC"],
        "delivery_method": ["standard", "express", "express", "standard"],
        "payment_method": ["paypal", "paypal", "credit_card", "bank_transfer"],
        "created_at": [
            datetime(2026, 1, 31, 23, 59),
            datetime(2026, 1, 1, 0, 0),
            datetime(2026, 2, 1, 0, 0),
            datetime(2026, 1, 10, 8, 0),
        ],
    }
)


@pytest.mark.parametrize(
    ("filters", "ids"),
    [
        (OrderStatusFilters(), [1, 2, 3, 4]),
        (OrderStatusFilters(regions=("EMEA",)), [1, 3]),
        (OrderStatusFilters(delivery_methods=("express",)), [2, 3]),
        (OrderStatusFilters(payment_methods=("paypal", "bank_transfer")), [1, 2, 4]),
        (OrderStatusFilters(created=JANUARY), [1, 2, 4]),
        (OrderStatusFilters(created=JANUARY, regions=("EMEA",), payment_methods=("paypal",)), [1]),
    ],
)
def test_the_order_status_predicate_selects_what_the_filters_say(
    filters: OrderStatusFilters, ids: list[int]
) -> None:
    assert picked(ORDERS, filters.predicate()) == ids
    assert selected_rows(ORDERS, filters)["id"].to_list() == ids


def test_the_integration_period_keeps_the_deals_won_from_its_first_day() -> None:
    lags = pl.DataFrame(
        {
            "id": [1, 2, 3],
            "closed_at": [datetime(2025, 12, 31, 23, 59), datetime(2026, 1, 1), datetime(2026, 3, 1)],
        }
    )
    assert picked(lags, IntegrationPeriod(date(2026, 1, 1), date(2026, 6, 1)).predicate()) == [2, 3]
    assert picked(lags, IntegrationPeriod(None, date(2026, 6, 1)).predicate()) == [1, 2, 3]


def test_month_to_date_compares_the_same_days_of_last_month() -> None:
    period = MonthToDate(date(2026, 3, 31))
    assert (period.this_start, period.last_start) == (date(2026, 3, 1), date(2026, 2, 1))
    assert period.last_same == date(2026, 3, 1)  # February is shorter: all of it, not into March
    assert MonthToDate(date(2026, 3, 10)).last_same == date(2026, 2, 11)  # 10 days: Feb 1–10
    # the sparklines: the starts of the 12 months up to this one, then the day itself
    assert period.trend_days() == [date(2025, 4 + i, 1) for i in range(9)] + [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
        date(2026, 3, 31),
    ]


@pytest.mark.parametrize(("cls", "frame"), [(PipelineFilters, OPPORTUNITIES), (OrderStatusFilters, ORDERS)])
def test_nothing_narrowed_is_the_frame_itself_and_any_field_narrowed_filters_it(
    cls: type, frame: pl.DataFrame
) -> None:
    base, changes = BASES[cls]
    assert selected_rows(frame, base) is frame  # no copy of a million rows per rerun
    for name, value in changes.items():
        narrowed_filters = dataclasses.replace(base, **{name: value})
        assert selected_rows(frame, narrowed_filters) is not frame, name


def test_the_filter_choices_are_the_distinct_values_and_the_first_and_last_day() -> None:
    choices = Choices.of(OPPORTUNITIES, ("owner", "industry"), ("created_at",))
    assert choices.values == {"owner": ("Ann", "Bob", "Cy"), "industry": ("Energy", "Retail")}
    assert choices.spans == {"created_at": (date(2025, 12, 31), date(2026, 2, 1))}
    assert Choices.of(OPPORTUNITIES.clear(), ("owner",), ("created_at",)) == Choices(
        {"owner": ()}, {"created_at": None}
    )


def test_the_whole_span_picked_means_every_row_and_a_narrower_one_its_days() -> None:
    whole = (date(2025, 12, 31), date(2026, 2, 1))
    assert narrowed(whole, whole) is None
    assert narrowed(JANUARY, whole) == JANUARY
    assert narrowed((date(2025, 12, 31), date(2026, 1, 31)), whole) == (date(2025, 12, 31), date(2026, 1, 31))
