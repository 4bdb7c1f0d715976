"""The Streamlit side: one folder per feature (orders, opportunities, customers, scoring, admin,
reports) with its sections and session-state keys, and the helpers every feature shares (cached
loaders, filters, charts, theme, widgets). See docs/architecture.md §2.4."""
