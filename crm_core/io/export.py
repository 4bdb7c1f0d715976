"""Export of tables and chart data as CSV, Excel (.xlsx) or Parquet.

Text cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR)
are prefixed with a single quote in every format; the importer removes that quote again, so
an exported file imports back unchanged.
"""

from __future__ import annotations

import io

import polars as pl

from crm_core.errors import ValidationError

FORMULA_PREFIXES = r"^[=+\-@\t\r]"
NEUTRALISED = r"^'[=+\-@\t\r]"
EXPORT_FORMATS: dict[str, tuple[str, str]] = {  # format -> (file suffix, MIME type)
    "csv": (".csv", "text/csv"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "parquet": (".parquet", "application/vnd.apache.parquet"),
}
EXCEL_MAX_ROWS = 1_048_575  # one row of the sheet is the header


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


def restore_neutralised(text: pl.Expr) -> pl.Expr:
    """Undo `neutralise_formulas` on import: "'+1 555" → "+1 555"."""
    return pl.when(text.str.contains(NEUTRALISED)).then(text.str.slice(1)).otherwise(text)


def export_format(name: str) -> str:
    fmt = name.strip().lower().lstrip(".")
    fmt = "xlsx" if fmt in {"excel", "xls"} else fmt
    if fmt not in EXPORT_FORMATS:
        raise ValidationError("format", f"'{name}' is not one of: csv, xlsx, parquet")
    return fmt


def frame_bytes(frame: pl.DataFrame, fmt: str, *, sheet: str = "data") -> bytes:
    """The frame as a file of the given format, formulas neutralised."""
    fmt = export_format(fmt)
    safe = neutralise_formulas(frame)
    buffer = io.BytesIO()
    if fmt == "csv":
        safe.write_csv(buffer)
    elif fmt == "parquet":
        safe.write_parquet(buffer)
    else:
        if safe.height > EXCEL_MAX_ROWS:
            raise ValidationError(
                "format", f"{safe.height:,} rows do not fit in an Excel sheet; export as CSV or Parquet"
            )
        safe.write_excel(buffer, worksheet=sheet[:31], autofit=safe.height <= 10_000)
    return buffer.getvalue()
