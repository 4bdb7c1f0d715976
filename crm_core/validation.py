"""Field validators shared by every form, service, import and command-line argument.

Each takes the field's name (as the user knows it) and the raw value, and returns the clean
value or raises `ValidationError` naming the field. They never guess: a value that is not
clearly valid is refused with the reason.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, cast

from crm_core.errors import InvalidFields, ValidationError

MAX_SHORT_TEXT = 200
MAX_LONG_TEXT = 5_000
MAX_AMOUNT = Decimal(10) ** 12  # currency units; anything larger is a typo, not a deal
EMAIL_RE = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
PHONE_RE = re.compile(r"^\+?[0-9 ().\-/]{5,30}$")


# Characters that change how text *looks* rather than what it says: bidirectional embeddings,
# overrides and isolates ("Trojan Source": U+202E makes 'exe.txt' read 'txt.exe'), the byte-order
# mark and line/paragraph separators. Letters of right-to-left scripts, emoji (including the
# zero-width joiner inside emoji sequences) and the plain LRM/RLM marks are fine.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLE_FORMAT = "\ufeff\u2028\u2029"
# The same rule as a regular expression, for Polars over whole import columns (parse.py):
# C0/C1 controls (tab, LF and CR allowed only in long text), bidi controls, BOM and separators.
FORBIDDEN_SINGLE_LINE = "[\x00-\x1f\x7f-\x9f" + BIDI_CONTROLS + INVISIBLE_FORMAT + "]"
FORBIDDEN_MULTILINE = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + BIDI_CONTROLS + INVISIBLE_FORMAT + "]"
_FORBIDDEN = {False: re.compile(FORBIDDEN_SINGLE_LINE), True: re.compile(FORBIDDEN_MULTILINE)}
MAX_INT64 = 2**63 - 1  # the database's integer columns; larger ids or counts cannot be stored
T = TypeVar("T")


def _has_control_chars(value: str, *, allow_newlines: bool) -> bool:
    if _FORBIDDEN[allow_newlines].search(value):
        return True
    # Lone surrogates cannot be encoded as UTF-8 (PostgreSQL refuses them; SQLite would mangle them).
    return any(unicodedata.category(ch) == "Cs" for ch in value)


def text(
    field: str,
    value: Any,
    *,
    required: bool = True,
    max_length: int = MAX_SHORT_TEXT,
    multiline: bool = False,
) -> str | None:
    """Trimmed text; empty → None when optional. Refuses control characters and overlong text."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(field, f"must be text, not {type(value).__name__}")
    cleaned = value.strip()
    if not cleaned:
        if required:
            raise ValidationError(field, "is required")
        return None
    if len(cleaned) > max_length:
        raise ValidationError(field, f"is too long ({len(cleaned):,} characters; at most {max_length:,})")
    if _has_control_chars(cleaned, allow_newlines=multiline):
        raise ValidationError(
            field, "contains control or text-direction characters (paste it as plain text and retype it)"
        )
    return cleaned


def email(field: str, value: Any, *, required: bool = True) -> str | None:
    cleaned = text(field, value, required=required, max_length=320)
    if cleaned is None:
        return None
    if not EMAIL_RE.match(cleaned):
        raise ValidationError(field, f"'{cleaned[:60]}' is not a valid email address")
    return cleaned.lower()


def phone(field: str, value: Any, *, required: bool = False) -> str | None:
    cleaned = text(field, value, required=required, max_length=50)
    if cleaned is None:
        return None
    digits = sum(ch.isdigit() for ch in cleaned)
    if not PHONE_RE.match(cleaned) or digits < 5:
        raise ValidationError(field, f"'{cleaned[:40]}' is not a phone number (digits, spaces, + - ( ) only)")
    return cleaned


