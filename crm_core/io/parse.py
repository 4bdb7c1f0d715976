"""Turn text columns into typed fields, with a reason per row where a value is not valid.

Everything is a Polars expression over the whole column (no row loops): each field yields a
typed value column `<field>` and a reason column `_why_<field>` (null when the value is fine).
The rules are those of `crm_core.validation`, written for columns: trimmed text with no control
characters and a length limit, whole numbers, amounts with at most two decimals (thousands
separators `,` and currency signs ignored), percentages, scores 0–10, yes/no, choices (with the
synonyms of `fields.CHOICE_SYNONYMS` and the mapping's value maps), email and phone patterns,
and dates in ISO or US month/day/year form unless the mapping names a format.
"""

from __future__ import annotations

import polars as pl

from crm_core.io.export import restore_neutralised
from crm_core.io.fields import CHOICE_SYNONYMS, Field, FieldType, Kind, fields_for
from crm_core.io.mapping import ColumnMapping
from crm_core.io.read import ROW, column
from crm_core.validation import EMAIL_RE, FORBIDDEN_MULTILINE, FORBIDDEN_SINGLE_LINE, MAX_AMOUNT, PHONE_RE

DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
)
TRUE_WORDS = ("true", "yes", "y", "1", "t", "x", "ja", "oui")
FALSE_WORDS = ("false", "no", "n", "0", "f", "nein", "non")
# Dates outside these years are typos or placeholders (0001-01-01, 9999-12-31), not CRM history.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2199
MAX_CENTS = int(MAX_AMOUNT) * 100


def why(name: str) -> str:
    return f"_why_{name}"


def raw(name: str) -> str:
    return f"_raw_{name}"


def _quoted(c: pl.Expr) -> pl.Expr:
    return pl.lit("'") + c.str.slice(0, 40) + pl.lit("'")


def _reason(*cases: tuple[pl.Expr, pl.Expr | str]) -> pl.Expr:
    """The first matching case's message, else null."""
    chain = None
    for condition, message in cases:
        msg = pl.lit(message) if isinstance(message, str) else message
        chain = pl.when(condition).then(msg) if chain is None else chain.when(condition).then(msg)
    return chain.otherwise(pl.lit(None, dtype=pl.String)) if chain is not None else pl.lit(None)


def _datetime_formats(spec: Field, mapping: ColumnMapping) -> tuple[str, ...]:
    if spec.type == FieldType.DATETIME and mapping.datetime_format:
        return (mapping.datetime_format,)
    if mapping.date_format:
        base = mapping.date_format
        return (base,) if spec.type == FieldType.DATE else (f"{base} %H:%M:%S", f"{base} %H:%M", base)
    return DATETIME_FORMATS


def _format_hint(spec: Field, mapping: ColumnMapping) -> str:
    if mapping.date_format or mapping.datetime_format:
        return "in the mapping's format " + " or ".join(_datetime_formats(spec, mapping)[:2])
    return "expected YYYY-MM-DD or MM/DD/YYYY; set [format] date in a mapping file for other forms"


