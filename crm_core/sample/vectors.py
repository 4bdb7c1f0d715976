"""Schema, time and vector helpers shared by the generator's parts: table dtypes and frames, the
business-day calendar with its working clock, random draws, and Series builders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String
from sqlalchemy.types import TypeDecorator, TypeEngine

from crm_core.store.models import Base, data_columns

# A column's values as the generator builds them.
Column = pl.Series | np.ndarray | Sequence[object]

HISTORY_DAYS = 548  # about 18 months

DAY = 86_400
EPOCH = date(1970, 1, 1)
WORK_START, WORK_END = 8 * 60, 18 * 60  # minutes of the day
WORK_DAY = (WORK_END - WORK_START) * 60  # seconds in a working day

# --- schema ------------------------------------------------------------------------------------------


def _polars_type(sql_type: TypeEngine) -> pl.DataType:
    if isinstance(sql_type, TypeDecorator):
        sql_type = sql_type.impl_instance
    if isinstance(sql_type, DateTime):
        return pl.Datetime("us")
    if isinstance(sql_type, Date):
        return pl.Date()
    if isinstance(sql_type, Boolean):
        return pl.Boolean()
    if isinstance(sql_type, Integer):
        return pl.Int64()
    if isinstance(sql_type, Float):
        return pl.Float64()
    if isinstance(sql_type, String):
        return pl.Utf8()
    raise TypeError(f"no Polars type for the SQL type {sql_type!r}")


def table_schema(table: str) -> pl.Schema:
    """The Polars schema of a store table: the models' columns, in order, with their frame dtypes."""
    return pl.Schema({c.name: _polars_type(c.type) for c in data_columns(Base.metadata.tables[table])})


def _frame(table: str, columns: Mapping[str, Column]) -> pl.DataFrame:
    """A frame with exactly the table's columns (missing ones null), cast to the table's dtypes."""
    schema = table_schema(table)
    height = len(next(iter(columns.values())))
    data = {
        name: pl.Series(name, columns[name]) if name in columns else pl.Series(name, [None] * height)
        for name in schema
    }
    return pl.DataFrame(data).cast(schema)


# --- vector helpers ----------------------------------------------------------------------------------


def _weekday(epoch_day: int) -> int:
    return (epoch_day + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0


@dataclass(frozen=True)
class _Calendar:
    """Business days (Monday-Friday) numbered from the Monday on or before the history's first day."""

    monday: int  # epoch day of business day 0
    first_bday: int  # first business day of the history
    last_bday: int  # as_of, or the Friday before it
    end_s: int  # as_of 23:59:59 in epoch seconds

    @classmethod
    def ending(cls, as_of: date) -> _Calendar:
        last_day = (as_of - EPOCH).days
        first_day = last_day - HISTORY_DAYS
        monday = first_day - _weekday(first_day)
        last_bday = 5 * ((last_day - monday) // 7) + min(_weekday(last_day), 4)
        return cls(monday, min(_weekday(first_day), 5), last_bday, (last_day + 1) * DAY - 1)

    def day(self, bday: np.ndarray) -> np.ndarray:
        return self.monday + 7 * (bday // 5) + bday % 5

    def at(self, bday: np.ndarray, minute: np.ndarray | int) -> np.ndarray:
        return self.day(bday) * DAY + minute * 60

    @property
    def work_end(self) -> int:
        """The last working second up to as_of, on the working clock."""
        return (self.last_bday + 1) * WORK_DAY - 1

    def work(self, bday: np.ndarray, minute: np.ndarray) -> np.ndarray:
        """The working clock: seconds of working time (weekdays 08:00-18:00) since business day 0."""
        return bday * WORK_DAY + (minute - WORK_START) * 60

    def from_work(self, work: np.ndarray) -> np.ndarray:
        """Epoch seconds of a point on the working clock (strictly increasing)."""
        return self.at(work // WORK_DAY, WORK_START) + work % WORK_DAY

    def growing_bdays(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Business days over the history, activity growing from 0.6x to 1.4x the average."""
        x = (-0.6 + np.sqrt(0.36 + 1.6 * rng.random(n))) / 0.8  # inverse CDF of density 0.6 + 0.8x
        span = self.last_bday - self.first_bday + 1
        return self.first_bday + np.minimum((x * span).astype(np.int64), span - 1)


def _work_minutes(rng: np.random.Generator, n: int | tuple[int, int]) -> np.ndarray:
    return rng.integers(WORK_START, WORK_END, n)


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return median * np.exp(sigma * rng.standard_normal(n))


def _bdays(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return np.maximum(1, np.rint(_lognormal(rng, median, sigma, n))).astype(np.int64)


def _work_span(days: np.ndarray, minimum: int = 60) -> np.ndarray:
    """A duration given in working days, as seconds on the working clock."""
    return np.maximum(minimum, (days * WORK_DAY).astype(np.int64))


def _skewed_quantity(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return lo + ((hi - lo + 1) * rng.random(len(lo)) ** 1.8).astype(np.int64)


def _pick(labels: Sequence[str], codes: np.ndarray) -> pl.Series:
    return pl.Series([str(label) for label in labels], dtype=pl.Utf8).gather(codes)


def _where(mask: np.ndarray, values: Column) -> pl.Series:
    """`values` where `mask`, else null."""
    return pl.select(pl.when(pl.Series(mask)).then(pl.Series(values))).to_series()


def _times(seconds: np.ndarray) -> pl.Series:
    return pl.Series(seconds * 1_000_000).cast(pl.Datetime("us"))


def _dates(epoch_days: np.ndarray) -> pl.Series:
    return pl.Series(epoch_days).cast(pl.Int32).cast(pl.Date)


def _text(*parts: str | Column) -> pl.Series:
    """Concatenate literals and string Series row-wise."""
    exprs = [pl.lit(p) if isinstance(p, str) else pl.lit(pl.Series(p)).cast(pl.Utf8) for p in parts]
    return pl.select(pl.concat_str(exprs)).to_series()


def _rank_order(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stable sort order of `keys`, and each old position's new position."""
    order = np.argsort(keys, kind="stable")
    new_position = np.empty_like(order)
    new_position[order] = np.arange(len(order))
    return order, new_position
