"""Read an uploaded or local file (CSV, Excel .xlsx, Parquet) into a frame of text columns.

Every column comes back as text so that validation sees exactly what the file says and can
name the bad value; Excel and Parquet dates become ISO text (YYYY-MM-DD HH:MM:SS).

A small file can unpack into a very large table (a Parquet file claiming millions of rows, an
.xlsx whose XML is hundreds of times its size, a CSV header of 300,000 columns), so the limits
below are checked on what the file says about itself *before* it is read: Parquet's metadata,
the sizes and `<dimension>` of an .xlsx's sheets, a CSV's header line. Column names are looked
up literally (a header `*` or `^.*$` is a name, not a pattern), and two columns with the same
name (after trimming) are refused by name.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from pathlib import Path

import polars as pl
import polars.selectors as cs

from crm_core.errors import ValidationError

MAX_IMPORT_BYTES = 200 * 1024 * 1024  # the file itself
MAX_IMPORT_ROWS = 2_000_000
MAX_IMPORT_COLUMNS = 500
MAX_IMPORT_CELLS = 50_000_000  # rows × columns: 2,000,000 order lines of 25 columns
MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # an .xlsx's sheet XML, a Parquet file's uncompressed data
MAX_HEADER_BYTES = 1024 * 1024  # a CSV's first line
MAX_XLSX_ENTRIES = 10_000  # files inside an .xlsx (a zip archive); 65,535 means "see Zip64": refused
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
_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"')
_SHEET_XML = re.compile(r"^xl/(worksheets/[^/]+\.xml|sharedStrings\.xml)$")


def column(name: str) -> pl.Expr:
    """The column called exactly `name`: `pl.col` would read `*` or `^…$` as a pattern."""
    return cs.by_name(name).as_expr()


def file_format(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    if suffix not in FORMATS:
        raise ValidationError(
            FILE, f"'{Path(file_name).name}' is not a CSV, Excel (.xlsx) or Parquet file (by its name)"
        )
    return FORMATS[suffix]


def _refuse(name: str, problem: str) -> ValidationError:
    return ValidationError(FILE, f"{name[:150]} {problem}")


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MB"


def _check_shape(name: str, rows: int, columns: int, how: str) -> None:
    """Refuse a table over the row, column or cell limit; `how` says where the numbers come from."""
    if columns > MAX_IMPORT_COLUMNS:
        raise _refuse(
            name,
            f"has {columns:,} columns{how}; the limit is {MAX_IMPORT_COLUMNS:,}. "
            "Keep the columns you import and remove the others.",
        )
    if rows > MAX_IMPORT_ROWS:
        raise _refuse(
            name, f"has {rows:,} rows{how}; the limit is {MAX_IMPORT_ROWS:,}. Split it into smaller files."
        )
    if rows * columns > MAX_IMPORT_CELLS:
        raise _refuse(
            name,
            f"has {rows * columns:,} cells ({rows:,} rows × {columns:,} columns{how}); the limit is "
            f"{MAX_IMPORT_CELLS:,}. Split it into smaller files or remove columns you do not import.",
        )


def _separator(head: bytes) -> str:
    first = head.split(b"\n", 1)[0]
    counts = {sep: first.count(sep.encode()) for sep in (",", ";", "\t", "|")}
    return max(counts, key=lambda s: counts[s]) if any(counts.values()) else ","


def _csv_header(name: str, data: bytes, separator: str) -> list[str]:
    """The names on a CSV's first line, refused when the line is too long or too wide."""
    end = data.find(b"\n", 0, MAX_HEADER_BYTES + 1)
    if end < 0 and len(data) > MAX_HEADER_BYTES:
        raise _refuse(name, f"has a first line (the header) longer than the limit of {_mb(MAX_HEADER_BYTES)}")
    line = data[: end if end >= 0 else len(data)].decode("utf-8", errors="replace").lstrip("\ufeff")
    if line.count(separator) + 1 > MAX_IMPORT_COLUMNS:  # before splitting it into a list
        raise _refuse(
            name,
            f"has {line.count(separator) + 1:,} columns in its header; the limit is "
            f"{MAX_IMPORT_COLUMNS:,}. Keep the columns you import and remove the others.",
        )
    return next(csv.reader([line.rstrip("\r")], delimiter=separator), [])