def parse_field(spec: Field, mapping: ColumnMapping) -> tuple[pl.Expr, pl.Expr]:
    """(typed value, reason) for one field read from the text column of the same name."""
    c = pl.col(spec.name)
    present = c.is_not_null()
    t = spec.type
    if t in (FieldType.TEXT, FieldType.LONG_TEXT):
        too_long = c.str.len_chars() > spec.max_length
        controls = c.str.contains(FORBIDDEN_MULTILINE if t == FieldType.LONG_TEXT else FORBIDDEN_SINGLE_LINE)
        return c, _reason(
            (
                too_long,
                pl.format(
                    "is too long ({} characters; at most {})", c.str.len_chars(), pl.lit(spec.max_length)
                ),
            ),
            (controls, "contains control or text-direction characters"),
        )
    if t == FieldType.INTEGER:
        cleaned = c.str.replace_all(",", "", literal=True)
        ok = cleaned.str.contains(r"^[+-]?[0-9]{1,15}(\.0*)?$")  # ASCII digits: \d is Unicode in Polars
        value = cleaned.str.replace(r"\.0*$", "").cast(pl.Int64, strict=False)
        minimum = spec.minimum
        return value, _reason(
            (present & ~ok, _quoted(c) + " is not a whole number"),
            (present & pl.lit(minimum is not None) & (value < (minimum or 0)), f"must be at least {minimum}"),
        )
    if t == FieldType.MONEY:
        cleaned = c.str.replace_all(r"[\s$€£,]", "")
        parts = cleaned.str.extract_groups(r"^(-?)([0-9]{1,13})(?:\.([0-9]{1,2}))?$")
        whole = parts.struct.field("2").cast(pl.Int64, strict=False)
        cents = parts.struct.field("3").fill_null("0").str.pad_end(2, "0").cast(pl.Int64, strict=False)
        value = whole * 100 + cents
        negative = parts.struct.field("1") == "-"
        return (
            pl.when(negative).then(-value).otherwise(value),
            _reason(
                (present & cleaned.str.contains(r"^-?[0-9]+\.[0-9]{3,}$"), "has more than two decimals"),
                (present & whole.is_null(), _quoted(c) + " is not an amount"),
                (present & negative & (value > 0), "must not be negative"),
                (present & (value > MAX_CENTS), "is too large"),
            ),
        )
    if t == FieldType.PERCENT:
        cleaned = c.str.replace_all(r"[\s%]", "")
        parts = cleaned.str.extract_groups(r"^([0-9]{1,3})(?:\.([0-9]{1,2}))?$")
        whole = parts.struct.field("1").cast(pl.Int64, strict=False)
        value = whole * 100 + parts.struct.field("2").fill_null("0").str.pad_end(2, "0").cast(pl.Int64)
        return value, _reason(
            (present & whole.is_null(), _quoted(c) + " is not a percentage (0–100, at most two decimals)"),
            (present & (value > 10_000), "must be at most 100 %"),
        )
    if t == FieldType.SCORE:
        value = c.cast(pl.Float64, strict=False)
        return value, _reason(
            (present & (value.is_null() | value.is_nan()), _quoted(c) + " is not a number"),
            (present & ((value < 0) | (value > 10)), "must be between 0 and 10"),
        )
    if t == FieldType.BOOLEAN:
        lower = c.str.to_lowercase()
        value = pl.when(lower.is_in(TRUE_WORDS)).then(True).when(lower.is_in(FALSE_WORDS)).then(False)
        return value, _reason((present & value.is_null(), _quoted(c) + " is not yes or no"))
    if t == FieldType.CHOICE:
        table = {**{v: v for v in spec.choices}, **CHOICE_SYNONYMS.get(spec.name, {})}
        norm = c.str.to_lowercase().str.replace_all(r"[^0-9a-z]", "")
        value = (
            pl.when(c.is_in(spec.choices))
            .then(c)
            .otherwise(norm.replace_strict(table, default=None, return_dtype=pl.String))
        )
        return value, _reason(
            (
                present & value.is_null(),
                _quoted(c) + f" is not one of: {', '.join(spec.choices)} (map it in [values.{spec.name}])",
            ),
        )
    if t == FieldType.EMAIL:
        ok = c.str.contains(EMAIL_RE.pattern) & (c.str.len_chars() <= 320)
        return c.str.to_lowercase(), _reason((present & ~ok, _quoted(c) + " is not a valid email address"))
    if t == FieldType.PHONE:
        ok = c.str.contains(PHONE_RE.pattern) & (c.str.count_matches(r"\d") >= 5)
        return c, _reason((present & ~ok, _quoted(c) + " is not a phone number"))
    if t in (FieldType.DATE, FieldType.DATETIME):
        cleaned = c.str.replace(r"(Z|[+-]00:?00)$", "")
        value = pl.coalesce(
            [
                cleaned.str.strptime(pl.Datetime("us"), f, strict=False)
                for f in _datetime_formats(spec, mapping)
            ]
        )
        if t == FieldType.DATE:
            value = value.dt.date()
        year = value.dt.year()
        return value, _reason(
            (present & value.is_null(), _quoted(c) + f" is not a date ({_format_hint(spec, mapping)})"),
            (
                present & ((year < EARLIEST_YEAR) | (year > LATEST_YEAR)),
                _quoted(c) + f" is out of range (years {EARLIEST_YEAR}–{LATEST_YEAR})",
            ),
        )
    raise AssertionError(f"unhandled field type {t}")


