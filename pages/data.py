"""Data: where the data lives, what is in it, import with a column mapping, export, users, reset."""

from __future__ import annotations

import streamlit as st

from ui.admin.imports import import_section
from ui.admin.tables import export_section, reset_section, storage_section
from ui.admin.users import users_section
from ui.auth import current_actor
from ui.data import get_store
from ui.frame import inside_frame
from ui.scoring.enrichment import data_page_button

inside_frame()


def render() -> None:
    st.title("Data")
    store = get_store()
    actor = current_actor()
    storage_section(store)
    import_section(store, actor)
    data_page_button(store, actor)
    export_section(store, actor)
    users_section(store, actor)
    reset_section(store, actor)


render()
