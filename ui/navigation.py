"""The pages of the app: one list that the navigation and the Overview's links share."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageInfo:
    path: str
    title: str
    icon: str
    blurb: str


PAGES: tuple[PageInfo, ...] = (
    PageInfo("pages/overview.py", "Overview", ":material/home:", "headline figures"),
    PageInfo("pages/pipeline.py", "Pipeline", ":material/filter_alt:", "funnel and forecast"),
    PageInfo("pages/opportunities.py", "Opportunities", ":material/handshake:", "work the list"),
    PageInfo("pages/customers.py", "Customers", ":material/apartment:", "accounts and credit"),
    PageInfo("pages/scoring.py", "Scoring", ":material/tune:", "tune the weights"),
    PageInfo("pages/orders.py", "Orders", ":material/inventory_2:", "the order desk"),
    PageInfo("pages/order_status.py", "Order status", ":material/local_shipping:", "what is stuck"),
    PageInfo("pages/integration.py", "Integration", ":material/link:", "sales to orders"),
    PageInfo("pages/data.py", "Data", ":material/database:", "import, export, reset"),
)
