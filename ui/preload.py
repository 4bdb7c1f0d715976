"""The heavy libraries the pages load lazily, imported once, before any page code runs.

Plotly and Streamlit import pandas (and pyarrow) on first use, inside a script run. When several
sessions make their first run at the same moment on a fresh server (a wall screen and two
managers after a deploy), two script threads can each hold part of that import chain; Python's
import locks then break the cycle by handing one thread a half-initialised module and the page
fails ("partially initialized module 'pandas' has no attribute 'Series'"). Importing them here,
before any page module (app.py imports only `ui.data` before it, which imports none of them — a
test checks), puts the whole chain behind this one module's import lock: the first session
imports everything, the others wait for it and then find the modules complete.
"""

from __future__ import annotations

import altair  # noqa: F401
import pandas  # noqa: F401
import plotly.graph_objects
import plotly.io  # noqa: F401
import polars  # noqa: F401
import pyarrow  # noqa: F401

PRELOADED = ("altair", "pandas", "plotly.graph_objects", "plotly.io", "polars", "pyarrow")
