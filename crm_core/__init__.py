"""Scalewise's domain: customers, opportunities, scoring, orders and their metrics.

Importable without Streamlit, Plotly or Altair; the app and the command line are
thin entry points over it.
"""

__version__ = "0.1.0"
