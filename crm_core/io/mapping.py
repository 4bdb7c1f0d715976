"""Column mapping: which column of the file holds which field, how their values translate to ours,
fields that are the same for every row, and the date format.

Auto-detected from the file's column names (`detect_mapping`), adjusted on the Data page, or
read from a TOML file (`parse_mapping_toml`):

    [columns]        # our field = their column ("" leaves a detected field out)
    stage = "deal_stage"
    owner = ""
    [values.stage]   # their value = our value
    Prospecting = "captured"
    [constants]      # a field the file lacks, the same for every row
    status = "delivered"
    [format]
    date = "%m/%d/%Y"          # strftime-style, for date fields
    datetime = "%m/%d/%Y %H:%M" # for date-and-time fields (default: the date format, with or without a time)
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from typing import Any

from crm_core.errors import ValidationError
from crm_core.io.fields import FieldType, Kind, fields_for, normalise_name

MAPPING_FILE = "mapping file"
# A mapping names a few dozen columns and value translations; these bounds are far above that and
# keep a hostile file from costing seconds of parsing (tomllib is quadratic in dotted-key depth
# and recursive in nesting).
MAX_MAPPING_BYTES = 64 * 1024
MAX_MAPPING_DEPTH = 4  # dots in a key or table name, and nesting of inline tables and arrays
MAX_MAPPING_ENTRIES = 5_000
_TOML_STRING = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'')
_TOML_COMMENT = re.compile(r"#[^\n]*")


# How a raw export names a stored amount or percentage (`credit_limit_cents`, `tax_rate_bp`); such a
# column holds whole cents or basis points and is read as such (see `parse.select_fields`).
STORED_SUFFIX = {FieldType.MONEY: "_cents", FieldType.PERCENT: "_bp"}
OWN_ID_COLUMNS = {"customer_id": "customer", "owner_id": "owner", "product_id": "product"}


@dataclass(frozen=True)
class ColumnMapping:
    columns: dict[str, str] = field(default_factory=dict)  # our field -> their column
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> {their value: ours}
    constants: dict[str, str] = field(default_factory=dict)  # field -> value for every row
    date_format: str | None = None
    datetime_format: str | None = None

    def source_of(self, name: str) -> str:
        """How the report names where a field came from: their column, or the constant."""
        if name in self.columns:
            return self.columns[name]
        if name in self.constants:
            return f"{name} (constant)"
        return name

    def provides(self, name: str) -> bool:
        return bool(self.columns.get(name)) or name in self.constants

    def with_columns(self, columns: dict[str, str]) -> ColumnMapping:
        return replace(self, columns=dict(columns))

    def merged_over(self, base: ColumnMapping) -> ColumnMapping:
        """This mapping's entries win; the rest comes from `base` (e.g. the auto-detected one).

        A column claimed here for another field is removed from the base's fields."""
        claimed = set(self.columns.values())
        columns = {k: v for k, v in base.columns.items() if v not in claimed and k not in self.constants}
        columns.update(self.columns)
        columns = {k: v for k, v in columns.items() if v != ""}  # `owner = ""`: leave that field out
        return ColumnMapping(
            columns=columns,
            values={**base.values, **self.values},
            constants={**base.constants, **self.constants},
            date_format=self.date_format or base.date_format,
            datetime_format=self.datetime_format or base.datetime_format,
        )

    def to_toml(self) -> str:
        """The mapping as a TOML file that `parse_mapping_toml` reads back."""

        def q(value: str) -> str:
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

        lines = ["[columns]"] + [f"{k} = {q(v)}" for k, v in self.columns.items()]
        for name, table in self.values.items():
            lines += ["", f"[values.{name}]"] + [f"{q(k)} = {q(v)}" for k, v in table.items()]
        if self.constants:
            lines += ["", "[constants]"] + [f"{k} = {q(v)}" for k, v in self.constants.items()]
        fmt = {"date": self.date_format, "datetime": self.datetime_format}
        if any(fmt.values()):
            lines += ["", "[format]"] + [f"{k} = {q(v)}" for k, v in fmt.items() if v]
        return "\n".join(lines) + "\n"


def detect_mapping(kind: Kind | str, columns: list[str]) -> ColumnMapping:
    """Match the file's column names to our fields: the field's own name first, then its synonyms.

    Names are compared without case, spaces or punctuation ('Close Date' = 'close_date'); each
    column is used for at most one field."""
    by_norm: dict[str, str] = {}
    for col in columns:
        # A readable export of ours puts Scalewise's own ids beside the names (`customer_id` next
        # to `customer`); those ids mean nothing in another database, so they are not matched.
        if col in OWN_ID_COLUMNS and OWN_ID_COLUMNS[col] in columns:
            continue
        by_norm.setdefault(normalise_name(col), col)
    used: set[str] = set()
    mapping: dict[str, str] = {}
    specs = fields_for(kind)
    for spec in specs:  # exact names win over synonyms
        col = by_norm.get(normalise_name(spec.name))
        if col is not None and col not in used:
            mapping[spec.name] = col
            used.add(col)
    for spec in specs:  # a raw export's `list_price_cents`, `discount_bp`: the same field, unscaled
        suffix = STORED_SUFFIX.get(spec.type)
        col = by_norm.get(normalise_name(spec.name + suffix)) if suffix else None
        if spec.name not in mapping and col is not None and col not in used:
            mapping[spec.name] = col
            used.add(col)
    for spec in specs:
        if spec.name in mapping:
            continue
        for synonym in spec.synonyms:
            col = by_norm.get(normalise_name(synonym))
            if col is not None and col not in used:
                mapping[spec.name] = col
                used.add(col)
                break
    ordered = {s.name: mapping[s.name] for s in specs if s.name in mapping}
    return ColumnMapping(columns=ordered)


