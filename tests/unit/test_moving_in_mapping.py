"""Column mapping when moving in: our own export's ids are not taken for other systems' ids, and a
mapping file can leave a detected column out with `field = ""`."""

from __future__ import annotations

from crm_core.io.mapping import detect_mapping, parse_mapping_toml


def test_our_customer_id_beside_the_customer_name_is_not_an_external_id() -> None:
    ours = detect_mapping("opportunities", ["id", "title", "customer_id", "customer", "owner_id", "owner"])
    assert "customer_external_id" not in ours.columns
    assert ours.columns["customer"] == "customer"
    theirs = detect_mapping("orders", ["InvoiceNo", "CustomerID", "Country"])
    assert theirs.columns["customer_external_id"] == "CustomerID"


def test_an_empty_column_name_in_a_mapping_leaves_the_detected_field_out() -> None:
    detected = detect_mapping("opportunities", ["Deal", "Account", "Sales Agent", "Stage"])
    assert detected.columns["owner"] == "Sales Agent"
    mapping = parse_mapping_toml('[columns]\nowner = ""\n', "opportunities").merged_over(detected)
    assert "owner" not in mapping.columns
    assert not mapping.provides("owner")
    assert mapping.columns["customer"] == "Account"
