"""Make every page run inside the app frame (app.py), however the visitor arrived.

Streamlit still has its legacy multipage mode for apps with a `pages/` folder: until the
first `st.navigation` call in a server process, a visitor who opens a page's URL directly
(a shared link like /scoring?w=0.3,0.2,0.3,0.2 right after a restart) gets that page run
on its own — without the sidebar, the acting user or the page config. Each page calls
`inside_frame()` first: in that legacy run it switches the process to app-managed
navigation and reruns, which runs app.py with the same page (pages are identified by
their URL path in both modes) and keeps the query parameters.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def inside_frame() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False  # what st.navigation itself sets
        st.rerun()
