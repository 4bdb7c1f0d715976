"""Scalewise — the frame: page config, navigation, the shared sidebar, then the page."""

from __future__ import annotations

import streamlit as st

import ui.data

# The database opens (checked, migrated, its caches warming) in the background while the page's
# libraries are imported below: a fresh process's first visitor does not wait for one, then the
# other. Hence the imports after a statement.
ui.data.start_opening()

import ui.preload  # before any page module: see its docstring
from crm_core.errors import ConfigError
from ui.auth import current_actor, sidebar_identity
from ui.data import database_stopped, get_store, is_streamlit_cloud
from ui.first_run import show_first_run
from ui.frame import run_page
from ui.navigation import PAGES as PAGES_INFO
from ui.text import plain

st.set_page_config(page_title="Scalewise CRM", page_icon=":material/trending_up:", layout="wide")

DATA_TITLE = next(p.title for p in PAGES_INFO if p.path == "pages/data.py")
PAGES = [st.Page(p.path, title=p.title, icon=p.icon, default=(i == 0)) for i, p in enumerate(PAGES_INFO)]

page = st.navigation(PAGES)
store = get_store()

try:  # the database can stop answering mid-session: one message, no traceback, retry on rerun
    st.sidebar.markdown("### Scalewise")
    sidebar_identity(store)  # stops the run here unless the visitor may come in (ui/access.py)
    with st.sidebar:
        st.caption(f"Data: {plain(store.describe())}")
        if store.is_sqlite and is_streamlit_cloud():
            st.warning(
                "Ephemeral demo data: this app stores data in a local SQLite file that resets when the "
                "app restarts. Set a PostgreSQL URL in the app's secrets to keep it.",
                icon=":material/hourglass_top:",
            )

    # A database started empty (`init`) shows what to import first, except on the Data page itself.
    if page.title == DATA_TITLE or not show_first_run(store, current_actor()):
        run_page(page)  # marks the run as framed (ui/frame.py)
except ConfigError as exc:
    database_stopped(exc)
