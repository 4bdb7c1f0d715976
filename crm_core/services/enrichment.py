"""Derive missing factor scores from history (cold-start scoring): preview, then apply.

Managers and admins only (checked here). Applying fills only the factors nobody entered and
writes one `derive_scores` event per opportunity it changed, naming the factors and values, by
the acting user — so the audit trail says which scores were derived and which a person gave.
Re-applying fills only what is still empty: derived values are then kept like entered ones.
A deal someone changes between the read and the write is left as it is (its version moved on).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from crm_core.opportunities import CLOSED_STAGES, FACTORS
from crm_core.permissions import Actor, Permission, require
from crm_core.scoring.enrichment import default_rules_text, derive, fill_missing, parse_rules
from crm_core.store import Store
from crm_core.store.enrichment import read_enrichment_inputs, write_derived
from crm_core.store.models import utcnow

DEFAULT_SOURCE = "enrichment_rules.toml"
CLOSED = [s.value for s in CLOSED_STAGES]


@dataclass(frozen=True)
class EnrichmentPreview:
    """What applying the rules does (or did): counts and the distribution of the derived scores."""

    deals: int  # opportunities in the database
    deals_filled: int  # opportunities that gain at least one factor
    filled_by_factor: dict[str, int]  # factor → opportunities whose factor is filled
    distribution: pl.DataFrame  # factor, score, deals: the derived values that are written
    closed_scored_before: int  # closed deals with all eight factors, before
    closed_scored_after: int  # … and after applying
    changed_meanwhile: int = 0  # deals someone changed between reading and writing: left for next time

    @property
    def factors_filled(self) -> int:
        return sum(self.filled_by_factor.values())

    def summary(self) -> str:
        """One line for the command line: what was (or would be) filled."""
        return (
            f"Derived scores: {self.deals_filled:,} of {self.deals:,} deals gained "
            f"{self.factors_filled:,} factor scores; closed deals with all eight factors "
            f"{self.closed_scored_before:,} → {self.closed_scored_after:,}."
            + (
                f" {self.changed_meanwhile:,} deals changed while this ran were left as they were."
                if self.changed_meanwhile
                else ""
            )
        )


def plan_enrichment(store: Store, rules_text: str | None) -> tuple[pl.DataFrame, EnrichmentPreview]:
    """The deals to fill (with the version each was read at) and the preview; reads only."""
    rules = parse_rules(default_rules_text() if rules_text is None else rules_text)
    opportunities, customers, orders = read_enrichment_inputs(store)
    fills = fill_missing(opportunities, derive(opportunities, customers, orders, rules)).join(
        opportunities.select("id", "version"), on="id", how="left", maintain_order="left"
    )
    long = fills.select("derived", *FACTORS).explode("derived")
    distribution = (
        long.select(
            pl.col("derived").alias("factor"),
            pl.coalesce(pl.when(pl.col("derived") == f).then(pl.col(f)) for f in FACTORS).alias("score"),
        )
        .group_by("factor", "score")
        .agg(pl.len().cast(pl.Int64).alias("deals"))
        .sort(pl.col("factor").replace_strict(FACTORS, range(len(FACTORS))), "score")
    )
    per_factor = long.group_by("derived").len()
    counts = dict(
        zip(per_factor.get_column("derived").to_list(), per_factor.get_column("len").to_list(), strict=True)
    )
    closed = opportunities.filter(pl.col("stage").is_in(CLOSED))
    after = closed.join(fills.select("id", *FACTORS), on="id", how="left", suffix="_new")
    scored = pl.all_horizontal(pl.col(f).is_not_null() for f in FACTORS)
    scored_after = pl.all_horizontal(pl.coalesce(f, f"{f}_new").is_not_null() for f in FACTORS)
    preview = EnrichmentPreview(
        deals=opportunities.height,
        deals_filled=fills.height,
        filled_by_factor={f: int(counts.get(f, 0)) for f in FACTORS},
        distribution=distribution,
        closed_scored_before=int(closed.select(scored.sum()).item()),
        closed_scored_after=int(after.select(scored_after.sum()).item()),
    )
    return fills, preview


def preview_enrichment(store: Store, actor: Actor | None, rules_text: str | None = None) -> EnrichmentPreview:
    """What applying these rules (default: the repository's file) would fill; writes nothing."""
    require(actor, Permission.DERIVE_SCORES)
    return plan_enrichment(store, rules_text)[1]


def apply_enrichment(
    store: Store, actor: Actor | None, rules_text: str | None = None, *, source: str = DEFAULT_SOURCE
) -> EnrichmentPreview:
    """Fill every missing factor the rules can derive, in one transaction with an event per deal."""
    actor = require(actor, Permission.DERIVE_SCORES)
    fills, preview = plan_enrichment(store, rules_text)
    if not fills.height:
        return preview
    written = write_derived(store, fills, actor_id=actor.id, now=utcnow(), source=source)
    return replace(preview, changed_meanwhile=fills.height - written)
