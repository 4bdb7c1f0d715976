"""The sample-data generator: deterministic, schema-exact, and consistent with the domain rules."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String

from crm_core import sample
from crm_core.errors import ValidationError
from crm_core.money import line_total_cents, tax_cents
from crm_core.opportunities import BANT_FACTORS, FACTORS, SCALE_FACTORS, STAGE_MOVES, Stage
from crm_core.orders import DELIVERY_METHODS, PAYMENT_METHODS, TRANSITIONS, Action, OrderStatus, promised_date
from crm_core.store.models import TABLE_ORDER, Base, UTCDateTime, data_columns

AS_OF = date(2026, 11, 20)
END_OF_AS_OF = datetime(2026, 11, 20, 23, 59, 59)
RESERVING = {"allocated", "invoiced", "paid"}


@pytest.fixture(scope="module")
def demo() -> dict[str, pl.DataFrame]:
    return sample.generate(2000, seed=7, as_of=AS_OF)


@pytest.fixture(scope="module", params=[2000, 50], ids=["demo", "small"])
def data(request: pytest.FixtureRequest, demo: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    return demo if request.param == 2000 else sample.generate(request.param, seed=11, as_of=AS_OF)


def expected_dtype(column) -> pl.DataType:  # independent of the generator's own mapping
    sql_type = column.type
    if isinstance(sql_type, UTCDateTime | DateTime):
        return pl.Datetime("us")
    for sql, dtype in ((Date, pl.Date), (Boolean, pl.Boolean), (Integer, pl.Int64), (Float, pl.Float64)):
        if isinstance(sql_type, sql):
            return dtype()
    assert isinstance(sql_type, String), column
    return pl.Utf8()


def events_of(data: dict[str, pl.DataFrame], entity_type: str) -> pl.DataFrame:
    return data["events"].filter(pl.col("entity_type") == entity_type).sort("entity_id", "id")


def auc(score: pl.Series, positive: pl.Series) -> float:
    ranks = score.rank("average").to_numpy()
    pos = positive.to_numpy()
    n1, n0 = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


# --- determinism and schema --------------------------------------------------------------------------


def test_the_same_arguments_give_identical_frames():
    first = sample.generate(300, seed=3, as_of=AS_OF)
    second = sample.generate(300, seed=3, as_of=AS_OF)
    assert list(first) == list(second) == list(TABLE_ORDER)
    for name in TABLE_ORDER:
        assert_frame_equal(first[name], second[name])


def test_a_different_seed_gives_different_data():
    first = sample.generate(300, seed=3, as_of=AS_OF)
    other = sample.generate(300, seed=4, as_of=AS_OF)
    for name in ("customers", "opportunities", "orders", "events"):
        assert not first[name].equals(other[name]), name


def test_every_table_has_exactly_the_models_columns_in_order_with_the_frame_dtypes(data):
    assert list(data) == list(TABLE_ORDER)
    for name in TABLE_ORDER:
        columns = data_columns(Base.metadata.tables[name])  # without the bookkeeping (row_version)
        assert data[name].columns == [c.name for c in columns], name
        for column in columns:
            assert data[name].schema[column.name] == expected_dtype(column), (name, column.name)


def test_ids_count_up_from_one(data):
    for name in TABLE_ORDER:
        if name != "stock":
            assert data[name]["id"].to_list() == list(range(1, data[name].height + 1)), name


def test_numbers_emails_skus_and_names_are_unique(data):
    for table, column in [
        ("users", "email"),
        ("customers", "name"),
        ("products", "sku"),
        ("warehouses", "code"),
        ("orders", "number"),
        ("invoices", "number"),
        ("invoices", "order_id"),
        ("weight_presets", "name"),
    ]:
        assert data[table][column].null_count() == 0
        assert data[table][column].is_unique().all(), (table, column)
    assert data["stock"].select(pl.struct("warehouse_id", "product_id").is_unique().all()).item()


def test_every_foreign_key_resolves(data):
    for name in TABLE_ORDER:
        for column in Base.metadata.tables[name].columns:
            for fk in column.foreign_keys:
                target = data[fk.column.table.name][fk.column.name]
                values = data[name][column.name].drop_nulls()
                assert values.is_in(target.implode()).all(), f"{name}.{column.name} → {fk.target_fullname}"


def test_order_numbers_follow_the_ids(data):
    orders = data["orders"]
    assert (orders["number"] == "SO-" + orders["id"].cast(pl.Utf8).str.zfill(6)).all()


# --- master data -------------------------------------------------------------------------------------


def test_users_are_reps_managers_and_an_admin_with_a_manager_first_and_a_rep_second(data):
    users = data["users"]
    roles = users["role"].value_counts().sort("role")
    assert dict(roles.iter_rows()) == {"admin": 1, "manager": 2, "rep": 8}
    assert users["role"][:2].to_list() == ["manager", "rep"]
    assert users["email"].str.ends_with("@scalewise.example").all()


def test_customers_are_realistic_and_a_few_are_blocked(demo):
    customers = demo["customers"]
    assert customers.height == 2000 // 6
    assert customers["external_id"].null_count() == customers.height
    domains = customers["contact_email"].str.split("@").list.last()
    assert domains.str.ends_with(".example").all()
    assert (
        domains.str.split("-").list.first()
        == customers["name"].str.split(" ").list.first().str.to_lowercase()
    ).all()
    assert set(customers["region"]) == set(demo["warehouses"]["region"])
    assert 0.01 <= customers["blocked"].mean() <= 0.04
    assert customers["industry"].n_unique() >= 5


def test_no_order_of_a_blocked_customer_was_audited_after_the_block(data):
    blocked = data["customers"].filter("blocked").select(customer_id="id", blocked_at="updated_at")
    audits = (
        events_of(data, "order")
        .filter(action=Action.AUDIT)
        .join(data["orders"], left_on="entity_id", right_on="id")
        .join(blocked, on="customer_id")
    )
    assert (audits["at"] < audits["blocked_at"]).all()
    assert blocked.height >= 1


def test_small_data_sets_still_have_twenty_customers():
    assert sample.generate(30, seed=1, as_of=AS_OF)["customers"].height == 20


def test_products_have_skus_prices_in_range_and_a_couple_inactive(data):
    products = data["products"]
    assert products["sku"].str.contains(r"^SW-\d{4}$").all()
    assert products["list_price_cents"].is_between(2_000, 2_000_000).all()
    assert 20 <= products.height <= 30
    assert 1 <= (~products["active"]).sum() <= 3


def test_there_is_stock_for_every_warehouse_and_active_product_only(data):
    active = data["products"].filter("active")["id"]
    expected = data["warehouses"].select(warehouse_id="id").join(active.to_frame("product_id"), how="cross")
    assert_frame_equal(
        data["stock"].select("warehouse_id", "product_id"),
        expected,
        check_row_order=False,
        check_dtypes=False,
    )
    assert data["warehouses"]["lead_time_days"].is_between(1, 5).all()


# --- opportunities -----------------------------------------------------------------------------------


def test_every_stage_and_every_order_status_occurs(demo):
    assert set(demo["opportunities"]["stage"]) == set(Stage)
    assert set(demo["orders"]["status"]) == set(OrderStatus)
    assert set(demo["meetings"]["kind"]) == {"call", "meeting", "demo"}


def test_old_opportunities_are_mostly_closed_and_recent_ones_mostly_open(demo):
    opps = demo["opportunities"].with_columns(closed=pl.col("stage").is_in(["won", "lost"]))
    old = opps.filter(pl.col("created_at") < datetime(2026, 6, 1))["closed"].mean()
    recent = opps.filter(pl.col("created_at") > datetime(2026, 10, 20))["closed"].mean()
    assert old > 0.95
    assert recent < 0.5


def test_scores_are_within_zero_to_ten_and_present_exactly_from_qualified_on(data):
    opps = data["opportunities"]
    reached_qualified = events_of(data, "opportunity").filter(action="qualify")["entity_id"]
    scored = opps["id"].is_in(reached_qualified.implode())
    for factor in FACTORS:
        assert (opps[factor].is_not_null() == scored).all(), factor
        assert opps[factor].drop_nulls().is_between(0, 10).all(), factor
        assert ((opps[factor].drop_nulls() * 10) % 1 == 0).all(), "scores have at most one decimal"


def test_enrichment_is_filled_exactly_from_enriched_on(data):
    opps = data["opportunities"]
    enriched = opps["id"].is_in(events_of(data, "opportunity").filter(action="enrich")["entity_id"].implode())
    for column in ("need_summary", "budget_cents", "decision_maker", "purchase_timeframe"):
        assert (opps[column].is_not_null() == enriched).all(), column
    assert (opps.filter(stage="captured")["need_summary"].is_null()).all()


def test_opportunities_carry_their_customer_contact_product_and_amount(data):
    opps = (
        data["opportunities"]
        .join(data["customers"], left_on="customer_id", right_on="id", suffix="_customer")
        .join(data["products"], left_on="product_id", right_on="id", suffix="_product")
    )
    assert (opps["contact_email"] == opps["contact_email_customer"]).all()
    assert (opps["contact_name"] == opps["contact_name_customer"]).all()
    assert (opps["title"] == opps["name"] + " — " + opps["name_product"]).all()
    assert (opps["expected_amount_cents"] == opps["quantity"] * opps["list_price_cents"]).all()
    assert opps["active"].all(), "opportunities are for products on sale"
    owners = data["users"].filter(role="rep")["id"]
    assert opps["owner_id"].is_in(owners.implode()).all()
    assert (opps["version"] == 1).all()
    assert opps["external_id"].null_count() == opps.height


def test_only_closed_opportunities_have_a_close_time_and_only_lost_ones_a_reason(data):
    opps = data["opportunities"]
    closed = opps["stage"].is_in(["won", "lost"])
    assert (opps["closed_at"].is_not_null() == closed).all()
    assert (opps["lost_reason"].is_not_null() == (opps["stage"] == "lost")).all()
    assert (opps.filter(closed)["updated_at"] == opps.filter(closed)["closed_at"]).all()


def test_won_deals_follow_the_true_value_and_the_win_rate_is_plausible(demo):
    opps = demo["opportunities"].filter(pl.col("stage").is_in(["won", "lost"]))
    win_rate = (opps["stage"] == "won").mean()
    assert 0.25 <= win_rate <= 0.45
    scored = opps.filter(pl.col("segmentation").is_not_null())
    weights = np.array(sample.TRUE_SCALE_WEIGHTS) / sum(sample.TRUE_SCALE_WEIGHTS)
    value = scored.select(sum(w * pl.col(f) for w, f in zip(weights, SCALE_FACTORS, strict=True))).to_series()
    assert auc(value, scored["stage"] == "won") > 0.7
    assert sample.TRUE_SCALE_WEIGHTS != (0.3, 0.2, 0.3, 0.2)
    assert len(sample.TRUE_BANT_WEIGHTS) == len(BANT_FACTORS)


def test_meetings_exist_exactly_for_opportunities_that_reached_scheduled(data):
    scheduled = events_of(data, "opportunity").filter(action="schedule")
    meetings = data["meetings"].join(data["opportunities"], left_on="opportunity_id", right_on="id")
    assert sorted(meetings["opportunity_id"]) == sorted(scheduled["entity_id"])
    assert (meetings["created_by"] == meetings["owner_id"]).all()
    assert (meetings["scheduled_at"] > meetings["created_at"]).all()
    open_ones = meetings.filter(stage="scheduled")["scheduled_at"]
    assert (open_ones > END_OF_AS_OF).all()
    assert (open_ones < datetime(2026, 11, 20) + timedelta(days=22)).all()
    closed = meetings.filter(pl.col("stage") != "scheduled")
    assert (closed["scheduled_at"] <= closed["closed_at"]).all()


# --- orders and money --------------------------------------------------------------------------------


def test_order_count_defaults_to_three_quarters_of_the_opportunities(demo):
    assert demo["orders"].height == 1500


def test_won_opportunities_each_get_an_order_for_the_same_customer_with_their_line(data):
    won = data["opportunities"].filter(stage="won")
    converted = data["orders"].filter(pl.col("opportunity_id").is_not_null())
    assert set(won["id"]) == set(converted["opportunity_id"])
    lines = data["order_lines"].select("order_id", line_product="product_id", line_quantity="quantity")
    joined = converted.join(won, left_on="opportunity_id", right_on="id", suffix="_opp").join(
        lines, left_on="id", right_on="order_id"
    )
    assert joined.height == converted.height, "an order from an opportunity has one line"
    assert (joined["customer_id"] == joined["customer_id_opp"]).all()
    assert (joined["line_product"] == joined["product_id"]).all()
    assert (joined["created_at"] >= joined["closed_at"]).all()
    first_orders = joined.sort("id").unique("opportunity_id", keep="first")
    assert (first_orders["line_quantity"] == first_orders["quantity"]).all()


def test_repeat_orders_have_one_to_four_distinct_products(data):
    lines = data["order_lines"].join(data["orders"], left_on="order_id", right_on="id")
    per_order = lines.group_by("order_id").agg(
        n=pl.len(), products=pl.col("product_id").n_unique(), line_nos=pl.col("line_no").sort()
    )
    assert per_order["n"].is_between(1, 4).all()
    assert (per_order["n"] == per_order["products"]).all()
    assert all(nos == list(range(1, len(nos) + 1)) for nos in per_order["line_nos"].to_list())
    assert data["orders"]["id"].is_in(lines["order_id"].implode()).all()


def test_order_totals_follow_the_money_rules(data):
    lines = data["order_lines"]
    subtotals: dict[int, int] = {}
    for order_id, qty, price, discount in lines.select(
        "order_id", "quantity", "unit_price_cents", "discount_bp"
    ).iter_rows():
        subtotals[order_id] = subtotals.get(order_id, 0) + line_total_cents(qty, price, discount)
    for order_id, shipping, rate, total in (
        data["orders"].select("id", "shipping_cents", "tax_rate_bp", "total_cents").iter_rows()
    ):
        subtotal = subtotals[order_id]
        assert total == subtotal + shipping + tax_cents(subtotal, rate), order_id
    invoices = data["invoices"].join(data["orders"], left_on="order_id", right_on="id", suffix="_order")
    for row in invoices.iter_rows(named=True):
        assert row["subtotal_cents"] == subtotals[row["order_id"]]
        assert row["shipping_cents"] == row["shipping_cents_order"]
        assert row["tax_cents"] == tax_cents(row["subtotal_cents"], row["tax_rate_bp"])
        assert row["total_cents"] == row["total_cents_order"]
    discounts = lines["discount_bp"]
    assert (discounts == 0).mean() > 0.6
    assert discounts.filter(discounts > 0).is_between(500, 1500).all()


def test_orders_use_known_payment_and_delivery_methods(data):
    orders = data["orders"]
    assert orders["payment_method"].is_in(PAYMENT_METHODS).all()
    assert orders["delivery_method"].is_in(list(DELIVERY_METHODS)).all()
    assert orders["tax_rate_bp"].is_between(0, 10_000).all()
    assert (orders["shipping_cents"] >= 0).all()
    assert (orders["requested_date"] > orders["created_at"].dt.date()).all()
    assert (orders["version"] == 1).all()


def test_no_order_ships_without_a_payment_equal_to_its_invoice_total(data):
    orders = data["orders"].join(
        data["invoices"], left_on="id", right_on="order_id", how="left", suffix="_inv"
    )
    paid = data["payments"].group_by("order_id").agg(pl.col("amount_cents").sum(), pl.len().alias("payments"))
    orders = orders.join(paid, left_on="id", right_on="order_id", how="left")
    shipped = orders.filter(pl.col("status").is_in(["shipped", "delivered"]))
    assert shipped.height > 0 or data["orders"].height < 100
    assert (shipped["amount_cents"] == shipped["total_cents_inv"]).all()
    assert shipped["payments"].null_count() == 0


def test_invoices_and_payments_exist_exactly_for_orders_that_reached_them(data):
    order_events = events_of(data, "order")
    invoiced = order_events.filter(action=Action.INVOICE)["entity_id"]
    paid = order_events.filter(action=Action.RECORD_PAYMENT)["entity_id"]
    assert sorted(data["invoices"]["order_id"]) == sorted(invoiced)
    assert sorted(data["payments"]["order_id"]) == sorted(paid)
    assert set(paid) <= set(invoiced)
    payments = (
        data["payments"]
        .join(data["invoices"], left_on="invoice_id", right_on="id")
        .join(data["orders"], left_on="order_id", right_on="id", suffix="_order")
    )
    assert (payments["order_id"] == payments["order_id_right"]).all()
    assert (payments["amount_cents"] == payments["total_cents"]).all()
    assert (payments["method"] == payments["payment_method"]).all()
    assert (payments["paid_at"] > payments["issued_at"]).all()


def test_invoice_numbers_are_gap_free_per_year_in_issue_order(data):
    invoices = data["invoices"].sort("id")
    assert invoices["issued_at"].is_sorted()
    parsed = invoices.select(
        year=pl.col("number").str.slice(4, 4).cast(pl.Int32),
        seq=pl.col("number").str.slice(9).cast(pl.Int64),
        issued_year=pl.col("issued_at").dt.year(),
    )
    assert invoices["number"].str.contains(r"^INV-\d{4}-\d{6}$").all()
    assert (parsed["year"] == parsed["issued_year"]).all()
    for _, group in parsed.group_by("year"):
        assert group["seq"].to_list() == list(range(1, group.height + 1))
    assert (invoices["due_date"] == invoices["issued_at"].dt.date() + timedelta(days=30)).all()


def test_status_fields_match_the_status(data):
    orders = data["orders"]
    on_hold = orders["status"] == "on_hold"
    cancelled = orders["status"] == "cancelled"
    shipped = orders["status"].is_in(["shipped", "delivered"])
    assert (orders["held_from"].is_not_null() == on_hold).all()
    assert (orders["hold_reason"].is_not_null() == on_hold).all()
    assert (
        orders.filter(on_hold)["held_from"]
        .is_in(["entered", "audited", "allocated", "invoiced", "paid"])
        .all()
    )
    assert (orders["cancel_reason"].is_not_null() == cancelled).all()
    assert (orders["tracking_number"].is_not_null() == shipped).all()
    assert (orders["shipped_at"].is_not_null() == shipped).all()
    assert (orders["delivered_at"].is_not_null() == (orders["status"] == "delivered")).all()
    was_paid = orders["id"].is_in(data["payments"]["order_id"].implode())
    assert (orders["refund_due"] == (cancelled & was_paid)).all()


def test_promised_dates_follow_the_domain_rule_from_the_allocation_day(data):
    allocated_at = events_of(data, "order").filter(action=Action.ALLOCATE).select("entity_id", "at")
    warehouse = data["allocations"].group_by("order_id").agg(pl.col("warehouse_id").first())
    orders = (
        data["orders"]
        .join(allocated_at, left_on="id", right_on="entity_id", how="left")
        .join(warehouse, left_on="id", right_on="order_id", how="left")
        .join(data["warehouses"], left_on="warehouse_id", right_on="id", how="left")
        .with_columns(transit=pl.col("delivery_method").replace_strict(DELIVERY_METHODS))
    )
    assert (orders["promised_date"].is_null() == orders["at"].is_null()).all()
    promised = orders.filter(pl.col("at").is_not_null())
    expected = [
        promised_date(row["at"].date(), row["lead_time_days"], row["delivery_method"], row["payment_method"])
        for row in promised.select("at", "lead_time_days", "delivery_method", "payment_method").to_dicts()
    ]
    assert promised["promised_date"].to_list() == expected


def test_reserved_stock_equals_the_open_allocations(data):
    orders = data["orders"].with_columns(
        holds_stock=pl.col("status").is_in(RESERVING)
        | ((pl.col("status") == "on_hold") & pl.col("held_from").is_in(RESERVING))
    )
    allocations = data["allocations"].join(orders, left_on="order_id", right_on="id")
    assert (allocations["released"] == (allocations["status"] == "cancelled")).all()
    open_allocations = (
        allocations.filter(pl.col("holds_stock") & ~pl.col("released"))
        .group_by("warehouse_id", "product_id")
        .agg(expected=pl.col("quantity").sum())
    )
    stock = data["stock"].join(open_allocations, on=["warehouse_id", "product_id"], how="full", coalesce=True)
    assert stock["reserved"].null_count() == 0, "every open allocation has a stock row"
    assert (stock["reserved"] == stock["expected"].fill_null(0)).all()
    assert (stock["reserved"] >= 0).all()
    assert (stock["reserved"] <= stock["on_hand"]).all()
    assert (stock["on_hand"] >= 0).all()


def test_allocations_cover_every_line_of_orders_that_were_allocated(data):
    allocated = events_of(data, "order").filter(action=Action.ALLOCATE)["entity_id"]
    lines = data["order_lines"].filter(pl.col("order_id").is_in(allocated.implode()))
    allocations = data["allocations"].join(lines, left_on="line_id", right_on="id", suffix="_line")
    assert allocations.height == lines.height == data["allocations"].height
    assert (allocations["order_id"] == allocations["order_id_line"]).all()
    assert (allocations["product_id"] == allocations["product_id_line"]).all()
    assert (allocations["quantity"] == allocations["quantity_line"]).all()


def test_discontinued_products_appear_only_in_finished_orders(data):
    inactive = data["products"].filter(~pl.col("active"))["id"]
    lines = data["order_lines"].filter(pl.col("product_id").is_in(inactive.implode()))
    statuses = data["orders"].filter(pl.col("id").is_in(lines["order_id"].implode()))["status"]
    assert statuses.is_in(["delivered", "cancelled"]).all()


# --- events and time ---------------------------------------------------------------------------------


def test_events_are_numbered_in_time_order_and_strictly_increase_per_entity(data):
    events = data["events"]
    assert events["at"].is_sorted()
    steps = events.sort("entity_type", "entity_id", "id").with_columns(
        previous=pl.col("at").shift().over("entity_type", "entity_id")
    )
    assert (steps["previous"].is_null() | (steps["at"] > steps["previous"])).all()
    assert set(events["entity_type"]) == {"opportunity", "order"}


def test_opportunity_events_replay_to_the_current_stage(data):
    events = events_of(data, "opportunity")
    reach_action = {
        "enriched": "enrich",
        "qualified": "qualify",
        "scheduled": "schedule",
        "won": "win",
        "lost": "lose",
    }
    current: dict[int, str | None] = {}
    for entity_id, action, from_state, to_state in events.select(
        "entity_id", "action", "from_state", "to_state"
    ).iter_rows():
        state = current.get(entity_id)
        assert from_state == state, (entity_id, action)
        if state is None:
            assert (action, to_state) == ("capture", "captured")
        else:
            assert Stage(to_state) in STAGE_MOVES[Stage(state)], (entity_id, state, to_state)
            assert action == reach_action[to_state]
        current[entity_id] = to_state
    opps = data["opportunities"]
    assert dict(zip(opps["id"], opps["stage"], strict=True)) == current
    last = events.group_by("entity_id").agg(pl.col("at").max())
    updated = opps.join(last, left_on="id", right_on="entity_id")
    assert (updated["updated_at"] == updated["at"]).all()
    created = opps.join(events.filter(action="capture"), left_on="id", right_on="entity_id")
    assert (created["created_at"] == created["at"]).all()
    assert (created["actor_id"] == created["owner_id"]).all()


def test_order_events_replay_to_the_current_status(data):
    events = events_of(data, "order")
    current: dict[int, str | None] = {}
    held_from: dict[int, str] = {}
    for entity_id, action, from_state, to_state in events.select(
        "entity_id", "action", "from_state", "to_state"
    ).iter_rows():
        state = current.get(entity_id)
        assert from_state == state, (entity_id, action)
        if state is None:
            assert (action, to_state) == ("create", "entered")
        elif action == Action.RESUME:
            assert state == "on_hold" and to_state == held_from.pop(entity_id)
        else:
            assert TRANSITIONS[(OrderStatus(state), Action(action))] == to_state, (entity_id, state, action)
            if action == Action.HOLD:
                held_from[entity_id] = state
        current[entity_id] = to_state
    orders = data["orders"]
    assert dict(zip(orders["id"], orders["status"], strict=True)) == current
    last = events.group_by("entity_id").agg(pl.col("at").max())
    changed = orders.join(last, left_on="id", right_on="entity_id")
    assert (changed["status_changed_at"] == changed["at"]).all()
    created = orders.join(events.filter(action="create"), left_on="id", right_on="entity_id")
    assert (created["created_at"] == created["at"]).all()
    shipped = orders.join(events.filter(action=Action.SHIP), left_on="id", right_on="entity_id")
    assert (shipped["shipped_at"] == shipped["at"]).all()


def test_history_covers_about_eighteen_months_and_ends_at_as_of(data):
    for name in TABLE_ORDER:
        for column, dtype in data[name].schema.items():
            if dtype != pl.Datetime("us") or (name, column) == ("meetings", "scheduled_at"):
                continue
            values = data[name][column].drop_nulls()
            assert (values <= END_OF_AS_OF).all(), (name, column)
            if name != "users":
                assert (values >= datetime(2025, 5, 1)).all(), (name, column)


def test_the_demo_spreads_opportunities_over_the_whole_history(demo):
    created = demo["opportunities"]["created_at"]
    assert created.min() < datetime(2025, 6, 1)
    assert created.max() > datetime(2026, 11, 13)
    per_quarter = created.dt.truncate("3mo").value_counts()["count"]
    assert per_quarter.min() > 50


def test_weight_presets_are_a_published_team_default_and_an_unpublished_alternative(data):
    presets = data["weight_presets"].sort("id")
    team, other = presets.row(0, named=True), presets.row(1, named=True)
    assert team["name"] == "Team default" and team["published"]
    assert [team[f] for f in SCALE_FACTORS] == [0.3, 0.2, 0.3, 0.2]
    assert [team[f] for f in BANT_FACTORS] == [0.25] * 4
    assert team["published_at"] is not None and team["published_by"] == team["author_id"]
    assert not other["published"] and other["published_at"] is None
    managers = set(data["users"].filter(role="manager")["id"])
    assert {team["author_id"], other["author_id"]} <= managers


# --- arguments, files and command line ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"n_opportunities": 0}, "n_opportunities"),
        ({"n_opportunities": 10, "n_orders": -1}, "n_orders"),
        ({"n_opportunities": 10, "as_of": datetime(2026, 1, 1)}, "as_of"),
    ],
)
def test_bad_arguments_are_refused_naming_the_field(kwargs, field):
    kwargs.setdefault("as_of", AS_OF)
    with pytest.raises(ValidationError) as error:
        sample.generate(**kwargs)
    assert error.value.field == field


def test_an_explicit_order_count_is_kept_when_it_covers_the_won_deals():
    frames = sample.generate(200, seed=5, as_of=AS_OF, n_orders=400)
    assert frames["orders"].height == 400
    no_repeat = sample.generate(200, seed=5, as_of=AS_OF, n_orders=0)
    assert no_repeat["orders"]["opportunity_id"].null_count() == 0
    assert no_repeat["orders"].height >= (no_repeat["opportunities"]["stage"] == "won").sum()


def test_the_command_line_writes_csvs_and_a_manifest_that_read_back_exactly(tmp_path):
    out = tmp_path / "sample"
    code = sample.main(["--opportunities", "80", "--seed", "3", "--out", str(out), "--as-of", "2026-11-20"])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{n}.csv" for n in TABLE_ORDER] + ["manifest.json"]
    )
    frames, manifest = sample.read_sample(out)
    expected = sample.generate(80, seed=3, as_of=AS_OF)
    for name in TABLE_ORDER:
        assert_frame_equal(frames[name], expected[name])
    assert manifest == {
        "seed": 3,
        "as_of": "2026-11-20",
        "generator_version": sample.GENERATOR_VERSION,
        "counts": {name: expected[name].height for name in TABLE_ORDER},
    }
    assert json.loads((out / "manifest.json").read_text())["counts"]["opportunities"] == 80


def test_reading_a_damaged_sample_names_the_file(tmp_path):
    sample.write_sample(sample.generate(30, seed=1, as_of=AS_OF), tmp_path, seed=1, as_of=AS_OF)
    (tmp_path / "orders.csv").write_text("id,number\nnot-a-number,SO-1\n")
    with pytest.raises(ValidationError) as error:
        sample.read_sample(tmp_path)
    assert error.value.field == "orders.csv"


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--opportunities", "many"], "opportunities"),
        (["--opportunities", "0"], "opportunities"),
        (["--as-of", "20/11/2026"], "as-of"),
        (["--orders", "-5"], "orders"),
    ],
)
def test_the_command_line_refuses_bad_arguments_naming_them(tmp_path, capsys, argv, field):
    with pytest.raises(SystemExit) as exit_:
        sample.main([*argv, "--out", str(tmp_path / "out")])
    assert exit_.value.code == 2
    assert field in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
