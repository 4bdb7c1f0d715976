"""The Data page asks who owns the deals of a file without an owner column, and imports them so."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from crm_core.store.models import Opportunity, User
from tests.app.test_data_integration_overview import ADMIN_ID, acting_as, with_file
from tests.conftest import sqlite_store_at

NO_OWNER = "opportunity_id,account,deal_stage,close_value\nHS-1,Wolftop Provisions LLC,Engaging,1200\n"


def test_deals_without_an_owner_column_go_to_the_owner_picked_on_the_page(app_db: Path) -> None:
    at = with_file(acting_as(ADMIN_ID, "pages/data.py"), "deals.csv", NO_OWNER, "opportunities")
    picker = at.selectbox(key="data_import_owner")
    assert "Priya Raman (rep)" in picker.options
    assert "Elena Petrova (admin)" not in picker.options  # admins own no deals
    picker.set_value("priya.raman@scalewise.example").run()
    at.button(key="data_import_go").click().run()
    assert not at.exception, at.exception
    store = sqlite_store_at(app_db)
    with store.read() as session:
        owner = session.scalar(
            select(User.email)
            .join(Opportunity, Opportunity.owner_id == User.id)
            .where(Opportunity.external_id == "HS-1")
        )
    store.dispose()
    assert owner == "priya.raman@scalewise.example"
