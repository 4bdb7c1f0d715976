"""Export of tables and chart data as CSV, Excel (.xlsx) or Parquet.

- Readable by default (`readable`): beside each id the name it stands for (added by the store's
  `readable` query), amounts in currency units (`credit_limit_cents` 36000000 → `credit_limit`
  360000.00, exact decimals), basis points as percent (`discount_bp` 1250 → `discount` 12.50),
  times as `YYYY-MM-DD HH:MM:SS` (UTC) and dates as `YYYY-MM-DD`. The column names are the
  importer's field names where there is one, so a readable export of customers or products
  imports back. The raw form (ids only, cents, as stored) is one option away.
- Text cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR)
  are prefixed with a single quote in CSV and Excel files only — the formats a spreadsheet
  opens. Parquet keeps the text as it is. The importer removes that quote again, so an
  exported file imports back unchanged.
"""

from __future__ import annotations

import io

import polars as pl

from crm_core.errors import ValidationError
from crm_core.opportunities import BANT_FACTORS

FORMULA_PREFIXES = r"^[=+\-@\t\r]"
NEUTRALISED = r"^'[=+\-@\t\r]"
EXPORT_FORMATS: dict[str, tuple[str, str]] = {  # format -> (file suffix, MIME type)
    "csv": (".csv", "text/csv"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "parquet": (".parquet", "application/vnd.apache.parquet"),
}
EXCEL_MAX_ROWS = 1_048_575  # one row of the sheet is the header
SPREADSHEET_FORMATS = frozenset({"csv", "xlsx"})  # formats a spreadsheet opens and would run
READABLE_TIME = "%Y-%m-%d %H:%M:%S"
UNITS = pl.Decimal(38, 2)


# The importer's names for stored columns whose own name means another field there: a BANT score
# `budget` is imported as `budget_score` (`budget` is the amount), `need` as `need_score`, ….
IMPORT_NAMES: dict[str, dict[str, str]] = {
    "opportunities": {f: f"{f}_score" for f in BANT_FACTORS},
}


def importable_names(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Rename the columns the importer knows under another name (see IMPORT_NAMES)."""
    names = {k: v for k, v in IMPORT_NAMES.get(table, {}).items() if k in frame.columns}
    return frame.rename(names)


def readable(frame: pl.DataFrame) -> pl.DataFrame:
    """Cents as currency units and basis points as percent, each under the name without its
    suffix (`budget_cents` beside a `budget` score becomes `budget_amount`); order kept."""
    taken = set(frame.columns)
    renamed: dict[str, str] = {}
    for column in frame.columns:
        for suffix, fallback in (("_cents", "_amount"), ("_bp", "_percent")):
            if column.endswith(suffix):
                base = column.removesuffix(suffix)
                renamed[column] = base if base not in taken else base + fallback
    return frame.with_columns((pl.col(c).cast(UNITS) / 100).alias(c) for c in renamed).rename(renamed)


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


def frame_bytes(frame: pl.DataFrame, fmt: str, *, sheet: str = "data", raw: bool = True) -> bytes:
    """The frame as a file of the given format; formulas neutralised where a spreadsheet opens it.

    `raw=False` writes times without microseconds (`2026-03-02 14:05:00`) in CSV."""
    fmt = export_format(fmt)
    safe = neutralise_formulas(frame) if fmt in SPREADSHEET_FORMATS else frame
    buffer = io.BytesIO()
    if fmt == "csv":
        safe.write_csv(buffer, datetime_format=None if raw else READABLE_TIME)
    elif fmt == "parquet":
        safe.write_parquet(buffer)
    else:
        if safe.height > EXCEL_MAX_ROWS:
            raise ValidationError(
                "format", f"{safe.height:,} rows do not fit in an Excel sheet; export as CSV or Parquet"
            )
        safe.write_excel(buffer, worksheet=sheet[:31], autofit=safe.height <= 10_000)
    return buffer.getvalue()
