"""Domain exceptions. Every message is written for the person at the screen."""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    """Base of every error a user can cause and should read."""

    @property
    def message(self) -> str:
        return str(self)


# A reason that reads on from the field's name ("Tracking number" + "is required"); any other
# reason follows a colon ("Customer: no customer with id 7").
_PREDICATES = frozenset(
    {"is", "are", "must", "has", "have", "contains", "cannot", "can", "may", "needs", "should", "was"}
)

_PLURAL_FIELDS = frozenset({"notes"})  # "Notes contain …", not "Notes contains …"
_PLURAL_VERBS = {"is": "are", "has": "have", "contains": "contain", "was": "were", "needs": "need"}


def field_label(field: str) -> str:
    """The field as a sentence starts with it: 'tracking number' → 'Tracking number'. A name with an
    underscore, a dot or a bracket, or of one or two letters ('id', a link's 'w'), is an identifier
    (a column, an argument, a query parameter, a key of a file like 'need.recorded' or '[budget]')
    and stays quoted as it is written."""
    if any(mark in field for mark in "_.[") or len(field) <= 2:
        return f"'{field}'"
    return field[:1].upper() + field[1:]


def describe(field: str, reason: str, *, row: int | None = None) -> str:
    """The words a person reads: 'Tracking number is required', 'Email: 'x' is not a valid email
    address'. A file's cell keeps its row and column as the file names it."""
    if row is not None:
        return f"row {row}, column '{field}': {reason}"
    first, _, rest = reason.partition(" ")
    if first not in _PREDICATES:
        return f"{field_label(field)}: {reason}"
    if field in _PLURAL_FIELDS:
        reason = " ".join((_PLURAL_VERBS.get(first, first), rest)).strip()
    return f"{field_label(field)} {reason}"


class ValidationError(DomainError, ValueError):
    """Bad input. Names the field (or the file's row and column) it is about.

    `field` is the field's name as the person knows it (the key a form places the message by),
    `reason` what is wrong with it, and the message reads as a sentence (`describe`)."""

    def __init__(self, field: str, message: str, *, row: int | None = None) -> None:
        self.field = field
        self.reason = message
        self.row = row
        super().__init__(describe(field, message, row=row))

    @property
    def by_field(self) -> dict[str, str]:
        """Each field's message, for a form to show under its widget."""
        return {self.field: self.message}


class InvalidFields(ValidationError):
    """Several fields of one form are wrong: `errors` holds one ValidationError per field, in form
    order, so a form can show each message under its field. `field` is the first one's."""

    def __init__(self, errors: Sequence[ValidationError]) -> None:
        self.errors = tuple(errors)
        self.field = self.errors[0].field
        self.reason = self.errors[0].reason
        self.row = None
        Exception.__init__(self, "; ".join(str(e) for e in self.errors))

    @property
    def by_field(self) -> dict[str, str]:
        shown: dict[str, str] = {}
        for error in self.errors:
            shown.setdefault(error.field, error.message)
        return shown


class NotFound(DomainError, LookupError):
    """The thing asked for does not exist (or no longer exists)."""


class PermissionDenied(DomainError):
    """The acting user's role does not allow this use case."""


class ConflictError(DomainError):
    """Someone else changed the record since it was read; nothing was written.

    `last_change` says who and what, when the record's latest event is known:
    "This order was changed by someone else — reloaded: Maria Lindqvist recorded a payment
    20 seconds ago. Check it and try again."."""

    def __init__(self, what: str = "This record", *, last_change: str | None = None) -> None:
        self.last_change = last_change
        said = f": {last_change}." if last_change else "."
        super().__init__(f"{what} was changed by someone else — reloaded{said} Check it and try again.")


class InvalidTransition(DomainError):
    """A state change the domain rules do not allow from the current state."""


BUSY_MESSAGE = "The database is busy (an import is running) — try again in a moment."


class DatabaseBusy(DomainError):
    """Another write (usually a large import) held the database longer than a writer waits.

    Nothing was written; the same action a moment later works. Pages show the message and keep
    what the user typed."""

    def __init__(self, message: str = BUSY_MESSAGE) -> None:
        super().__init__(message)


class ConfigError(DomainError):
    """The app cannot reach or open its database. Names the setting and what to do."""


class DatabaseUnavailable(ConfigError):
    """The database stopped answering mid-session; retrying later may work."""


class SignInRefused(PermissionDenied):
    """A sign-in that does not prove an active user: says why, lets nobody in."""
