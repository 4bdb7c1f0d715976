"""Domain exceptions. Every message is written for the person at the screen."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user can cause and should read."""

    @property
    def message(self) -> str:
        return str(self)


class ValidationError(DomainError, ValueError):
    """Bad input. Names the field (or the file's row and column) it is about."""

    def __init__(self, field: str, message: str, *, row: int | None = None) -> None:
        self.field = field
        self.row = row
        where = f"row {row}, column '{field}'" if row is not None else f"'{field}'"
        super().__init__(f"{where}: {message}")


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
