"""Choosing warehouses and moving stock (pure functions)."""

from __future__ import annotations

import pytest

from crm_core.allocation import (
    LineNeed,
    OutOfStock,
    Pick,
    StockLevel,
    WarehouseRef,
    plan_allocation,
    release,
    reserve,
    ship_out,
)
from crm_core.errors import DomainError

NWK = WarehouseRef(1, "NWK", "Newark", 2)
CHI = WarehouseRef(2, "CHI", "Chicago", 1)
DFW = WarehouseRef(3, "DFW", "Dallas", 1)
RNO = WarehouseRef(4, "RNO", "Reno", 4)
ALL = [NWK, CHI, DFW, RNO]
ROUTER, CABLE = 10, 20


def need(line_id: int, product_id: int, quantity: int) -> LineNeed:
    return LineNeed(line_id, line_id, product_id, f"SKU-{product_id}", quantity)


def stock(**levels: dict[int, int]) -> dict[tuple[int, int], StockLevel]:
    """stock(NWK={ROUTER: 5}) → free levels keyed (warehouse id, product id)."""
    by_code = {w.code: w.id for w in ALL}
    return {
        (by_code[code], product): StockLevel(on_hand, 0)
        for code, products in levels.items()
        for product, on_hand in products.items()
    }


def test_one_warehouse_that_can_fill_everything_ships_the_whole_order() -> None:
    plan = plan_allocation(
        [need(1, ROUTER, 3), need(2, CABLE, 10)],
        ALL,
        stock(NWK={ROUTER: 3, CABLE: 10}, CHI={ROUTER: 2, CABLE: 100}),
    )
    assert plan.warehouses == (NWK,)
    assert not plan.is_split
    assert plan.picks == (Pick(1, NWK.id, ROUTER, 3), Pick(2, NWK.id, CABLE, 10))
    assert plan.lead_time_days == 2


def test_among_warehouses_that_can_fill_it_the_shortest_lead_time_wins() -> None:
    plan = plan_allocation(
        [need(1, ROUTER, 3)], ALL, stock(NWK={ROUTER: 9}, RNO={ROUTER: 9}, CHI={ROUTER: 9})
    )
    assert plan.warehouses == (CHI,)


def test_equal_lead_times_are_broken_by_the_warehouse_code() -> None:
    plan = plan_allocation([need(1, ROUTER, 3)], ALL, stock(DFW={ROUTER: 9}, CHI={ROUTER: 9}))
    assert plan.warehouses == (CHI,)  # CHI before DFW, both 1 day


def test_two_lines_of_one_product_must_both_fit_in_the_chosen_warehouse() -> None:
    plan = plan_allocation(
        [need(1, ROUTER, 3), need(2, ROUTER, 3)], ALL, stock(CHI={ROUTER: 5}, NWK={ROUTER: 6})
    )
    assert plan.warehouses == (NWK,)


def test_without_a_single_warehouse_the_order_is_split_into_few_parcels() -> None:
    plan = plan_allocation(
        [need(1, ROUTER, 4), need(2, CABLE, 50)],
        ALL,
        stock(CHI={ROUTER: 4, CABLE: 10}, RNO={CABLE: 50}),
    )
    assert plan.is_split
    assert set(plan.picks) == {Pick(1, CHI.id, ROUTER, 4), Pick(2, RNO.id, CABLE, 50)}
    assert plan.lead_time_days == 4  # the order arrives when the slowest part does
    assert plan.describe() == "Split across CHI (1 line), RNO (1 line)"


def test_a_line_no_warehouse_can_fill_alone_is_split_fastest_first() -> None:
    plan = plan_allocation(
        [need(1, ROUTER, 10)], ALL, stock(RNO={ROUTER: 8}, CHI={ROUTER: 4}, NWK={ROUTER: 1})
    )
    assert plan.picks == (Pick(1, CHI.id, ROUTER, 4), Pick(1, NWK.id, ROUTER, 1), Pick(1, RNO.id, ROUTER, 5))
    assert sum(p.quantity for p in plan.picks) == 10


def test_reserved_stock_is_not_free() -> None:
    levels = {(CHI.id, ROUTER): StockLevel(10, 8), (NWK.id, ROUTER): StockLevel(3, 0)}
    plan = plan_allocation([need(1, ROUTER, 3)], ALL, levels)
    assert plan.warehouses == (NWK,)


def test_when_all_warehouses_together_are_short_it_says_what_is_missing() -> None:
    with pytest.raises(OutOfStock) as short:
        plan_allocation(
            [need(1, ROUTER, 10), need(2, CABLE, 5)],
            ALL,
            stock(CHI={ROUTER: 4, CABLE: 5}, RNO={ROUTER: 5}),
            number="SO-000009",
        )
    assert [(s.product_id, s.needed, s.free) for s in short.value.shortages] == [(ROUTER, 10, 9)]
    assert "Cannot allocate order SO-000009" in str(short.value)
    assert "SKU-10: 10 ordered, 9 free" in str(short.value)


def test_reserve_release_and_ship_move_stock_as_expected() -> None:
    levels = {(CHI.id, ROUTER): StockLevel(10, 2)}
    picks = [Pick(1, CHI.id, ROUTER, 5)]
    reserved = reserve(levels, picks)
    assert reserved[(CHI.id, ROUTER)] == StockLevel(10, 7)
    assert release(reserved, picks)[(CHI.id, ROUTER)] == StockLevel(10, 2)
    assert ship_out(reserved, picks)[(CHI.id, ROUTER)] == StockLevel(5, 2)
    assert levels[(CHI.id, ROUTER)] == StockLevel(10, 2)  # the input is never changed


@pytest.mark.parametrize(
    ("move", "level"),
    [(reserve, StockLevel(4, 0)), (release, StockLevel(10, 4)), (ship_out, StockLevel(4, 4))],
)
def test_a_move_that_would_break_the_stock_rules_is_refused(move: object, level: StockLevel) -> None:
    with pytest.raises(DomainError, match="nothing was changed"):
        move({(CHI.id, ROUTER): level}, [Pick(1, CHI.id, ROUTER, 5)])  # type: ignore[operator]