def integer(field: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number; '3', 3 and 3.0 are fine, 3.5, True, 'abc', NaN are not."""
    if isinstance(value, bool):
        raise ValidationError(field, "must be a whole number")
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise ValidationError(field, f"must be a whole number, not {value}")
        value = int(value)
    elif isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise ValidationError(field, f"must be a whole number, not {value}")
        value = int(value)
    elif isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise ValidationError(field, f"'{value.strip()[:40]}' is not a whole number") from None
    elif not isinstance(value, int):
        raise ValidationError(field, "must be a whole number")
    if abs(value) > MAX_INT64:
        raise ValidationError(field, f"is far too large (at most {MAX_INT64:,})")
    if minimum is not None and value < minimum:
        raise ValidationError(field, f"must be at least {minimum:,}")
    if maximum is not None and value > maximum:
        raise ValidationError(field, f"must be at most {maximum:,}")
    return value


def decimal(
    field: str, value: Any, *, minimum: Decimal | None = None, maximum: Decimal | None = None
) -> Decimal:
    """A finite decimal number (never via float rounding surprises: floats go through repr)."""
    if isinstance(value, bool) or value is None:
        raise ValidationError(field, "must be a number")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(field, f"'{str(value).strip()[:40]}' is not a number") from None
    if not number.is_finite():
        raise ValidationError(field, "must be a finite number")
    if minimum is not None and number < minimum:
        raise ValidationError(field, f"must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise ValidationError(field, f"must be at most {maximum:,}")
    return number


# An amount as people type it: an optional sign and $, digits with commas between thousands (or
# none), a point before the cents. Nothing is dropped: '12abc' is refused, never read as 12.
_AMOUNT = re.compile(r"^([+-]?)\s*\$?\s*([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(\.[0-9]+)?$")
# '3.000,00', '1.234.567,89', '12,50': a comma before the cents (continental Europe).
_COMMA_DECIMALS = re.compile(r"^[+-]?\s*\$?\s*[0-9]{1,3}(?:\.[0-9]{3})*,[0-9]{1,2}$")


def amount_text(field: str, value: str) -> Decimal:
    """'3,000.00', '$3,000.00', '3000', '12.5' → a Decimal. Refuses everything else naming the field.

    A comma before the cents ('3.000,00') is refused rather than guessed at: '3.000' alone would be
    three dollars to some and three thousand to others."""
    cleaned = value.strip()
    if not cleaned:
        raise ValidationError(field, "is required")
    shown = cleaned[:40]
    if _COMMA_DECIMALS.match(cleaned):
        plain_form = cleaned.replace(".", "").replace(",", ".").lstrip("$ ")
        raise ValidationError(
            field, f"'{shown}' has a comma before the cents: write it with a point, as {plain_form}"
        )
    matched = _AMOUNT.match(cleaned)
    if matched is None:
        raise ValidationError(field, f"'{shown}' is not an amount: use digits, like 3000 or $3,000.00")
    sign, whole, cents = matched.groups()
    return Decimal(sign + whole.replace(",", "") + (cents or ""))


def money(field: str, value: Any, *, allow_zero: bool = True) -> int:
    """An amount in currency units → integer cents; negative or over 10^12 is refused. Text is read
    by `amount_text` ('3,000.00' and '$3,000.00' are 300000 cents; '12abc' is refused)."""
    if isinstance(value, str):
        value = amount_text(field, value)
    amount = decimal(field, value, minimum=Decimal(0), maximum=MAX_AMOUNT)
    exponent = amount.as_tuple().exponent  # an int: decimal() refused NaN and infinity
    if isinstance(exponent, int) and exponent < -2:
        raise ValidationError(field, "has more than two decimals")
    if not allow_zero and amount == 0:
        raise ValidationError(field, "must be more than zero")
    return int(amount * 100)


def percent(field: str, value: Any) -> int:
    """A percentage 0–100 with at most two decimals → basis points (12.5 → 1250)."""
    amount = decimal(field, value, minimum=Decimal(0), maximum=Decimal(100))
    bp = amount * 100
    if bp != bp.to_integral_value():
        raise ValidationError(field, "has more than two decimals")
    return int(bp)


def score(field: str, value: Any) -> float:
    """A factor score 0–10."""
    number = decimal(field, value, minimum=Decimal(0), maximum=Decimal(10))
    return float(number)


def choice(field: str, value: Any, options: tuple[str, ...] | list[str]) -> str:
    if not isinstance(value, str) or value not in options:
        shown = str(value)[:40] if value is not None else "nothing"
        raise ValidationError(field, f"'{shown}' is not one of: {', '.join(options)}")
    return value


def a_date(field: str, value: Any, *, earliest: date | None = None, latest: date | None = None) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(field, f"'{value.strip()[:40]}' is not a date (YYYY-MM-DD)") from None
    if not isinstance(value, date):
        raise ValidationError(field, "must be a date")
    if earliest is not None and value < earliest:
        raise ValidationError(field, f"must be on or after {earliest.isoformat()}")
    if latest is not None and value > latest:
        raise ValidationError(field, f"must be on or before {latest.isoformat()}")
    return value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class Fields:
    """Runs each field's validator and keeps every problem, so one submit reports them all (each
    under its own field): `done()` raises the one ValidationError, or InvalidFields for several."""

    def __init__(self) -> None:
        self.errors: list[ValidationError] = []

    def check(self, field: str, validator: Callable[..., T], value: Any, *args: Any, **kwargs: Any) -> T:
        try:
            return validator(field, value, *args, **kwargs)
        except ValidationError as exc:
            self.errors.append(exc)
            return cast(T, None)  # a placeholder nobody reads: done() raises

    def run(self, validate: Callable[[], T]) -> T:
        """A check that names its own field(s) (e.g. the lines of an order)."""
        try:
            return validate()
        except InvalidFields as exc:
            self.errors.extend(exc.errors)
        except ValidationError as exc:
            self.errors.append(exc)
        return cast(T, None)  # a placeholder nobody reads: done() raises

    def required(self, field: str, value: Any, message: str = "is required") -> bool:
        if _blank(value):
            self.errors.append(ValidationError(field, message))
            return False
        return True

    def done(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise InvalidFields(self.errors)
