"""Streamlit-side helpers: cached loaders, session keys, chart builders and small widgets."""