def _strings(table: Any, where: str) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ValidationError(MAPPING_FILE, f"[{where}] must be a table of names and values")
    out: dict[str, str] = {}
    for key, value in table.items():
        if not isinstance(value, str | int | float):
            raise ValidationError(MAPPING_FILE, f"[{where}] {key} must be text or a number")
        out[str(key)] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


def check_mapping_size(n_bytes: int) -> None:
    if n_bytes > MAX_MAPPING_BYTES:
        raise ValidationError(
            MAPPING_FILE,
            f"is {n_bytes:,} bytes; the limit is {MAX_MAPPING_BYTES:,} bytes (a mapping names columns "
            "and value translations, a few kilobytes)",
        )


def _check_depth(text: str) -> None:
    """Refuse keys with many dots and deeply nested tables or arrays before tomllib sees them."""
    bare = _TOML_COMMENT.sub("", _TOML_STRING.sub('""', text))
    for number, line in enumerate(bare.splitlines(), start=1):
        key = line.split("=", 1)[0]
        nesting = deepest = 0
        for bracket in re.findall(r"[\[\]{}]", line.split("=", 1)[1] if "=" in line else ""):
            nesting += 1 if bracket in "[{" else -1
            deepest = max(deepest, nesting)
        if key.count(".") > MAX_MAPPING_DEPTH or deepest > MAX_MAPPING_DEPTH:
            raise ValidationError(
                MAPPING_FILE,
                f"line {number} nests deeper than {MAX_MAPPING_DEPTH} levels; a mapping needs at most "
                "[values.FIELD] with 'their value = our value' lines",
            )


def _entries(data: dict[str, Any]) -> int:
    """Top-level values, plus the entries of each section and of each [values.FIELD] table."""
    count = 0
    for section in data.values():
        tables = section.values() if isinstance(section, dict) else [section]
        count += sum(len(t) if isinstance(t, dict) else 1 for t in tables)
    return count


def parse_mapping_toml(text: str, kind: Kind | str) -> ColumnMapping:
    """Read a mapping file; unknown sections or fields are refused by name.

    Files over MAX_MAPPING_BYTES, nesting deeper than MAX_MAPPING_DEPTH or with more than
    MAX_MAPPING_ENTRIES entries are refused before (or instead of) building the mapping."""
    check_mapping_size(len(text.encode("utf-8", errors="replace")))
    _check_depth(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(MAPPING_FILE, f"is not valid TOML ({exc})") from None
    except RecursionError:  # a nesting the pre-check did not see
        raise ValidationError(MAPPING_FILE, f"nests deeper than {MAX_MAPPING_DEPTH} levels") from None
    entries = _entries(data)
    if entries > MAX_MAPPING_ENTRIES:
        raise ValidationError(
            MAPPING_FILE,
            f"has {entries:,} entries; the limit is {MAX_MAPPING_ENTRIES:,} "
            "(columns, constants and value translations together)",
        )
    known = {f.name for f in fields_for(kind)}
    unknown_sections = set(data) - {"columns", "values", "constants", "format"}
    if unknown_sections:
        raise ValidationError(MAPPING_FILE, f"unknown section(s): {', '.join(sorted(unknown_sections))}")
    columns = _strings(data.get("columns", {}), "columns")
    constants = _strings(data.get("constants", {}), "constants")
    raw_values = data.get("values", {})
    if not isinstance(raw_values, dict):
        raise ValidationError(MAPPING_FILE, "[values] must hold one table per field, e.g. [values.stage]")
    values = {name: _strings(table, f"values.{name}") for name, table in raw_values.items()}
    fmt = _strings(data.get("format", {}), "format")
    unknown_fmt = set(fmt) - {"date", "datetime"}
    if unknown_fmt:
        raise ValidationError(
            MAPPING_FILE, f"[format] knows 'date' and 'datetime', not {sorted(unknown_fmt)}"
        )
    for section, names in (("columns", columns), ("constants", constants), ("values", values)):
        wrong = sorted(set(names) - known)
        if wrong:
            raise ValidationError(
                MAPPING_FILE,
                f"[{section}] names field(s) that {Kind(kind).value} do not have: {', '.join(wrong)} "
                f"(known: {', '.join(f.name for f in fields_for(kind))})",
            )
    return ColumnMapping(columns, values, constants, fmt.get("date"), fmt.get("datetime"))


def check_mapping(mapping: ColumnMapping, kind: Kind | str, file_columns: list[str]) -> None:
    """Every mapped column must exist in the file, and every required field must be provided."""
    missing = sorted({c for c in mapping.columns.values() if c and c not in file_columns})
    if missing:
        raise ValidationError(
            "column mapping",
            f"the file has no column(s) {', '.join(repr(m) for m in missing)} "
            f"(its columns: {', '.join(file_columns[:30])})",
        )
    required = [f.name for f in fields_for(kind) if f.required and not mapping.provides(f.name)]
    if required:
        raise ValidationError(
            "column mapping", f"no column is mapped to the required field(s): {', '.join(required)}"
        )
