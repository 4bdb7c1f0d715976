"""Cold-start scoring: derive missing SCALE and BANT factors from history, by rules a manager edits.

The rules are a TOML file (`enrichment_rules.toml` beside this module is the default; its
comments explain each section). `parse_rules` validates a text and names the key of any mistake;
`derive` computes every factor for every deal as Polars expressions; `fill_missing` keeps what a
person entered and fills only the factors that are still empty.

Decisions:
- No look-ahead: a deal's relationship counts the customer's deals won (closed) strictly before
  the deal was created and orders entered strictly before it; its owner's open load is the
  owner's other deals created before it and not yet closed then (as-of joins per customer and
  per owner). An order is counted whatever its later status: when the deal was created it was an
  order, and its later cancellation would be knowledge from the future.
- C is the mean of the employees and annual-revenue scores that are known; L the higher of the
  won-deals and orders scores (a converted deal and its order are one relationship, not two).
- BANT is derived where the deal records something (a budget and an amount, a decision maker, a
  need summary, a purchase timeframe); elsewhere the rule's `unknown` score, if it has one.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from crm_core.errors import ValidationError
from crm_core.opportunities import FACTORS

DEFAULT_RULES_PATH = Path(__file__).with_name("enrichment_rules.toml")
RECORDED_FACTORS = ("authority", "need", "timing")
RECORDED_FIELDS = {"authority": "decision_maker", "need": "need_summary", "timing": "purchase_timeframe"}
# Each section's keys and which of them are band lists.
SECTION_KEYS: dict[str, dict[str, str]] = {
    "segmentation": {"unknown": "score", "other": "score", "industries": "table"},
    "customer_characteristics": {"unknown": "score", "employees": "bands", "annual_revenue": "bands"},
    "relationship_level": {"won_deals": "bands", "orders": "bands"},
    "account_resource": {"open_deals": "bands"},
    "budget": {"unknown": "score", "coverage_percent": "bands"},
    **{f: {"recorded": "score", "unknown": "score"} for f in RECORDED_FACTORS},
}

Bands = tuple[tuple[float, float], ...]  # (from, score), `from` strictly increasing


@dataclass(frozen=True)
class Rules:
    """Validated enrichment rules: per factor its band lists and fixed scores (None = not set)."""

    sections: dict[str, dict[str, Any]]

    def score(self, factor: str, key: str) -> float | None:
        return self.sections.get(factor, {}).get(key)

    def bands(self, factor: str, key: str) -> Bands:
        return self.sections.get(factor, {}).get(key, ())


def _score(key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10:
        raise ValidationError(key, f"must be a score from 0 to 10, not {value!r}")
    return float(value)


def _bands(key: str, value: object) -> Bands:
    if not isinstance(value, list) or not value:
        raise ValidationError(key, "must be a list of bands like [{ from = 0, score = 5 }, …]")
    bands: list[tuple[float, float]] = []
    for i, band in enumerate(value, start=1):
        where = f"{key}[{i}]"
        if not isinstance(band, dict) or set(band) != {"from", "score"}:
            raise ValidationError(where, "each band has exactly two keys, `from` and `score`")
        start = band["from"]
        if isinstance(start, bool) or not isinstance(start, int | float) or start < 0:
            raise ValidationError(f"{where}.from", f"must be a number of 0 or more, not {start!r}")
        if bands and start <= bands[-1][0]:
            raise ValidationError(
                f"{where}.from", f"must be above the band before it ({bands[-1][0]:g}), not {start:g}"
            )
        bands.append((float(start), _score(f"{where}.score", band["score"])))
    return tuple(bands)


def parse_rules(text: str) -> Rules:
    """Validate a rules text; a mistake raises a ValidationError naming the key."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError("enrichment rules", f"not valid TOML: {exc}") from None
    unknown = [name for name in raw if name not in SECTION_KEYS]
    if unknown:
        section = f"[{unknown[0]}]"  # named as the file writes it, so it reads as a key
        raise ValidationError(section, f"is not a factor; the sections are {', '.join(SECTION_KEYS)}")
    sections: dict[str, dict[str, Any]] = {}
    for name, body in raw.items():
        if not isinstance(body, dict):
            raise ValidationError(name, "must be a section ([name]) of keys")
        allowed = SECTION_KEYS[name]
        parsed: dict[str, Any] = {}
        for key, value in body.items():
            path = f"{name}.{key}"
            kind = allowed.get(key)
            if kind is None:
                raise ValidationError(path, f"is not a rule of {name}; its keys are {', '.join(allowed)}")
            if kind == "score":
                parsed[key] = _score(path, value)
            elif kind == "bands":
                parsed[key] = _bands(path, value)
            else:
                if not isinstance(value, dict):
                    raise ValidationError(path, "must be a table of industry = score")
                parsed[key] = {
                    " ".join(str(k).split()).casefold(): _score(f"{path}.{k}", v) for k, v in value.items()
                }
        sections[name] = parsed
    return Rules(sections)


def default_rules_text() -> str:
    return DEFAULT_RULES_PATH.read_text(encoding="utf-8")


def banded(value: pl.Expr, bands: Bands, unknown: float | None) -> pl.Expr:
    """The score of the highest band whose `from` the value reaches; `unknown` below them or if null."""
    expr = pl.lit(unknown, dtype=pl.Float64)
    for start, score in bands:  # later (higher) bands override earlier ones
        expr = pl.when(value >= start).then(pl.lit(score, dtype=pl.Float64)).otherwise(expr)
    return expr


