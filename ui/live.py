"""Live mode for a wall screen: a page's figures refresh themselves while it stays open.

Off by default. When on, the page body runs as a fragment with `run_every`: every 30 seconds it
reruns on its own. A refresh with nothing written finds every frame and result current in the
caches (`ui.data`: the version lookups, no frame read); after a write it reads only the rows
written since."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

LIVE_SECONDS = 30
LIVE_LABEL = f"Live (refresh every {LIVE_SECONDS} s)"


def live_toggle(key: str) -> bool:
    return st.toggle(
        LIVE_LABEL,
        value=False,
        key=key,
        help="For a wall screen: the figures below refresh themselves while this page stays open.",
    )


def show(body: Callable[[], None], *, live: bool) -> None:
    """Run the page body once, or as a fragment that reruns every LIVE_SECONDS when `live`."""
    if live:
        st.fragment(run_every=LIVE_SECONDS)(body)()
    else:
        body()
