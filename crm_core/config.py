"""Where the database lives: resolving and describing the database URL.

Order of precedence (docs/architecture.md §3): an explicit URL (the app passes the one from
`st.secrets["connections"]["crm"]["url"]`), but `CRM_DATABASE_URL` always wins;
else the embedded SQLite file `var/crm.sqlite` under the project root.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from crm_core.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "crm.sqlite"
ENV_VAR = "CRM_DATABASE_URL"
SECRETS_KEY = 'st.secrets["connections"]["crm"]["url"]'


@dataclass(frozen=True)
class DatabaseTarget:
    """A parsed database URL and the setting it came from."""

    url: URL
    source: str  # "CRM_DATABASE_URL", the secrets key, or "default"

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    def describe(self) -> str:
        """Human-readable location, never with a password."""
        if self.is_sqlite:
            return f"SQLite file {self.url.database or ':memory:'}"
        host = self.url.host or "localhost"
        port = f":{self.url.port}" if self.url.port else ""
        return f"PostgreSQL database '{self.url.database}' on {host}{port}"

    def safe_url(self) -> str:
        return self.url.render_as_string(hide_password=True)


def resolve_database(secrets_url: str | None = None, env: Mapping[str, str] | None = None) -> DatabaseTarget:
    """Pick the database URL by precedence and parse it, or raise ConfigError naming the setting."""
    if env is None:
        env = os.environ
    raw, source = env.get(ENV_VAR, "").strip(), ENV_VAR
    if not raw and secrets_url and secrets_url.strip():
        raw, source = secrets_url.strip(), SECRETS_KEY
    if not raw:
        return DatabaseTarget(make_url(f"sqlite:///{DEFAULT_SQLITE_PATH}"), "default")
    try:
        url = make_url(raw)
    except ValueError:  # SQLAlchemy's int() of a port that is not a number; the URL is not echoed
        raise ConfigError(
            f"{source} has a port that is not a number; the port comes after the host's ':' and "
            "must be a whole number from 1 to 65535 (PostgreSQL's usual port is 5432)."
        ) from None
    except ArgumentError:  # never echo the URL: it may hold the password
        raise ConfigError(
            f"{source} is not a valid database URL. Expected something like "
            "'postgresql+psycopg://user:password@host:5432/dbname' or 'sqlite:///path/to/file.sqlite'."
        ) from None
    if _ambiguous_credentials(raw, url):
        raise ConfigError(
            f"{source} has more than one '@' before the host, so where the password ends is unclear. "
            "Percent-encode '@' in the user name or password as %40 (and ':' as %3A, '/' as %2F)."
        )
    if url.port is not None and not 1 <= url.port <= 65535:
        raise ConfigError(f"{source} has the port {url.port}; a port is a whole number from 1 to 65535.")
    if url.drivername in {"postgres", "postgresql"}:  # no driver named: use the one we ship
        url = url.set(drivername="postgresql+psycopg")
    backend = url.get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise ConfigError(
            f"{source} names the database kind '{backend}'; Scalewise supports 'sqlite' and 'postgresql'."
        )
    return DatabaseTarget(url, source)


def _ambiguous_credentials(raw: str, url: URL) -> bool:
    """A netloc with two '@' (an unencoded '@' in a password) parses with part of the password as
    the host name, which a message would then show: refuse it instead of guessing."""
    netloc = raw.partition("://")[2].partition("/")[0]
    return netloc.count("@") > 1 or "@" in (url.host or "")
