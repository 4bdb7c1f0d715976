"""Make every page run inside the app frame (app.py), however the visitor arrived
(docs/architecture.md §2.2).

Streamlit still has its legacy multipage mode for apps with a `pages/` folder: until the
first `st.navigation` call in a server process, a visitor who opens a page's URL directly
(a shared link like /scoring?w=0.3,0.2,0.3,0.2 right after a restart) gets that page run
on its own — without the sidebar, the acting user or the page config. (AppTest re-enters
that mode on every run.)

app.py runs the page through `run_page()`, which marks the script run as framed. Each page
calls `inside_frame()` first: unmarked, the page is running on its own, so it runs app.py
right here, in the same script run — so clicks and query parameters are kept. app.py's
`st.navigation` ends the legacy mode for the process and picks this page again by its URL
path (pages are identified by it in both modes); the frame renders around it; then the
legacy run stops. Only public Streamlit API is used: `st.navigation`, `StreamlitPage.run`
and `st.stop`.
"""

from __future__ import annotations

import runpy
from contextvars import ContextVar
from typing import TYPE_CHECKING

import streamlit as st

from crm_core.config import PROJECT_ROOT
from ui.data import drawing_a_page

if TYPE_CHECKING:
    from streamlit.navigation.page import StreamlitPage  # what st.navigation returns

APP_PATH = PROJECT_ROOT / "app.py"

# Set while app.py runs the page. A context variable, not a module global: every session's
# script runs in its own thread, and a thread starts with a fresh context.
_IN_FRAME: ContextVar[bool] = ContextVar("scalewise_in_frame", default=False)


def run_page(page: StreamlitPage) -> None:
    """Run the page `st.navigation` picked, marked as inside the frame."""
    token = _IN_FRAME.set(True)
    try:
        with drawing_a_page():  # the start-up warm-up waits while pages are drawn (ui/data.py)
            page.run()
    finally:
        _IN_FRAME.reset(token)


def inside_frame() -> None:
    """Called first by every page: run app.py around the page unless app.py is running it."""
    if _IN_FRAME.get():
        return
    runpy.run_path(str(APP_PATH), run_name="__main__")
    st.stop()
