"""Read an uploaded or local file (CSV, Excel .xlsx, Parquet) into a frame of text columns.

Every column comes back as text so that validation sees exactly what the file says and can
name the bad value; Excel and Parquet dates become ISO text (YYYY-MM-DD HH:MM:SS).
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from crm_core.errors import ValidationError

MAX_IMPORT_BYTES = 200 * 1024 * 1024
MAX_IMPORT_ROWS = 2_000_000
FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
}
FILE = "file"
ROW = "_row"  # the row number a spreadsheet shows for the row (the header is row 1)


def file_format(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    if suffix not in FORMATS:
        raise ValidationError(
            FILE, f"'{Path(file_name).name}' is not a CSV, Excel (.xlsx) or Parquet file (by its name)"
        )
    return FORMATS[suffix]


def _separator(head: bytes) -> str:
    first = head.split(b"\n", 1)[0]
    counts = {sep: first.count(sep.encode()) for sep in (",", ";", "\t", "|")}
    return max(counts, key=lambda s: counts[s]) if any(counts.values()) else ","


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    def text(name: str, dtype: pl.DataType) -> pl.Expr:
        col = pl.col(name)
        if dtype == pl.String:
            return col
        if dtype.is_temporal() and dtype != pl.Date and dtype != pl.Time:
            return col.dt.strftime("%Y-%m-%d %H:%M:%S").alias(name)
        if dtype.is_float():
            return col.round(9).cast(pl.String).alias(name)
        return col.cast(pl.String).alias(name)

    return frame.select(text(n, t) for n, t in frame.schema.items())


def read_table_file(source: bytes | Path, file_name: str | None = None) -> pl.DataFrame:
    """The file's non-blank rows as text columns plus `_row`, their spreadsheet row number.

    A file too big, empty or unreadable raises ValidationError."""
    name = file_name or (source.name if isinstance(source, Path) else "upload")
    fmt = file_format(name)
    size = source.stat().st_size if isinstance(source, Path) else len(source)
    if size > MAX_IMPORT_BYTES:
        raise ValidationError(
            FILE,
            f"is {size / 1024 / 1024:,.0f} MB; the limit is {MAX_IMPORT_BYTES // 1024 // 1024} MB. "
            "Split it into smaller files and import them one after the other.",
        )
    data = source.read_bytes() if isinstance(source, Path) else source
    if not data.strip():
        raise ValidationError(FILE, "is empty")
    try:
        if fmt == "csv":
            frame = pl.read_csv(
                io.BytesIO(data),
                infer_schema=False,
                separator=_separator(data[:4096]),
                encoding="utf8-lossy",
                truncate_ragged_lines=True,
            )
        elif fmt == "xlsx":
            frame = _as_text(pl.read_excel(io.BytesIO(data), infer_schema_length=0, drop_empty_rows=False))
        else:
            frame = _as_text(pl.read_parquet(io.BytesIO(data)))
    except Exception as exc:  # every reader has its own error types; all mean "cannot read this file"
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise ValidationError(FILE, f"cannot be read as {fmt.upper()} ({reason})") from None
    frame = frame.rename({c: c.strip() for c in frame.columns if c != c.strip()})
    if ROW in frame.columns:
        raise ValidationError(FILE, f"has a column named '{ROW}', a name Scalewise keeps for row numbers")
    if frame.width:  # number rows as a spreadsheet does (header = row 1), then skip blank rows
        frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
        frame = frame.filter(~pl.all_horizontal(pl.all().exclude(ROW).str.strip_chars().fill_null("") == ""))
    if frame.width <= 1 or frame.height == 0:
        raise ValidationError(FILE, "has no data rows under its header")
    if frame.height > MAX_IMPORT_ROWS:
        raise ValidationError(
            FILE, f"has {frame.height:,} rows; the limit is {MAX_IMPORT_ROWS:,}. Split it into smaller files."
        )
    return frame
