"""Import and export of tables (CSV, Excel, Parquet)."""

from __future__ import annotations

import polars as pl

FORMULA_PREFIXES = r"^[=+\-@\t\r]"


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) with a quote."""
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_PREFIXES))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in frame.columns
        if frame.schema[c] == pl.String
    )
