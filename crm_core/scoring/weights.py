"""Weight sets for the SCALE value and the BANT potential, and the quadrant thresholds.

Weights are relative: each must be finite and ≥ 0 and at least one above zero; they are
normalised to sum to 1 before use, so V and P stay on the factors' 0–10 scale.
"""

from __future__ import annotations

import math
from dataclasses import astuple, dataclass, fields
from typing import Self

from crm_core.errors import ValidationError
from crm_core.opportunities import BANT_FACTORS, SCALE_FACTORS
from crm_core.opportunities import FACTOR_LABELS as FACTOR_LABELS  # re-exported for crm_core.scoring


@dataclass(frozen=True)
class _WeightSet:
    """Shared behaviour of the two four-weight sets (validation, normalising, tuples)."""

    def __post_init__(self) -> None:
        total = 0.0
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValidationError(f.name, f"weight must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ValidationError(f.name, f"weight must be a finite number, got {value}")
            if value < 0:
                raise ValidationError(f.name, f"weight must be 0 or more, got {value:g}")
            object.__setattr__(self, f.name, float(value))
            total += value
        if total <= 0:
            names = ", ".join(f.name for f in fields(self))
            raise ValidationError(names, "at least one weight must be above zero")

    def as_tuple(self) -> tuple[float, float, float, float]:
        return astuple(self)

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def normalized(self) -> Self:
        values = self.as_tuple()
        total = sum(values)
        return type(self)(*(v / total for v in values))


@dataclass(frozen=True)
class Weights(_WeightSet):
    """SCALE weights: V = w_s·S + w_c·C + w_l·L + w_r·R with the weights normalised."""

    segmentation: float
    customer_characteristics: float
    relationship_level: float
    account_resource: float


@dataclass(frozen=True)
class BantWeights(_WeightSet):
    """BANT weights: P = the weighted mean of budget, authority, need and timing."""

    budget: float = 0.25
    authority: float = 0.25
    need: float = 0.25
    timing: float = 0.25


@dataclass(frozen=True)
class Thresholds:
    """Quadrant thresholds on V and P. "High" means at or above the threshold (V ≥ value)."""

    value: float = 5.0
    potential: float = 5.0

    def __post_init__(self) -> None:
        for name in ("value", "potential"):
            v = getattr(self, name)
            if (
                isinstance(v, bool)
                or not isinstance(v, int | float)
                or not math.isfinite(v)
                or not 0 <= v <= 10
            ):
                raise ValidationError(f"{name} threshold", f"must be a number from 0 to 10, got {v!r}")
            object.__setattr__(self, name, float(v))


DEFAULT_WEIGHTS = Weights(0.3, 0.2, 0.3, 0.2)
DEFAULT_BANT = BantWeights()
DEFAULT_THRESHOLDS = Thresholds()

assert tuple(f.name for f in fields(Weights)) == SCALE_FACTORS
assert tuple(f.name for f in fields(BantWeights)) == BANT_FACTORS


def format_weights(weights: Weights | BantWeights) -> str:
    """'0.30,0.20,0.30,0.20' — the share-link form (two decimals; the sliders move in 0.05 steps)."""
    return ",".join(f"{w:.2f}" for w in weights.as_tuple())


def parse_weights(text: str) -> Weights:
    """Parse '0.30,0.20,0.30,0.20' (a share link's `w`); a readable ValidationError if it cannot."""
    parts = [p.strip() for p in str(text).split(",")]
    if len(parts) != 4:
        raise ValidationError("w", f"expected four comma-separated weights, got {len(parts)}")
    values = []
    for name, part in zip(SCALE_FACTORS, parts, strict=True):
        try:
            values.append(float(part))
        except ValueError:
            raise ValidationError(name, f"'{part[:20]}' is not a number") from None
    return Weights(*values)
