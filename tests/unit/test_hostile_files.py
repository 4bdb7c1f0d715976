"""Files made to exhaust memory or trip the reader: refused by what they say about themselves,
before they are read, with a message naming the file and the limit."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crm_core.errors import ValidationError
from crm_core.io import read
from crm_core.io.mapping import ColumnMapping, parse_mapping_toml
from crm_core.io.parse import parse_fields, select_fields
from crm_core.io.read import read_table_file


def excel_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_excel(buffer)
    return buffer.getvalue()


def parquet_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def with_sheet(workbook: bytes, sheet_xml: bytes) -> bytes:
    """The workbook with its first sheet's XML replaced."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            target.writestr(info.filename, data)
    return out.getvalue()


def sheet(dimension: str, rows: int = 2) -> bytes:
    cells = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>v{r}</t></is></c></row>' for r in range(1, rows + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{cells}</sheetData></worksheet>'
    ).encode()


def test_a_tiny_parquet_file_claiming_millions_of_rows_is_refused_by_its_metadata(tmp_path: Path) -> None:
    path = tmp_path / "claims.parquet"
    pl.DataFrame({"name": pl.repeat("x", 3_000_000, eager=True)}).write_parquet(path)
    assert path.stat().st_size < 100_000
    with pytest.raises(ValidationError) as refused:
        read_table_file(path)
    assert str(refused.value) == (
        "File: claims.parquet has 3,000,000 rows by its metadata; the limit is 2,000,000. "
        "Split it into smaller files."
    )


def test_a_parquet_file_that_unpacks_over_the_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "wide.parquet"
    pl.DataFrame({"name": [f"customer {i:07d}" for i in range(200_000)]}).write_parquet(path)
    monkeypatch.setattr(read, "MAX_UNPACKED_BYTES", 1024 * 1024)
    with pytest.raises(
        ValidationError, match=r"wide\.parquet holds 4 MB of data once uncompressed; the limit is 1 MB"
    ):
        read_table_file(path)


def test_an_xlsx_whose_sheet_claims_too_many_cells_is_refused_by_its_dimension() -> None:
    workbook = with_sheet(excel_bytes(pl.DataFrame({"a": ["x"]})), sheet("A1:CV1000000"))
    with pytest.raises(ValidationError) as refused:
        read_table_file(workbook, "bomb.xlsx")
    assert str(refused.value) == (
        "File: bomb.xlsx has 99,999,900 cells (999,999 rows × 100 columns by the size of its sheet "
        "'sheet1'); the limit is 50,000,000. Split it into smaller files or remove columns you do not import."
    )


def test_an_xlsx_whose_xml_unzips_over_the_limit_is_refused_before_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workbook = with_sheet(excel_bytes(pl.DataFrame({"a": ["x"]})), sheet("A1", rows=30_000))
    assert len(workbook) < 300_000  # 2 MB of XML inside
    monkeypatch.setattr(read, "MAX_UNPACKED_BYTES", 1024 * 1024)
    with pytest.raises(
        ValidationError, match=r"bomb\.xlsx holds 2 MB of sheet data once unzipped; the limit is 1 MB"
    ):
        read_table_file(workbook, "bomb.xlsx")


def test_a_csv_header_wider_than_the_column_limit_is_refused_before_reading() -> None:
    header = ",".join(f"c{i}" for i in range(600))
    with pytest.raises(ValidationError) as refused:
        read_table_file(f"{header}\n{',' * 599}\n".encode(), "wide.csv")
    assert str(refused.value) == (
        "File: wide.csv has 600 columns in its header; the limit is 500. "
        "Keep the columns you import and remove the others."
    )


def test_a_csv_of_300_000_columns_is_refused_without_reading_it() -> None:
    data = (",".join(f"c{i}" for i in range(300_000)) + "\n").encode()
    assert len(data) > 2_000_000
    with pytest.raises(
        ValidationError, match=r"wide\.csv has a first line \(the header\) longer than the limit of 1 MB"
    ):
        read_table_file(data, "wide.csv")
    short = ("a," * 299_999 + "a\n").encode()  # under 1 MB, still 300,000 columns
    with pytest.raises(ValidationError, match="has 300,000 columns in its header; the limit is 500"):
        read_table_file(short, "wide.csv")


