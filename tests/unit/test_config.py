from __future__ import annotations

import pytest

from crm_core.config import DEFAULT_SQLITE_PATH, SECRETS_KEY, resolve_database
from crm_core.errors import ConfigError


def test_without_settings_the_embedded_sqlite_file_is_used() -> None:
    target = resolve_database(env={})
    assert target.is_sqlite
    assert target.url.database == str(DEFAULT_SQLITE_PATH)
    assert target.source == "default"


def test_the_environment_variable_wins_over_secrets() -> None:
    target = resolve_database(
        secrets_url="postgresql://a@secrets-host/db", env={"CRM_DATABASE_URL": "sqlite:////tmp/x.sqlite"}
    )
    assert target.is_sqlite and target.source == "CRM_DATABASE_URL"


def test_secrets_are_used_when_the_environment_has_no_url() -> None:
    target = resolve_database(secrets_url="postgresql://crm:pw@db.example.com:5433/crm", env={})
    assert target.source == SECRETS_KEY
    assert target.url.drivername == "postgresql+psycopg"
    assert target.describe() == "PostgreSQL database 'crm' on db.example.com:5433"


def test_the_password_never_appears_in_the_description() -> None:
    target = resolve_database(env={"CRM_DATABASE_URL": "postgresql://crm:s3cret-pw@db/crm"})
    assert "s3cret-pw" not in target.describe()
    assert "s3cret-pw" not in target.safe_url()


@pytest.mark.parametrize(
    "bad", ["not a url", "://nothing", "mysql://root@localhost/crm", "http://example.com"]
)
def test_a_malformed_or_unsupported_url_names_the_setting(bad: str) -> None:
    with pytest.raises(ConfigError, match="CRM_DATABASE_URL"):
        resolve_database(env={"CRM_DATABASE_URL": bad})


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ("postgresql://crm:pw@db.example.com:abc/crm", "CRM_DATABASE_URL has a port that is not a number"),
        ("postgresql://crm:pw@db.example.com:99999/crm", "CRM_DATABASE_URL has the port 99999"),
    ],
)
def test_a_bad_port_is_a_message_naming_the_setting_not_a_traceback(bad: str, expected: str) -> None:
    with pytest.raises(ConfigError) as refused:
        resolve_database(env={"CRM_DATABASE_URL": bad})
    assert str(refused.value).startswith(expected)
    assert "pw" not in str(refused.value) and "db.example.com" not in str(refused.value)
