"""Make every page run inside the app frame (app.py), however the visitor arrived.

Streamlit still has its legacy multipage mode for apps with a `pages/` folder: until the
first `st.navigation` call in a server process, a visitor who opens a page's URL directly
(a shared link like /scoring?w=0.3,0.2,0.3,0.2 right after a restart) gets that page run
on its own — without the sidebar, the acting user or the page config. (AppTest re-enters
that mode on every run.) Each page calls `inside_frame()` first: in such a legacy run it
switches the process to app-managed navigation and runs app.py right here, in the same
script run — so clicks and query parameters are kept — and app.py renders the frame and
this page (pages are identified by their URL path in both modes). Then the legacy run ends.
"""

from __future__ import annotations

import runpy

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from crm_core.config import PROJECT_ROOT

APP_PATH = PROJECT_ROOT / "app.py"


def inside_frame() -> None:
    if not PagesManager.uses_pages_directory:
        return
    PagesManager.uses_pages_directory = False  # what st.navigation itself sets
    runpy.run_path(str(APP_PATH), run_name="__main__")
    st.stop()
