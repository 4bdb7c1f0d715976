"""Scalewise — the frame: page config, navigation, the shared sidebar, then the page."""

from __future__ import annotations

import streamlit as st

from ui.auth import sidebar_identity
from ui.data import get_store, is_streamlit_cloud

st.set_page_config(page_title="Scalewise CRM", page_icon="📈", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon="🏠", default=True),
    st.Page("pages/pipeline.py", title="Pipeline", icon="🧭"),
    st.Page("pages/opportunities.py", title="Opportunities", icon="🤝"),
    st.Page("pages/scoring.py", title="Scoring", icon="🎚️"),
    st.Page("pages/orders.py", title="Orders", icon="📦"),
    st.Page("pages/order_status.py", title="Order status", icon="🚚"),
    st.Page("pages/integration.py", title="Integration", icon="🔗"),
    st.Page("pages/data.py", title="Data", icon="🗄️"),
]

page = st.navigation(PAGES)
store = get_store()

with st.sidebar:
    st.markdown("### Scalewise")
    sidebar_identity(store)
    st.caption(f"Data: {store.describe()}")
    if store.is_sqlite and is_streamlit_cloud():
        st.warning(
            "Ephemeral demo data: this app stores data in a local SQLite file that resets when the "
            "app restarts. Set a PostgreSQL URL in the app's secrets to keep it.",
            icon="⏳",
        )

page.run()
