"""The import report: what was read, imported and rejected, and every problem with its row,
column and reason. The Data page and the command line show the same report."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from crm_core.io.export import neutralise_formulas
from crm_core.io.mapping import ColumnMapping

PROBLEM_SCHEMA = pl.Schema({"row": pl.Int64, "column": pl.String, "value": pl.String, "reason": pl.String})


def empty_problems() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


@dataclass
class ImportReport:
    kind: str
    file_name: str
    lenient: bool
    dry_run: bool
    rows_read: int
    rows_imported: int
    rows_rejected: int
    problems: pl.DataFrame = field(default_factory=empty_problems)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    mapping: ColumnMapping = field(default_factory=ColumnMapping)
    written: bool = False

    @property
    def clean(self) -> bool:
        """Nothing was rejected."""
        return self.rows_rejected == 0

    def headline(self) -> str:
        mode = "lenient" if self.lenient else "strict"
        verb = "would be imported" if self.dry_run else "imported"
        text = (
            f"{self.kind.capitalize()} from {self.file_name} ({mode}{', dry run' if self.dry_run else ''}): "
            f"{self.rows_read:,} rows read, {self.rows_imported:,} {verb}, {self.rows_rejected:,} rejected."
        )
        if self.rows_rejected and not self.lenient:
            text += " Strict mode: nothing was imported because some rows have problems."
        if self.dry_run:
            text += " Dry run: nothing was written."
        return text

    def changes(self) -> str:
        parts = [f"{n:,} {name} created" for name, n in self.created.items() if n]
        parts += [f"{n:,} {name} updated" for name, n in self.updated.items() if n]
        return ", ".join(parts) if parts else "no records changed"

    def problems_by_reason(self, limit: int = 20) -> pl.DataFrame:
        return (
            self.problems.group_by("column", "reason")
            .agg(pl.len().alias("rows"), pl.col("row").min().alias("first_row"))
            .sort("rows", "first_row", descending=[True, False])
            .head(limit)
        )

    def to_text(self, max_problems: int = 50) -> str:
        lines = [self.headline(), f"Changes: {self.changes()}."]
        lines += [f"Note: {note}" for note in self.notes]
        if self.problems.height:
            lines.append(f"Problems ({self.problems.height:,}; row numbers count the header as row 1):")
            for p in self.problems.head(max_problems).to_dicts():
                value = "" if p["value"] is None else f" = {p['value']!r}"
                lines.append(f"  row {p['row']}, column '{p['column']}'{value}: {p['reason']}")
            if self.problems.height > max_problems:
                lines.append(
                    f"  … and {self.problems.height - max_problems:,} more (see the full report file)"
                )
        return "\n".join(lines)

    def problems_csv(self) -> bytes:
        """The downloadable report: one line per problem (formula-like cells neutralised)."""
        return neutralise_formulas(self.problems).write_csv().encode()
