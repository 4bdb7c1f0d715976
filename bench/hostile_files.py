"""Peak memory of reading small files built to unpack into very large tables.

`python -m bench.hostile_files [--code DIR]` writes three files into a temporary folder — a
Parquet file claiming 20,000,000 rows, an .xlsx holding about 430 MB of sheet XML, a CSV whose
header has 300,000 columns — and reads each with `read_table_file` in a child process, printing
the file's size, what the reader said and the child's peak resident memory. `--code DIR` runs the
children against another checkout (e.g. the code before the limits were checked up front) to
compare. Not part of `python -m bench`: the "before" runs need several GB of memory.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import polars as pl

from crm_core.config import PROJECT_ROOT

# VmHWM is the peak of this process's own memory; ru_maxrss would include the parent's at fork.
CHILD = """
import sys
from pathlib import Path
from crm_core.io.read import read_table_file
def status(key):
    with open("/proc/self/status") as f:
        return int(next(line for line in f if line.startswith(key)).split()[1]) / 1024
before = status("VmRSS:")
try:
    frame = read_table_file(Path(sys.argv[1]))
    outcome = f"read {frame.height:,} rows x {frame.width - 1:,} columns"
except Exception as exc:
    outcome = f"{type(exc).__name__}: {str(exc)[:150]}"
print(outcome)
print(f"PEAK_RSS_MB {status('VmHWM:'):.0f} (+{status('VmHWM:') - before:.0f} for the read)")
"""


def parquet_claiming_rows(folder: Path, rows: int = 20_000_000) -> Path:
    path = folder / "claims_20M_rows.parquet"
    pl.DataFrame({"name": pl.repeat("x", rows, eager=True)}).write_parquet(path)
    return path


def xlsx_with_large_xml(folder: Path, rows: int = 1_000_000, columns: int = 10) -> Path:
    """A workbook whose one sheet is ~43 bytes of XML per cell, highly compressible."""
    buffer = io.BytesIO()
    pl.DataFrame({"a": ["x"]}).write_excel(buffer)
    letters = [chr(ord("A") + i) for i in range(columns)]

    def row(r: int) -> str:
        cells = "".join(f'<c r="{c}{r}" t="inlineStr"><is><t>v</t></is></c>' for c in letters)
        return f'<row r="{r}">{cells}</row>'

    body = "".join(row(r) for r in range(1, rows + 1))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>'
    ).encode()
    source = zipfile.ZipFile(buffer)
    path = folder / "large_xml.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = sheet if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            target.writestr(info.filename, data)
    print(f"  (sheet XML {len(sheet) / 1024**2:,.0f} MB)")
    return path


def csv_with_wide_header(folder: Path, columns: int = 300_000) -> Path:
    path = folder / "wide_300k_columns.csv"
    header = ",".join(f"c{i}" for i in range(columns))
    path.write_text(header + "\n" + "x," * (columns - 1) + "x\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile_files", description=__doc__)
    parser.add_argument("--code", type=Path, default=PROJECT_ROOT, help="checkout whose reader to run")
    args = parser.parse_args(argv)
    env = {**os.environ, "PYTHONPATH": str(args.code.resolve())}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        builders = (parquet_claiming_rows, xlsx_with_large_xml, csv_with_wide_header)
        paths = [build(folder) for build in builders]
        for path in paths:
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(path)], cwd=folder, env=env, capture_output=True, text=True
            )
            lines = (done.stdout or done.stderr).strip().splitlines()
            peak = next((x.split(" ", 1)[1] for x in lines if x.startswith("PEAK_RSS_MB ")), "?")
            outcome = lines[0] if lines else f"exit {done.returncode}"
            print(f"{path.name} ({path.stat().st_size / 1024:,.0f} KB): peak {peak} MB — {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