def _check_parquet(name: str, data: bytes) -> list[str]:
    """Rows, columns and unpacked size from the file's metadata; returns the column names."""
    import pyarrow.parquet as pq  # here: the app imports this module before its heavy libraries (app.py)

    try:
        meta = pq.ParquetFile(io.BytesIO(data)).metadata
    except Exception as exc:  # pyarrow's errors for a file that is not Parquet vary by version
        raise _refuse(name, f"cannot be read as PARQUET ({_reason(exc)})") from None
    _check_shape(name, meta.num_rows, meta.num_columns, " by its metadata")
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > MAX_UNPACKED_BYTES:
        raise _refuse(
            name,
            f"holds {_mb(unpacked)} of data once uncompressed; the limit is {_mb(MAX_UNPACKED_BYTES)}. "
            "Split it into smaller files.",
        )
    return [meta.schema.column(i).name for i in range(meta.num_columns)]


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def _zip_entries(data: bytes) -> int | None:
    """The entry count of a zip's end-of-central-directory record (None when there is none).

    Read before `zipfile` builds an object per entry: a small file can list millions of them."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    return int.from_bytes(data[end + 10 : end + 12], "little") if end >= 0 else None


def _check_xlsx(name: str, data: bytes) -> None:
    """The entry count and sheets' XML sizes (from the zip directory) and each sheet's `<dimension>`."""
    entries = _zip_entries(data)
    if entries is not None and entries > MAX_XLSX_ENTRIES:
        raise _refuse(
            name,
            f"holds {entries:,} files in its zip archive; the limit is {MAX_XLSX_ENTRIES:,} "
            "(a workbook has a few dozen). Save it as CSV.",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _refuse(name, "cannot be read as XLSX (it is not an Excel workbook)") from None
    with archive:
        parts = [info for info in archive.infolist() if _SHEET_XML.match(info.filename)]
        unpacked = sum(info.file_size for info in parts)
        if unpacked > MAX_UNPACKED_BYTES:
            raise _refuse(
                name,
                f"holds {_mb(unpacked)} of sheet data once unzipped; the limit is "
                f"{_mb(MAX_UNPACKED_BYTES)}. Save it as CSV, or split it into smaller files.",
            )
        for info in parts:
            if not info.filename.startswith("xl/worksheets/"):
                continue
            try:
                with archive.open(info) as sheet:
                    head = sheet.read(4096)  # the dimension comes before the cells
            except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
                raise _refuse(name, f"cannot be read as XLSX ({_reason(exc)})") from None
            found = _DIMENSION.search(head)
            if found is None:
                continue
            first_col, first_row, last_col, last_row = found.groups()
            rows = int(last_row or first_row) - int(first_row)  # the header is not a data row
            columns = _column_number(last_col or first_col) - _column_number(first_col) + 1
            sheet_name = Path(info.filename).stem
            _check_shape(name, max(rows, 0), columns, f" by the size of its sheet '{sheet_name}'")


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    def text(position: int, dtype: pl.DataType) -> pl.Expr:
        col = pl.nth(position)
        if dtype == pl.String:
            return col
        if dtype.is_temporal() and dtype != pl.Date and dtype != pl.Time:
            return col.dt.strftime("%Y-%m-%d %H:%M:%S")
        if dtype.is_float():
            return col.round(9).cast(pl.String)
        return col.cast(pl.String)

    return frame.select(text(i, t) for i, t in enumerate(frame.schema.values()))


def _reason(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__


def _check_names(name: str, header: list[str]) -> None:
    """Two columns whose names are the same once trimmed are refused, naming both positions."""
    trimmed = [h.strip() for h in header]
    twice = [n for n, count in Counter(trimmed).items() if count > 1]
    if twice:
        where = [i + 1 for i, n in enumerate(trimmed) if n == twice[0]]
        raise _refuse(
            name,
            f"has {len(where)} columns named '{twice[0][:60]}' (columns "
            f"{', '.join(map(str, where[:5]))}); rename them so that each column has its own name",
        )
    if ROW in trimmed:
        raise _refuse(name, f"has a column named '{ROW}', a name Scalewise keeps for row numbers")


def _xlsx_header(data: bytes) -> list[str]:
    first = pl.read_excel(
        io.BytesIO(data), has_header=False, read_options={"n_rows": 1}, infer_schema_length=0
    )
    return ["" if v is None else str(v) for v in first.row(0)] if first.height else []


def read_table_file(source: bytes | Path, file_name: str | None = None) -> pl.DataFrame:
    """The file's non-blank rows as text columns plus `_row`, their spreadsheet row number.

    A file too big (or that would unpack too big), empty or unreadable raises ValidationError
    naming the file and the limit."""
    name = file_name or (source.name if isinstance(source, Path) else "upload")
    fmt = file_format(name)
    size = source.stat().st_size if isinstance(source, Path) else len(source)
    if size > MAX_IMPORT_BYTES:
        raise _refuse(
            name,
            f"is {_mb(size)}; the limit is {_mb(MAX_IMPORT_BYTES)}. "
            "Split it into smaller files and import them one after the other.",
        )
    data = source.read_bytes() if isinstance(source, Path) else source
    if not data.strip():
        raise _refuse(name, "is empty")
    header: list[str] | None = None
    separator = _separator(data[:4096])
    if fmt == "csv":
        header = _csv_header(name, data, separator)
    elif fmt == "parquet":
        header = _check_parquet(name, data)
    else:
        _check_xlsx(name, data)
    if header is not None:
        _check_names(name, header)
    try:
        if fmt == "csv":
            frame = pl.read_csv(
                io.BytesIO(data),
                infer_schema=False,
                separator=separator,
                encoding="utf8-lossy",
                truncate_ragged_lines=True,
                n_rows=MAX_IMPORT_ROWS + 1,  # one more than allowed is enough to refuse
            )
        elif fmt == "xlsx":
            frame = _as_text(pl.read_excel(io.BytesIO(data), infer_schema_length=0, drop_empty_rows=False))
        else:
            frame = _as_text(pl.read_parquet(io.BytesIO(data), n_rows=MAX_IMPORT_ROWS + 1))
    except Exception as exc:  # every reader has its own error types; all mean "cannot read this file"
        raise _refuse(name, f"cannot be read as {fmt.upper()} ({_reason(exc)})") from None
    if frame.height > MAX_IMPORT_ROWS:
        raise _refuse(
            name, f"has more than {MAX_IMPORT_ROWS:,} rows (the limit). Split it into smaller files."
        )
    _check_shape(name, frame.height, frame.width, "")
    if header is None:  # xlsx: the reader renamed repeated names ('name', 'name_1'); look at the sheet
        stripped = {c.strip() for c in frame.columns}
        renamed = [
            c for c in frame.columns if re.fullmatch(r".+_[0-9]+", c) and c.rsplit("_", 1)[0] in stripped
        ]
        _check_names(name, _xlsx_header(data) if renamed else frame.columns)
    frame = frame.rename({c: c.strip() for c in frame.columns if c != c.strip()})
    if frame.width:  # number rows as a spreadsheet does (header = row 1), then skip blank rows
        frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
        frame = frame.filter(~pl.all_horizontal(pl.all().exclude(ROW).str.strip_chars().fill_null("") == ""))
    if frame.width <= 1 or frame.height == 0:
        raise _refuse(name, "has no data rows under its header")
    return frame
