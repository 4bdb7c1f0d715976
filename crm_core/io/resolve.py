"""Match what a file names (accounts, products, reps, deals) to records already in the store.

- customers: by external id, else by name with case, spacing and punctuation ignored;
- products: by SKU (any case), else by name the same way, else by a close spelling of the
  name (`difflib`, ratio ≥ 0.9, over the distinct unmatched names only); loose matches are
  reported as notes;
- owners: by email, else by name; users are never created by an import;
- opportunities (for orders): by external id.
Missing customers and products are created from the file when the import is asked to
(`create_missing`); otherwise the row is rejected with the reason.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import polars as pl

from crm_core.io.parse import normalised

FUZZY_CUTOFF = 0.9
FUZZY_MAX_NAMES = 2_000  # distinct unmatched names; past this, loose matching is skipped (and said so)


@dataclass(frozen=True)
class References:
    """What the store already has, as frames (read by `crm_core.store.imports.load_references`)."""

    customers: pl.DataFrame  # id, external_id, name
    products: pl.DataFrame  # id, sku, name, list_price_cents
    users: pl.DataFrame  # id, name, email
    opportunities: pl.DataFrame  # id, external_id, customer_id
    orders: pl.DataFrame  # id, external_id, locked (has allocations or an invoice)

    @classmethod
    def empty(cls) -> References:
        return cls(
            pl.DataFrame(schema={"id": pl.Int64, "external_id": pl.String, "name": pl.String}),
            pl.DataFrame(
                schema={"id": pl.Int64, "sku": pl.String, "name": pl.String, "list_price_cents": pl.Int64}
            ),
            pl.DataFrame(schema={"id": pl.Int64, "name": pl.String, "email": pl.String}),
            pl.DataFrame(schema={"id": pl.Int64, "external_id": pl.String, "customer_id": pl.Int64}),
            pl.DataFrame(schema={"id": pl.Int64, "external_id": pl.String, "locked": pl.Boolean}),
        )


def _column(frame: pl.LazyFrame, name: str) -> pl.Expr:
    return pl.col(name) if name in frame.collect_schema().names() else pl.lit(None, dtype=pl.String)


def match_customers(frame: pl.LazyFrame, refs: References) -> pl.LazyFrame:
    """Adds `customer_id` (existing match or null) and `_cust_key` (what identifies a new one)."""
    ext, name = _column(frame, "customer_external_id"), _column(frame, "customer")
    by_ext = (
        refs.customers.lazy()
        .filter(pl.col("external_id").is_not_null())
        .select(pl.col("external_id").alias("_cust_ext"), pl.col("id").alias("_cid_ext"))
    )
    by_name = (
        refs.customers.lazy()
        .select(normalised(pl.col("name")).alias("_cust_norm"), pl.col("id").alias("_cid_name"))
        .group_by("_cust_norm")
        .agg(pl.col("_cid_name").min())
    )
    return (
        frame.with_columns(ext.alias("_cust_ext"), normalised(name).alias("_cust_norm"))
        .join(by_ext, on="_cust_ext", how="left", maintain_order="left")
        .join(by_name, on="_cust_norm", how="left", maintain_order="left")
        .with_columns(
            pl.coalesce("_cid_ext", "_cid_name").alias("customer_id"),
            pl.coalesce(pl.lit("x:") + pl.col("_cust_ext"), pl.lit("n:") + pl.col("_cust_norm")).alias(
                "_cust_key"
            ),
        )
        .drop("_cid_ext", "_cid_name")
    )


def match_products(
    frame: pl.LazyFrame, refs: References, *, sku: str | None, name: str | None
) -> pl.LazyFrame:
    """Adds `product_id`, `_prod_key`, `_prod_how` ('sku', 'name' or null) for the given columns.

    `sku` is the column holding a SKU, `name` the one holding a product name (for opportunities
    the one `product` column may hold either: pass it as both)."""
    sku_expr = pl.col(sku).str.to_uppercase() if sku else pl.lit(None, dtype=pl.String)
    name_expr = normalised(pl.col(name)) if name else pl.lit(None, dtype=pl.String)
    by_sku = refs.products.lazy().select(
        pl.col("sku").str.to_uppercase().alias("_prod_sku"), pl.col("id").alias("_pid_sku")
    )
    by_name = (
        refs.products.lazy()
        .select(normalised(pl.col("name")).alias("_prod_norm"), pl.col("id").alias("_pid_name"))
        .group_by("_prod_norm")
        .agg(pl.col("_pid_name").min())
    )
    return (
        frame.with_columns(sku_expr.alias("_prod_sku"), name_expr.alias("_prod_norm"))
        .join(by_sku, on="_prod_sku", how="left", maintain_order="left")
        .join(by_name, on="_prod_norm", how="left", maintain_order="left")
        .with_columns(
            # A SKU the file gives decides: unknown, it is a new product (or a rejection), never
            # the product of a similar name. Names decide only where there is no SKU (or the one
            # column may hold either, as for opportunities).
            (pl.col("_pid_sku") if sku and sku != name else pl.coalesce("_pid_sku", "_pid_name")).alias(
                "product_id"
            )
            if sku
            else pl.col("_pid_name").alias("product_id"),
            pl.when(pl.col("_pid_sku").is_not_null())
            .then(pl.lit("sku"))
            .when(pl.col("_pid_name").is_not_null() & pl.lit(not sku or sku == name))
            .then(pl.lit("name"))
            .alias("_prod_how"),
            pl.coalesce(pl.lit("s:") + pl.col("_prod_sku"), pl.lit("n:") + pl.col("_prod_norm")).alias(
                "_prod_key"
            ),
        )
        .drop("_pid_sku", "_pid_name")
    )


def fuzzy_product_matches(
    unmatched_names: dict[str, str], refs: References
) -> tuple[pl.DataFrame, list[str]]:
    """Close spellings of product names: a frame `_prod_norm` → `_pid_fuzzy`, and notes saying so.

    `unmatched_names` maps each distinct normalised name to how the file spells it. Runs over
    those names (not rows); each gets the single best product name with a similarity ≥
    FUZZY_CUTOFF, or none."""
    empty = pl.DataFrame(schema={"_prod_norm": pl.String, "_pid_fuzzy": pl.Int64})
    if not unmatched_names or refs.products.is_empty():
        return empty, []
    if len(unmatched_names) > FUZZY_MAX_NAMES:
        return empty, [
            f"{len(unmatched_names):,} product names are not in the product list; too many to match "
            f"loosely (limit {FUZZY_MAX_NAMES:,}), so only exact SKUs and names were matched."
        ]
    products = refs.products.with_columns(normalised(pl.col("name")).alias("norm"))
    norms = products["norm"].to_list()
    by_norm = dict(
        zip(norms, zip(products["id"].to_list(), products["name"].to_list(), strict=True), strict=True)
    )
    found: dict[str, int] = {}
    notes: list[str] = []
    for wanted, spelled in unmatched_names.items():  # distinct names, not rows
        close = difflib.get_close_matches(wanted, norms, n=5, cutoff=FUZZY_CUTOFF)
        best = [n for n in close if same_words(spelled, by_norm[n][1])][:1]
        if best:
            pid, pname = by_norm[best[0]]
            found[wanted] = pid
            notes.append(f"product '{spelled}' was matched loosely to '{pname}'")
    if not found:
        return empty, []
    return pl.DataFrame({"_prod_norm": list(found), "_pid_fuzzy": list(found.values())}), notes


_WORD = re.compile(r"[^\W_]+")
MIN_TYPO_WORD = 4  # shorter words differ in meaning by one letter (RED, RES)


def same_words(a: str, b: str) -> bool:
    """Whether two names differ only by spelling inside words: 'WHITE HANGING HEART T-LIGHT
    HOLDER' ~ 'WHITE HANGING HEART TLIGHT HOLDER', 'Edge Routr ER400' ~ 'Edge Router ER-400', but
    never 'OCEAN SCENT CANDLE' ~ 'ROSE SCENT CANDLE' (a whole word differs).

    Each word of one name missing from the other must be in the other's differing words run
    together (T-LIGHT ~ TLIGHT), or a misspelling of one of them (one letter, words of at least
    MIN_TYPO_WORD letters)."""
    left, right = _WORD.findall(a.lower()), _WORD.findall(b.lower())
    only_left = [w for w in left if w not in right]
    only_right = [w for w in right if w not in left]

    def covered(words: list[str], others: list[str]) -> bool:
        joined = "".join(others)
        return all(
            w in joined or any(min(len(w), len(o)) >= MIN_TYPO_WORD and _one_edit(w, o) for o in others)
            for w in words
        )

    return covered(only_left, only_right) and covered(only_right, only_left)


def _one_edit(x: str, y: str) -> bool:
    """At most one letter inserted, dropped or changed."""
    if abs(len(x) - len(y)) > 1:
        return False
    i = 0
    while i < min(len(x), len(y)) and x[i] == y[i]:
        i += 1
    return x[i + 1 :] == y[i + 1 :] or x[i:] == y[i + 1 :] or x[i + 1 :] == y[i:]


def match_owners(frame: pl.LazyFrame, refs: References, default_owner: int) -> pl.LazyFrame:
    """Adds `owner_id`: the user with that email or name; the importing user when no owner is given."""
    if "owner" not in frame.collect_schema().names():
        return frame.with_columns(pl.lit(default_owner, dtype=pl.Int64).alias("owner_id"))
    users = refs.users.lazy()
    by_email = users.select(pl.col("email").str.to_lowercase().alias("_own_email"), pl.col("id").alias("_u1"))
    by_name = (
        users.select(normalised(pl.col("name")).alias("_own_norm"), pl.col("id").alias("_u2"))
        .group_by("_own_norm")
        .agg(pl.col("_u2").min())
    )
    return (
        frame.with_columns(
            pl.col("owner").str.to_lowercase().alias("_own_email"),
            normalised(pl.col("owner")).alias("_own_norm"),
        )
        .join(by_email, on="_own_email", how="left", maintain_order="left")
        .join(by_name, on="_own_norm", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("owner").is_null())
            .then(pl.lit(default_owner, dtype=pl.Int64))
            .otherwise(pl.coalesce("_u1", "_u2"))
            .alias("owner_id")
        )
        .drop("_own_email", "_own_norm", "_u1", "_u2")
    )


def new_records(
    accepted: pl.DataFrame, key: str, id_col: str, aggs: list[pl.Expr]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Distinct new records (rows whose `id_col` is null) by `key`, numbered `_new` 0..n-1 in
    file order; and the rows with `_new_<id_col>` pointing at them."""
    missing = accepted.filter(pl.col(id_col).is_null() & pl.col(key).is_not_null())
    records = (
        missing.sort("_row")
        .group_by(key, maintain_order=True)
        .agg(pl.col("_row").first().alias("_first_row"), *aggs)
        .with_row_index("_new")
        .with_columns(pl.col("_new").cast(pl.Int64))
    )
    rows = accepted.join(
        records.select(key, pl.col("_new").alias(f"_new_{id_col}")), on=key, how="left", maintain_order="left"
    ).with_columns(pl.when(pl.col(id_col).is_null()).then(pl.col(f"_new_{id_col}")).alias(f"_new_{id_col}"))
    return records, rows
