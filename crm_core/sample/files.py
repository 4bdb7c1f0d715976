"""The sample data as files (one CSV per table and a manifest), and the command line."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from crm_core.errors import NotFound, ValidationError
from crm_core.sample.assembly import generate
from crm_core.sample.vectors import table_schema
from crm_core.sample.vocab import GENERATOR_VERSION
from crm_core.store.models import TABLE_ORDER


def write_sample(frames: dict[str, pl.DataFrame], out_dir: Path, *, seed: int, as_of: date) -> None:
    """One `<table>.csv` per table and a `manifest.json` with seed, as_of, generator version and counts."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in TABLE_ORDER:
        frames[name].write_csv(out_dir / f"{name}.csv")
    manifest = {
        "seed": seed,
        "as_of": as_of.isoformat(),
        "generator_version": GENERATOR_VERSION,
        "counts": {name: frames[name].height for name in TABLE_ORDER},
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def read_sample(dir: Path) -> tuple[dict[str, pl.DataFrame], dict]:
    """The frames written by `write_sample`, with the tables' exact dtypes, and the manifest."""
    dir = Path(dir)
    manifest_path = dir / "manifest.json"
    if not manifest_path.is_file():
        raise NotFound(f"No sample data in {dir}: manifest.json is missing.")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    frames = {}
    for name in TABLE_ORDER:
        path = dir / f"{name}.csv"
        if not path.is_file():
            raise NotFound(f"The sample data in {dir} is incomplete: {path.name} is missing.")
        try:
            frames[name] = pl.read_csv(path, schema=table_schema(name))
        except pl.exceptions.PolarsError as error:
            raise ValidationError(path.name, f"is not a valid {name} table: {error}") from None
    return frames, manifest


def _count(field: str, minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{field} must be a whole number, not '{text}'") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{field} must be at least {minimum}, not {value}")
        return value

    return parse


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"as-of must be a date like 2026-11-20, not '{text}'") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crm_core.sample",
        description="Write a deterministic Scalewise sample data set as CSV files.",
    )
    parser.add_argument("--opportunities", type=_count("opportunities", 1), default=2000, help="default 2000")
    parser.add_argument("--seed", type=_count("seed", 0), default=7, help="default 7")
    parser.add_argument(
        "--out", type=Path, required=True, help="directory for the CSV files and manifest.json"
    )
    parser.add_argument(
        "--as-of", type=_day, default=None, help="last day of the history (default: today, UTC)"
    )
    parser.add_argument(
        "--orders", type=_count("orders", 0), default=None, help="default 0.75 × opportunities"
    )
    args = parser.parse_args(argv)
    as_of = args.as_of or datetime.now(UTC).date()
    frames = generate(args.opportunities, seed=args.seed, as_of=as_of, n_orders=args.orders)
    write_sample(frames, args.out, seed=args.seed, as_of=as_of)
    counts = ", ".join(f"{name} {frame.height:,}" for name, frame in frames.items())
    print(f"Wrote {args.out} (seed {args.seed}, as of {as_of}): {counts}")
    return 0
