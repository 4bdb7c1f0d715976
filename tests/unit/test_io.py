"""Column mapping, field parsing and export, without a database."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crm_core.errors import ValidationError
from crm_core.io import detect_mapping, frame_bytes, neutralise_formulas, parse_mapping_toml, read_table_file
from crm_core.io.mapping import ColumnMapping
from crm_core.io.parse import parse_fields, select_fields
from crm_core.io.read import MAX_IMPORT_BYTES


def test_retail_column_names_are_recognised_as_order_fields() -> None:
    columns = [
        "InvoiceNo",
        "StockCode",
        "Description",
        "Quantity",
        "InvoiceDate",
        "UnitPrice",
        "CustomerID",
        "Country",
    ]
    assert detect_mapping("orders", columns).columns == {
        "order_key": "InvoiceNo",
        "customer_external_id": "CustomerID",
        "customer_region": "Country",
        "sku": "StockCode",
        "product": "Description",
        "quantity": "Quantity",
        "unit_price": "UnitPrice",
        "created_at": "InvoiceDate",
    }


def test_crm_column_names_are_recognised_whatever_their_case_and_spacing() -> None:
    columns = [
        "opportunity_id",
        "sales_agent",
        "Account",
        "deal_stage",
        "Close Date",
        "engage_date",
        "close_value",
    ]
    assert detect_mapping("opportunities", columns).columns == {
        "external_id": "opportunity_id",
        "customer": "Account",
        "owner": "sales_agent",
        "expected_amount": "close_value",
        "expected_close_date": "Close Date",
        "stage": "deal_stage",
        "created_at": "engage_date",
    }


def test_a_mapping_file_sets_columns_values_constants_and_the_date_format() -> None:
    mapping = parse_mapping_toml(
        """
        [columns]
        external_id = "opportunity_id"
        stage = "deal_stage"
        [values.stage]
        Prospecting = "captured"
        Won = "won"
        [constants]
        quantity = 2
        [format]
        date = "%m/%d/%Y"
        """,
        "opportunities",
    )
    assert mapping == ColumnMapping(
        {"external_id": "opportunity_id", "stage": "deal_stage"},
        {"stage": {"Prospecting": "captured", "Won": "won"}},
        {"quantity": "2"},
        "%m/%d/%Y",
        None,
    )
    assert parse_mapping_toml(mapping.to_toml(), "opportunities") == mapping


def test_a_mapping_file_naming_an_unknown_field_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="colour"):
        parse_mapping_toml('[columns]\ncolour = "Color"\n', "customers")
    with pytest.raises(ValidationError, match="not valid TOML"):
        parse_mapping_toml("[columns\n", "customers")


def parsed(kind: str, frame: pl.DataFrame, mapping: ColumnMapping) -> pl.DataFrame:
    raw = frame.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))
    return parse_fields(select_fields(raw, kind, mapping), kind, mapping).collect()


def test_amounts_keep_exact_cents_and_bad_ones_get_a_reason() -> None:
    frame = pl.DataFrame({"Price": ["1,054.50", "$3", "2.555", "-4", "abc", None]})
    out = parsed("products", frame, ColumnMapping({"list_price": "Price"}))
    assert out["list_price"].to_list()[:2] == [105_450, 300]
    assert out["_why_list_price"].to_list() == [
        None,
        None,
        "has more than two decimals",
        "must not be negative",
        "'abc' is not an amount",
        "is required",
    ]


def test_dates_in_iso_and_us_form_are_read_and_others_are_named() -> None:
    frame = pl.DataFrame({"d": ["2026-03-15", "3/15/2026", "15.03.2026"]})
    out = parsed("opportunities", frame, ColumnMapping({"expected_close_date": "d"}))
    assert out["expected_close_date"].cast(pl.String).to_list() == ["2026-03-15", "2026-03-15", None]
    assert out["_why_expected_close_date"][2].startswith("'15.03.2026' is not a date")


def test_stage_names_of_other_crms_and_value_maps_become_our_stages() -> None:
    frame = pl.DataFrame({"s": ["Closed Won", "closedlost", "Qualification", "Engaging", "Pitching"]})
    out = parsed(
        "opportunities", frame, ColumnMapping({"stage": "s"}, values={"stage": {"Pitching": "scheduled"}})
    )
    assert out["stage"].to_list() == ["won", "lost", "qualified", "enriched", "scheduled"]
    assert out["_why_stage"].null_count() == 5


def test_exported_text_that_a_spreadsheet_would_run_is_neutralised() -> None:
    frame = pl.DataFrame(
        {"t": ["=1+2", "+1 555", "-x", "@SUM(A1)", "\tx", "\rx", "plain"], "n": list(range(7))}
    )
    got = neutralise_formulas(frame)
    assert got["t"].to_list() == ["'=1+2", "'+1 555", "'-x", "'@SUM(A1)", "'\tx", "'\rx", "plain"]
    assert_frame_equal(got.select("n"), frame.select("n"))


@pytest.mark.parametrize(
    ("fmt", "shown"), [("csv", "'=HYPERLINK(1)"), ("xlsx", "'=HYPERLINK(1)"), ("parquet", "=HYPERLINK(1)")]
)
def test_formulas_are_neutralised_in_the_formats_a_spreadsheet_opens_and_kept_in_parquet(
    fmt: str, shown: str
) -> None:
    frame = pl.DataFrame({"name": ["=HYPERLINK(1)", "Acme"], "amount": [1, 2]})
    back = read_table_file(frame_bytes(frame, fmt), f"x.{fmt}")
    assert back["name"].to_list() == [shown, "Acme"]
    assert back["amount"].to_list() == ["1", "2"]


def test_a_file_over_the_size_limit_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValidationError, match="the limit is 200 MB"):
        read_table_file(b"x" * (MAX_IMPORT_BYTES + 1), "big.csv")
    with pytest.raises(ValidationError, match="not a CSV, Excel"):
        read_table_file(b"a,b\n1,2\n", "data.json")