def is_stored_form(spec: Field, column_name: str) -> bool:
    """A column named like the store's (`list_price_cents`, `discount_bp`) holds hundredths."""
    suffix = {FieldType.MONEY: "_cents", FieldType.PERCENT: "_bp"}.get(spec.type)
    return suffix is not None and column_name.strip().lower() == spec.name + suffix


def hundredths(text: pl.Expr) -> pl.Expr:
    """'36000000' → '360000.00', '-5' → '-0.05': whole cents or basis points as the units the
    field's parser reads; anything else is marked so that parser refuses it."""
    whole = text.str.contains(r"^-?[0-9]{1,17}$")
    digits = text.str.strip_prefix("-").str.zfill(3)
    sign = pl.when(text.str.starts_with("-")).then(pl.lit("-")).otherwise(pl.lit(""))
    units = sign + digits.str.slice(0, digits.str.len_chars() - 2) + pl.lit(".") + digits.str.slice(-2)
    return pl.when(whole).then(units).otherwise(text + pl.lit(" (not whole hundredths)"))


def select_fields(raw_frame: pl.DataFrame, kind: Kind | str, mapping: ColumnMapping) -> pl.LazyFrame:
    """`_row` and one trimmed text column per provided field (value maps applied), plus `_raw_<f>`."""
    exprs: list[pl.Expr] = [pl.col(ROW)]
    for spec in fields_for(kind):
        if mapping.columns.get(spec.name):
            source = column(mapping.columns[spec.name]).cast(pl.String)
        elif spec.name in mapping.constants:
            source = pl.lit(mapping.constants[spec.name], dtype=pl.String)
        else:
            continue
        text = restore_neutralised(source.str.strip_chars())
        text = pl.when(text == "").then(None).otherwise(text)
        if spec.name in mapping.columns and is_stored_form(spec, mapping.columns[spec.name]):
            text = hundredths(text)
        if spec.name in mapping.values:
            text = text.replace(mapping.values[spec.name])
        exprs += [text.alias(spec.name), source.alias(raw(spec.name))]
    return raw_frame.lazy().select(exprs)


def parse_fields(frame: pl.LazyFrame, kind: Kind | str, mapping: ColumnMapping) -> pl.LazyFrame:
    """Typed fields and their `_why_` reason columns (for the fields the frame has)."""
    names = set(frame.collect_schema().names())
    specs = [s for s in fields_for(kind) if s.name in names]
    pairs = [parse_field(s, mapping) for s in specs]
    return frame.with_columns(
        *(
            (
                pl.when(pl.col(s.name).is_null()).then(pl.lit("is required")).otherwise(reason)
                if s.required
                else reason
            ).alias(why(s.name))
            for s, (_, reason) in zip(specs, pairs, strict=True)
        ),
    ).with_columns(*(value.alias(s.name) for s, (value, _) in zip(specs, pairs, strict=True)))


def normalised(expr: pl.Expr) -> pl.Expr:
    """The column version of `fields.normalise_name`, Unicode-aware: 'Café  Nord' → 'cafénord'."""
    return expr.str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]", "")
