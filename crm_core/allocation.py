"""Choosing warehouses for an order and moving stock: pure functions, no database.

Policy (docs/architecture.md §1.4, "distribution"):
1. If one warehouse can fill every line, it ships the whole order. Among several, the one with
   the shortest lead time wins, then the lower warehouse code (so the choice is deterministic).
2. Otherwise the order is split. Warehouses are taken greedily: the one that can fill the most
   remaining lines completely (ties again by lead time, then code) takes all of those lines;
   repeat. A line that no single warehouse can fill is itself split across warehouses in
   lead-time order. This keeps the number of parcels small without searching every combination.
3. If the warehouses together do not have enough free stock (on hand − reserved) of a product,
   nothing is reserved and `OutOfStock` says what is short and by how much.

The promised date uses the slowest warehouse that ships a part: the order arrives complete.

Stock moves are pure too: `reserve` (allocate), `release` (cancel before shipping) and `ship_out`
(stock leaves the warehouse) take stock levels and picks and return the new levels, refusing
anything that would make a level negative or reserve more than is on hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from crm_core.errors import DomainError

StockKey = tuple[int, int]  # (warehouse_id, product_id)


@dataclass(frozen=True)
class WarehouseRef:
    id: int
    code: str
    name: str
    lead_time_days: int


@dataclass(frozen=True)
class LineNeed:
    """What one order line needs from the warehouses."""

    line_id: int
    line_no: int
    product_id: int
    sku: str
    quantity: int


@dataclass(frozen=True)
class Pick:
    """Part (or all) of one line, reserved in (and later shipped from) one warehouse."""

    line_id: int
    warehouse_id: int
    product_id: int
    quantity: int


@dataclass(frozen=True)
class StockLevel:
    on_hand: int
    reserved: int

    @property
    def free(self) -> int:
        return self.on_hand - self.reserved


@dataclass(frozen=True)
class Shortage:
    product_id: int
    sku: str
    needed: int
    free: int

    @property
    def missing(self) -> int:
        return self.needed - self.free

    def describe(self) -> str:
        return f"{self.sku}: {self.needed:,} ordered, {self.free:,} free across all warehouses"


class OutOfStock(DomainError):
    """The warehouses together cannot fill the order; names every product that is short."""

    def __init__(self, shortages: Sequence[Shortage], number: str | None = None) -> None:
        self.shortages = tuple(shortages)
        who = f"order {number}" if number else "this order"
        details = "; ".join(s.describe() for s in self.shortages)
        super().__init__(f"Cannot allocate {who}: not enough stock ({details}).")


@dataclass(frozen=True)
class AllocationPlan:
    picks: tuple[Pick, ...]
    warehouses: tuple[WarehouseRef, ...]  # the warehouses used, in the order they were chosen

    @property
    def lead_time_days(self) -> int:
        return max(w.lead_time_days for w in self.warehouses)

    @property
    def is_split(self) -> bool:
        return len(self.warehouses) > 1

    def describe(self) -> str:
        lines_per = defaultdict(set)
        for pick in self.picks:
            lines_per[pick.warehouse_id].add(pick.line_id)
        parts = []
        for w in self.warehouses:
            n = len(lines_per[w.id])
            parts.append(f"{w.code} ({n} line{'s' if n != 1 else ''})")
        how = "Split across " if self.is_split else "All from "
        return how + ", ".join(parts)


def _by_speed(warehouses: Iterable[WarehouseRef]) -> list[WarehouseRef]:
    return sorted(warehouses, key=lambda w: (w.lead_time_days, w.code))


def free_by_product(levels: Mapping[StockKey, StockLevel]) -> dict[int, int]:
    """Free stock (on hand − reserved) per product, summed over all warehouses."""
    free: dict[int, int] = defaultdict(int)
    for (_, product_id), level in levels.items():
        free[product_id] += max(level.free, 0)
    return dict(free)


def shortages(needs: Sequence[LineNeed], levels: Mapping[StockKey, StockLevel]) -> list[Shortage]:
    """Products ordered in larger quantity than all warehouses have free, in line order."""
    needed: dict[int, int] = defaultdict(int)
    skus: dict[int, str] = {}
    for need in needs:
        needed[need.product_id] += need.quantity
        skus.setdefault(need.product_id, need.sku)
    free = free_by_product(levels)
    return [
        Shortage(product_id, skus[product_id], quantity, free.get(product_id, 0))
        for product_id, quantity in needed.items()
        if quantity > free.get(product_id, 0)
    ]


def plan_allocation(
    needs: Sequence[LineNeed],
    warehouses: Sequence[WarehouseRef],
    levels: Mapping[StockKey, StockLevel],
    *,
    number: str | None = None,
) -> AllocationPlan:
    """Which warehouse ships what (see the module docstring for the policy); `OutOfStock` if short."""
    if not needs:
        raise DomainError(
            f"Cannot allocate {'order ' + number if number else 'this order'}: it has no lines."
        )
    short = shortages(needs, levels)
    if short:
        raise OutOfStock(short, number)
    free = {key: level.free for key, level in levels.items()}
    ordered = _by_speed(warehouses)

    def fillable(warehouse: WarehouseRef, lines: Sequence[LineNeed]) -> list[LineNeed]:
        left: dict[int, int] = {}
        taken = []
        for need in lines:
            key = (warehouse.id, need.product_id)
            available = left.get(need.product_id, free.get(key, 0))
            if available >= need.quantity:
                left[need.product_id] = available - need.quantity
                taken.append(need)
        return taken

    picks: list[Pick] = []
    used: list[WarehouseRef] = []
    remaining = list(needs)
    while remaining:
        best, best_lines = None, []
        for warehouse in ordered:  # fastest first, so a tie keeps the faster (then lower-code) one
            lines = fillable(warehouse, remaining)
            if len(lines) > len(best_lines):
                best, best_lines = warehouse, lines
        if best is not None:
            for need in best_lines:
                free[(best.id, need.product_id)] = free.get((best.id, need.product_id), 0) - need.quantity
                picks.append(Pick(need.line_id, best.id, need.product_id, need.quantity))
            taken_ids = {n.line_id for n in best_lines}
            remaining = [n for n in remaining if n.line_id not in taken_ids]
            if best not in used:
                used.append(best)
            continue
        need, remaining = remaining[0], remaining[1:]  # no warehouse fills it alone: split the line
        still = need.quantity
        for warehouse in ordered:
            key = (warehouse.id, need.product_id)
            take = min(still, max(free.get(key, 0), 0))
            if take <= 0:
                continue
            free[key] -= take
            still -= take
            picks.append(Pick(need.line_id, warehouse.id, need.product_id, take))
            if warehouse not in used:
                used.append(warehouse)
            if still == 0:
                break
    return AllocationPlan(tuple(picks), tuple(used))


def _moved(
    levels: Mapping[StockKey, StockLevel], picks: Iterable[Pick], on_hand: int, reserved: int
) -> dict[StockKey, StockLevel]:
    """New levels after adding `on_hand`·q and `reserved`·q per pick; refuses impossible levels."""
    out = dict(levels)
    for pick in picks:
        key = (pick.warehouse_id, pick.product_id)
        level = out.get(key, StockLevel(0, 0))
        new = StockLevel(level.on_hand + on_hand * pick.quantity, level.reserved + reserved * pick.quantity)
        if new.on_hand < 0 or new.reserved < 0 or new.reserved > new.on_hand:
            raise DomainError(
                f"Stock of product {pick.product_id} in warehouse {pick.warehouse_id} would become "
                f"{new.on_hand:,} on hand with {new.reserved:,} reserved; nothing was changed."
            )
        out[key] = new
    return out


def reserve(levels: Mapping[StockKey, StockLevel], picks: Iterable[Pick]) -> dict[StockKey, StockLevel]:
    """Allocation: the picked quantities become reserved (they must be free)."""
    return _moved(levels, picks, on_hand=0, reserved=+1)


def release(levels: Mapping[StockKey, StockLevel], picks: Iterable[Pick]) -> dict[StockKey, StockLevel]:
    """Cancellation before shipping: the reserved quantities become free again."""
    return _moved(levels, picks, on_hand=0, reserved=-1)


def ship_out(levels: Mapping[StockKey, StockLevel], picks: Iterable[Pick]) -> dict[StockKey, StockLevel]:
    """Shipping: the reserved goods leave the warehouse (on hand and reserved both go down)."""
    return _moved(levels, picks, on_hand=-1, reserved=-1)
