"""AppTest of the Data page's import (a file placed in session state, as the uploader would), the
Integration page and the Overview tiles."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from crm_core.io import read
from tests.app.conftest import APP
from tests.import_files import RETAIL_ORDER_LINES
from ui.text import plain

ADMIN_ID, REP_ID = 11, 2  # Elena Petrova (admin) and Daniel Okafor (rep) in the sample data


def acting_as(user_id: int, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["auth_user_id"] = user_id
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def with_file(at: AppTest, name: str, text: str, kind: str) -> AppTest:
    at.session_state["data_import_file"] = {"name": name, "data": text.encode()}
    at.selectbox(key="data_import_kind").set_value(kind).run()
    assert not at.exception, at.exception
    return at


def test_the_data_page_proposes_the_detected_column_mapping(app_db: Path) -> None:
    at = with_file(acting_as(ADMIN_ID, "pages/data.py"), "retail.csv", RETAIL_ORDER_LINES, "orders")
    mapping = at.dataframe[1].value  # the editor: one row per field, the detected column beside it
    chosen = dict(zip(mapping["field"], mapping["column"], strict=True))
    assert chosen["order_key *"] == "InvoiceNo" and chosen["sku"] == "StockCode"
    assert chosen["created_at"] == "InvoiceDate" and chosen["customer_external_id"] == "CustomerID"
    texts = " ".join(m.value for m in at.markdown)
    assert plain("retail.csv") in texts and "10 rows" in texts


def test_a_dry_run_shows_the_report_and_changes_nothing(app_db: Path) -> None:
    at = with_file(acting_as(ADMIN_ID, "pages/data.py"), "retail.csv", RETAIL_ORDER_LINES, "orders")
    at.toggle(key="data_import_lenient").set_value(True).run()
    at.toggle(key="data_import_create").set_value(True).run()
    at.button(key="data_import_dry").click().run()
    assert not at.exception, at.exception
    assert any("10 rows read, 5 would be imported, 5 rejected" in w.value for w in at.warning)
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Rows read"], metrics["Would be imported"], metrics["Rejected"]) == ("10", "5", "5")
    assert metrics["Orders"] == "1,500"  # the table counts: nothing was written


def test_a_strict_import_with_bad_rows_is_refused_and_says_why(app_db: Path) -> None:
    at = with_file(acting_as(ADMIN_ID, "pages/data.py"), "retail.csv", RETAIL_ORDER_LINES, "orders")
    at.button(key="data_import_go").click().run()
    assert not at.exception, at.exception
    assert any("Strict mode: nothing was imported" in e.value for e in at.error)


def test_a_lenient_import_writes_the_valid_orders(app_db: Path) -> None:
    at = with_file(acting_as(ADMIN_ID, "pages/data.py"), "retail.csv", RETAIL_ORDER_LINES, "orders")
    at.toggle(key="data_import_lenient").set_value(True).run()
    at.toggle(key="data_import_create").set_value(True).run()
    at.button(key="data_import_go").click().run()
    assert not at.exception, at.exception
    assert any("10 rows read, 5 imported, 5 rejected" in w.value for w in at.warning)
    assert {m.label: m.value for m in at.metric}["Orders"] == "1,504"


def test_a_refused_upload_shows_why_and_is_not_read_again_on_rerun(
    app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wide = ",".join(f"c{i}" for i in range(501)) + "\n" + "x," * 500 + "x\n"
    at = with_file(acting_as(ADMIN_ID, "pages/data.py"), "wide.csv", wide, "customers")
    refusal = "File: wide.csv has 501 columns in its header; the limit is 500."
    assert any(refusal in e.value for e in at.error)
    monkeypatch.setattr(read, "MAX_IMPORT_COLUMNS", 1_000)  # read again, the file would now pass
    at.selectbox(key="data_import_kind").set_value("products").run()
    assert not at.exception, at.exception
    assert any(refusal in e.value for e in at.error)
    assert "Column mapping" not in " ".join(m.value for m in at.markdown)


def test_a_rep_cannot_import_but_can_download_tables(app_db: Path) -> None:
    at = acting_as(REP_ID, "pages/data.py")
    assert any("Only an admin can import" in c.value for c in at.caption)
    with pytest.raises(KeyError):
        at.selectbox(key="data_import_kind")


def test_the_integration_page_shows_s_o_e_and_switches_to_segments(app: AppTest) -> None:
    app.switch_page("pages/integration.py").run()
    labels = [m.label for m in app.metric]
    for expected in ("Won (S)", "Delivered (O)", "E for the period", "Won → order", "Unpaid invoices"):
        assert expected in labels
    app.segmented_control(key="integration_by").set_value("Segment").run()
    assert not app.exception, app.exception
    app.segmented_control(key="integration_period").set_value("All time").run()
    assert not app.exception, app.exception


def test_overview_tiles_compare_with_last_month_and_link_to_their_pages(app: AppTest) -> None:
    metrics = {m.label: m for m in app.metric}
    for name in ("Open pipeline", "Weighted pipeline", "Orders in flight"):
        assert metrics[name].delta, f"{name} has a change against last month"
    links = [p.proto.page for p in app.get("page_link")]
    for page in ("pipeline", "order_status", "integration", "orders", "opportunities"):
        assert page in links