@pytest.mark.parametrize("header", ["*", "^.*$", "^name$"])
def test_a_column_whose_name_looks_like_a_pattern_is_read_as_that_column_only(header: str) -> None:
    raw = read_table_file(f"{header},name\nAcme,Other\n".encode(), "odd.csv")
    mapping = ColumnMapping({"name": header})
    out = parse_fields(select_fields(raw, "customers", mapping), "customers", mapping).collect()
    assert out["name"].to_list() == ["Acme"]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"name, name\nA,B\n", "same.csv"),
        (b"name,name\nA,B\n", "same.csv"),
        (
            excel_bytes(pl.DataFrame({"a": ["A"], "b": ["B"]}).rename({"a": "name", "b": "name "})),
            "same.xlsx",
        ),
        (parquet_bytes(pa.table([pa.array(["A"]), pa.array(["B"])], names=["name", "name"])), "same.parquet"),
    ],
    ids=["csv, trimmed", "csv, exact", "xlsx, trimmed", "parquet, exact"],
)
def test_two_columns_with_the_same_name_after_trimming_are_refused_naming_both(
    data: bytes, name: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        read_table_file(data, name)
    assert str(refused.value) == (
        f"File: {name} has 2 columns named 'name' (columns 1, 2); "
        "rename them so that each column has its own name"
    )


def test_an_xlsx_with_a_repeated_header_is_refused_although_the_reader_renames_it() -> None:
    workbook = with_sheet(
        excel_bytes(pl.DataFrame({"a": ["x"]})),
        sheet("A1:B2", rows=0).replace(
            b"<sheetData></sheetData>",
            b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>email</t></is></c>'
            b'<c r="B1" t="inlineStr"><is><t>email</t></is></c></row><row r="2"><c r="A2" t="inlineStr">'
            b'<is><t>a@x.example</t></is></c><c r="B2" t="inlineStr"><is><t>b@x.example</t></is></c></row>'
            b"</sheetData>",
        ),
    )
    with pytest.raises(ValidationError, match=r"same\.xlsx has 2 columns named 'email' \(columns 1, 2\)"):
        read_table_file(workbook, "same.xlsx")
    distinct = read_table_file(excel_bytes(pl.DataFrame({"address": ["a"], "address_1": ["b"]})), "ok.xlsx")
    assert distinct.columns == ["_row", "address", "address_1"]


@pytest.mark.parametrize(
    "text",
    [
        "[columns]\nname = " + "[" * 20_000 + "]" * 20_000,  # RecursionError in tomllib
        "[constants]\nname = " + "{a = " * 3 + "1" + "}" * 3 + "\n[columns]\nx" + ".y" * 1_000 + " = 1",
        "[values]\nstage" + ".deeper" * 5 + ' = "x"',
    ],
    ids=["nested arrays", "dotted key", "deep table"],
)
def test_a_deeply_nested_mapping_file_is_refused_with_a_message(text: str) -> None:
    with pytest.raises(ValidationError, match="nests deeper than 4 levels"):
        parse_mapping_toml(text, "customers")
    dots_in_strings = parse_mapping_toml(
        '[values.stage]\n"Closed.Won.Final.Really.Yes" = "won"  # a.b.c.d.e.f\n[format]\ndate = "%d.%m.%Y"\n',
        "opportunities",
    )
    assert dots_in_strings.values == {"stage": {"Closed.Won.Final.Really.Yes": "won"}}


def test_a_mapping_file_with_millions_of_keys_is_refused_by_its_size() -> None:
    text = "[values.region]\n" + "".join(f"k{i} = 'v'\n" for i in range(2_000_000))
    with pytest.raises(ValidationError) as refused:
        parse_mapping_toml(text, "customers")
    assert str(refused.value) == (
        f"Mapping file is {len(text):,} bytes; the limit is 65,536 bytes (a mapping names columns "
        "and value translations, a few kilobytes)"
    )


def test_a_mapping_file_with_too_many_entries_is_refused_by_their_count() -> None:
    text = "[values.region]\n" + "".join(f"k{i}=1\n" for i in range(6_000))
    with pytest.raises(ValidationError) as refused:
        parse_mapping_toml(text, "customers")
    assert str(refused.value) == (
        "Mapping file has 6,000 entries; the limit is 5,000 "
        "(columns, constants and value translations together)"
    )


def test_an_xlsx_listing_thousands_of_files_is_refused_before_its_directory_is_read() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for i in range(20_000):
            archive.writestr(f"xl/media/{i}.bin", b"")
    with pytest.raises(ValidationError) as refused:
        read_table_file(buffer.getvalue(), "many.xlsx")
    assert str(refused.value) == (
        "File: many.xlsx holds 20,000 files in its zip archive; the limit is 10,000 "
        "(a workbook has a few dozen). Save it as CSV."
    )