def _counts_before(
    deals: pl.DataFrame, history: pl.DataFrame, key: str, at: str, *, strictly: bool
) -> pl.Series:
    """Per deal (in `deals`' row order): how many `history` rows of the same `key` fall before the
    deal's `created_at` (strictly, or at or before), by an as-of join on a running count."""
    running = (
        history.select(key, at)
        .drop_nulls()
        .sort(at)
        .with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over(key).alias("_n"))
    )
    joined = (
        deals.select(pl.int_range(pl.len()).alias("_row"), key, "created_at")
        .sort("created_at")
        .join_asof(
            running,
            left_on="created_at",
            right_on=at,
            by=key,
            allow_exact_matches=not strictly,
            check_sortedness=False,  # both sides sorted just above
        )
        .sort("_row")
    )
    return joined.get_column("_n").fill_null(0)


def history_counts(opportunities: pl.DataFrame, orders: pl.DataFrame) -> pl.DataFrame:
    """`id`, `won_deals`, `orders`, `open_deals` of each opportunity at the moment it was created.

    `opportunities` needs id, customer_id, owner_id, stage, created_at, closed_at; `orders`
    customer_id and created_at."""
    won = opportunities.filter(pl.col("stage") == "won")
    created_before = _counts_before(opportunities, opportunities, "owner_id", "created_at", strictly=True)
    closed_by = _counts_before(opportunities, opportunities, "owner_id", "closed_at", strictly=False)
    return opportunities.select(
        "id",
        _counts_before(opportunities, won, "customer_id", "closed_at", strictly=True).alias("won_deals"),
        _counts_before(opportunities, orders, "customer_id", "created_at", strictly=True).alias("orders"),
        (created_before - closed_by).clip(lower_bound=0).alias("open_deals"),
    )


def derive(
    opportunities: pl.DataFrame, customers: pl.DataFrame, orders: pl.DataFrame, rules: Rules
) -> pl.DataFrame:
    """`id` and the eight factors as the rules derive them (null where a rule gives no score).

    `opportunities` as for `history_counts`, plus expected_amount_cents, budget_cents,
    decision_maker, need_summary, purchase_timeframe; `customers` id, industry, employees,
    annual_revenue_cents."""
    base = opportunities.join(
        customers.select(pl.col("id").alias("customer_id"), "industry", "employees", "annual_revenue_cents"),
        on="customer_id",
        how="left",
        maintain_order="left",
    ).join(history_counts(opportunities, orders), on="id", how="left", maintain_order="left")
    return base.select("id", *(_factor(factor, rules).alias(factor) for factor in FACTORS))


def _industry_score(rules: Rules) -> pl.Expr:
    table: dict[str, float] = rules.sections.get("segmentation", {}).get("industries", {})
    industry = pl.col("industry").str.strip_chars().str.replace_all(r"\s+", " ").str.to_lowercase()
    known = industry.replace_strict(
        list(table),
        list(table.values()),
        default=rules.score("segmentation", "other"),
        return_dtype=pl.Float64,
    )
    unknown = pl.lit(rules.score("segmentation", "unknown"), dtype=pl.Float64)
    return pl.when(industry.is_null() | (industry == "")).then(unknown).otherwise(known)


def _recorded(column: str) -> pl.Expr:
    return pl.col(column).str.strip_chars().str.len_chars().fill_null(0) > 0


def _factor(factor: str, rules: Rules) -> pl.Expr:
    if factor == "segmentation":
        return _industry_score(rules)
    if factor == "customer_characteristics":
        sized = pl.mean_horizontal(
            banded(pl.col("employees"), rules.bands(factor, "employees"), None),
            banded(pl.col("annual_revenue_cents") / 100, rules.bands(factor, "annual_revenue"), None),
        )
        return sized.fill_null(pl.lit(rules.score(factor, "unknown"), dtype=pl.Float64))
    if factor == "relationship_level":
        return pl.max_horizontal(
            banded(pl.col("won_deals"), rules.bands(factor, "won_deals"), None),
            banded(pl.col("orders"), rules.bands(factor, "orders"), None),
        ).cast(pl.Float64)
    if factor == "account_resource":
        return banded(pl.col("open_deals"), rules.bands(factor, "open_deals"), None)
    unknown = rules.score(factor, "unknown")
    if factor == "budget":
        amount = pl.col("expected_amount_cents")
        coverage = pl.when(amount > 0).then(pl.col("budget_cents") * 100 / amount)
        return banded(coverage, rules.bands(factor, "coverage_percent"), unknown)
    recorded = rules.score(factor, "recorded")
    return (
        pl.when(_recorded(RECORDED_FIELDS[factor]))
        .then(pl.lit(recorded, dtype=pl.Float64))
        .otherwise(pl.lit(unknown, dtype=pl.Float64))
    )


def fill_missing(opportunities: pl.DataFrame, derived: pl.DataFrame) -> pl.DataFrame:
    """The deals that gain at least one factor: `id`, each factor (kept where a person entered it,
    else derived), `filled_<factor>` (whether it was derived) and `derived`, the list of factors
    filled. Nothing a person entered changes."""
    joined = opportunities.select("id", *FACTORS).join(
        derived, on="id", how="inner", suffix="_derived", maintain_order="left"
    )
    filled = [
        (pl.col(f).is_null() & pl.col(f"{f}_derived").is_not_null()).alias(f"filled_{f}") for f in FACTORS
    ]
    return (
        joined.with_columns(filled)
        .filter(pl.any_horizontal(f"filled_{f}" for f in FACTORS))
        .select(
            "id",
            *(pl.coalesce(f, f"{f}_derived").alias(f) for f in FACTORS),
            *(f"filled_{f}" for f in FACTORS),
            pl.concat_list(pl.when(pl.col(f"filled_{f}")).then(pl.lit(f)) for f in FACTORS)
            .list.drop_nulls()
            .alias("derived"),
        )
    )
