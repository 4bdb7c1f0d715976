"""A database URL that does not parse cleanly is refused without echoing any part of it: an
unencoded '@' in a password would otherwise put the rest of the password in the host name."""

from __future__ import annotations

import pytest

from crm_core.config import resolve_database
from crm_core.errors import ConfigError

SECRET_PARTS = ("s3cr", "tZq9", "p@ss", "Xw0rd")


@pytest.mark.parametrize(
    "raw",
    [
        "postgresql+psycopg://crm:s3cr@tZq9@127.0.0.1:5432/crm",  # the host would be 'tZq9@127.0.0.1'
        "postgresql://crm@tZq9@db.example/crm",
        "postgresql://crm:p@ss:Xw0rd@db.example:5432/crm",  # the port would be 'Xw0rd@db.example:5432'
    ],
)
def test_an_unencoded_at_sign_is_refused_without_echoing_the_url(raw: str) -> None:
    with pytest.raises(ConfigError) as refused:
        resolve_database(env={"CRM_DATABASE_URL": raw})
    message = str(refused.value)
    assert message.startswith("CRM_DATABASE_URL ")
    assert not any(part in message for part in SECRET_PARTS)
    assert "127.0.0.1" not in message and "db.example" not in message


def test_the_ambiguous_url_names_the_fix() -> None:
    with pytest.raises(ConfigError, match="Percent-encode '@' in the user name or password as %40"):
        resolve_database(env={"CRM_DATABASE_URL": "postgresql://crm:secre@tPass@127.0.0.1:5432/crm"})
