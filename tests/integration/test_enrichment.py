"""Cold-start scoring on SQLite and PostgreSQL: a history of closed deals imported without factor
scores is enriched by the default rules, keeps what a person entered, writes an event per deal, and
the back-test then has an AUC over it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select, update

from crm_core.__main__ import main
from crm_core.errors import DomainError, PermissionDenied, ValidationError
from crm_core.io import ImportOptions
from crm_core.opportunities import FACTORS
from crm_core.permissions import Actor, Role
from crm_core.scoring import DEFAULT_WEIGHTS, backtest, is_scored
from crm_core.services import import_file
from crm_core.services.enrichment import apply_enrichment, plan_enrichment, preview_enrichment
from crm_core.store import Store, data_version
from crm_core.store.bulk import bulk_insert
from crm_core.store.enrichment import write_derived
from crm_core.store.frames import read_events, read_opportunities
from crm_core.store.migrate import migrate
from crm_core.store.models import Opportunity, utcnow
from tests.import_files import SALESFORCE_MAPPING, SALESFORCE_OPPORTUNITIES

ADMIN = Actor(1, "Ada Admin", "ada@example.com", Role.ADMIN)
MANAGER = Actor(2, "Max Manager", "max@example.com", Role.MANAGER)
REP = Actor(3, "Rita Rep", "rita@example.com", Role.REP)
INDUSTRIES = ("Software", "Financial Services", "Healthcare", "Energy", "Retail", "Construction", "Education")
DEALS = 70


def customers_csv() -> bytes:
    rows = ["Account ID,Account Name,Sector,Employees,Annual Revenue"]
    for i, industry in enumerate(INDUSTRIES):
        rows.append(f"A{i},{industry} Account {i},{industry},{40 + 300 * i},{(i + 1) * 4_000_000}")
    return ("\n".join(rows) + "\n").encode()


def deals_csv() -> bytes:
    """Seventy closed deals over two years, a CRM's export without factor scores: better-fitting
    industries and returning customers win more often (deterministic), so history has something
    to find. Deal D5 carries two scores a person entered in the old CRM."""
    header = "Opportunity ID,Account ID,Deal Owner,Deal Stage,Close Value,Created Date,Close Date"
    rows = [header + ",Segmentation,Relationship Level"]
    start = date(2023, 1, 2)
    for n in range(DEALS):
        account = (n * 3) % len(INDUSTRIES)
        won = (account <= 2 and n % 4 != 3) or (account > 2 and n % 5 == 0) or (n >= 40 and n % 3 == 0)
        created = start + timedelta(days=10 * n)
        closed = created + timedelta(days=25 + n % 7)
        entered = ("2", "9") if n == 5 else ("", "")
        rows.append(
            f"D{n},A{account},rita@example.com,{'Closed Won' if won else 'Closed Lost'},{1000 + 10 * n},"
            f"{created:%Y-%m-%d},{closed:%Y-%m-%d},{entered[0]},{entered[1]}"
        )
    return ("\n".join(rows) + "\n").encode()


def history(store: Store) -> None:
    """An empty database with three users (and the data version a seeded one has), then the two
    files imported by the admin."""
    with store.engine.begin() as conn:
        migrate(conn)
        users = pl.DataFrame(
            {
                "id": [a.id for a in (ADMIN, MANAGER, REP)],
                "name": [a.name for a in (ADMIN, MANAGER, REP)],
                "email": [a.email for a in (ADMIN, MANAGER, REP)],
                "role": [a.role.value for a in (ADMIN, MANAGER, REP)],
                "active": [True] * 3,
                "created_at": [datetime(2022, 12, 1)] * 3,
            }
        )
        bulk_insert(conn, "users", users)
        bulk_insert(conn, "meta", pl.DataFrame({"key": ["data_version"], "value": [1]}))
    for kind, data in (("customers", customers_csv()), ("opportunities", deals_csv())):
        report = import_file(store, ADMIN, kind, data, f"{kind}.csv", options=ImportOptions())
        assert report.clean, report.to_text()


def closed_scored(store: Store) -> pl.DataFrame:
    return read_opportunities(store).filter(pl.col("stage").is_in(["won", "lost"]) & is_scored())


def test_imported_history_without_scores_gets_derived_factors_and_a_back_test(store: Store) -> None:
    history(store)
    assert closed_scored(store).is_empty()
    with pytest.raises(DomainError):
        backtest(closed_scored(store), DEFAULT_WEIGHTS)

    preview = preview_enrichment(store, MANAGER)
    assert (preview.deals, preview.deals_filled) == (DEALS, DEALS)
    assert preview.filled_by_factor["segmentation"] == DEALS - 1  # D5's was entered by a person
    assert preview.filled_by_factor["relationship_level"] == DEALS - 1
    assert (preview.closed_scored_before, preview.closed_scored_after) == (0, DEALS)
    assert (
        preview.distribution.filter(pl.col("factor") == "segmentation").get_column("deals").sum() == DEALS - 1
    )
    version = data_version(store)

    applied = apply_enrichment(store, MANAGER)

    assert applied.deals_filled == DEALS
    assert data_version(store) == version + 1
    result = backtest(closed_scored(store), DEFAULT_WEIGHTS)
    assert result.n_won + result.n_lost == DEALS
    assert (result.n_won, result.n_lost) == (35, 35)
    assert result.auc == pytest.approx(0.7090, abs=1e-4)  # history has something to find


def test_scores_a_person_entered_stay_and_every_filled_deal_gets_one_event_naming_what_was_derived(
    store: Store,
) -> None:
    history(store)
    apply_enrichment(store, MANAGER)

    with store.read() as session:
        d5 = session.scalars(select(Opportunity).where(Opportunity.external_id == "D5")).one()
        d0 = session.scalars(select(Opportunity).where(Opportunity.external_id == "D0")).one()
    assert (d5.segmentation, d5.relationship_level) == (2.0, 9.0)
    assert all(getattr(d5, f) is not None for f in FACTORS)
    # D0: a Software account (8), 40 employees and revenue 4,000,000 (2 and 2), no history (1),
    # the owner's first deal (9), no budget, decision maker, need or timeframe recorded (5 each)
    assert [getattr(d0, f) for f in FACTORS] == [8.0, 2.0, 1.0, 9.0, 5.0, 5.0, 5.0, 5.0]
    assert (d0.version, d5.version) == (2, 2)  # a change like any other: an open form sees a conflict
    assert d0.updated_at > d0.created_at

    events = read_events(store, "opportunity").filter(pl.col("action") == "derive_scores")
    assert events.height == DEALS
    assert set(events.get_column("actor_id").to_list()) == {MANAGER.id}
    note_of_d5 = events.filter(pl.col("entity_id") == d5.id).get_column("note").item()
    assert note_of_d5.startswith("derived customer_characteristics ")
    assert "segmentation" not in note_of_d5 and "relationship_level" not in note_of_d5
    assert note_of_d5.endswith("(rules: enrichment_rules.toml)")

    again = apply_enrichment(store, MANAGER)
    assert again.deals_filled == 0
    assert read_events(store, "opportunity").filter(pl.col("action") == "derive_scores").height == DEALS


def test_a_rep_may_not_derive_scores_and_bad_rules_change_nothing(store: Store) -> None:
    history(store)
    version = data_version(store)
    with pytest.raises(PermissionDenied):
        apply_enrichment(store, REP)
    with pytest.raises(ValidationError, match=r"'need\.recorded' must be a score from 0 to 10"):
        apply_enrichment(store, ADMIN, "[need]\nrecorded = 12\n")
    assert data_version(store) == version
    assert read_opportunities(store).select(pl.col("need").is_null().all()).item()


def test_import_with_enrich_derives_the_missing_scores_after_writing_and_a_dry_run_derives_nothing(
    seeded_sqlite_store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = seeded_sqlite_store.target.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CRM_DATABASE_URL", url)
    file, mapping = tmp_path / "deals.csv", tmp_path / "map.toml"
    file.write_text(SALESFORCE_OPPORTUNITIES)
    mapping.write_text(SALESFORCE_MAPPING)
    command = [
        "import",
        "opportunities",
        str(file),
        "--mapping",
        str(mapping),
        "--create-missing",
        "--enrich",
    ]

    assert main([*command, "--dry-run"]) == 0
    assert "Derived scores" not in capsys.readouterr().out
    assert main(command) == 0

    out = capsys.readouterr().out
    assert "Derived scores: 642 of 2,004 deals gained 5,136 factor scores" in out
    events = read_events(seeded_sqlite_store, "opportunity").filter(pl.col("action") == "derive_scores")
    assert events.height == 642
    assert set(events.get_column("actor_id").to_list()) == {11}  # the first admin, who imported


def test_a_deal_someone_changes_between_reading_and_writing_is_left_as_it_is_without_an_event(
    store: Store,
) -> None:
    history(store)
    fills, _ = plan_enrichment(store, None)
    with store.engine.begin() as conn:  # a person scores D1's segmentation meanwhile
        conn.execute(
            update(Opportunity)
            .where(Opportunity.external_id == "D1")
            .values(segmentation=3.0, version=Opportunity.version + 1)
        )

    written = write_derived(store, fills, actor_id=MANAGER.id, now=utcnow(), source="test")

    assert written == DEALS - 1
    with store.read() as session:
        d1 = session.scalars(select(Opportunity).where(Opportunity.external_id == "D1")).one()
    assert (d1.segmentation, d1.customer_characteristics, d1.version) == (3.0, None, 2)
    events = read_events(store, "opportunity").filter(pl.col("action") == "derive_scores")
    assert events.height == DEALS - 1
    assert d1.id not in events.get_column("entity_id").to_list()
