"""Every foreign key has an index that starts with its column, on the live schema of both engines:
deleting order lines must not scan allocations (541,909 lines took 64 s to delete without one)."""

from __future__ import annotations

from sqlalchemy import inspect

from crm_core.store import Store
from crm_core.store.migrate import migrate


def test_every_foreign_key_column_leads_an_index_or_the_primary_key(store: Store) -> None:
    with store.engine.begin() as conn:
        migrate(conn)
        schema = inspect(conn)
        unindexed = []
        for table in schema.get_table_names(schema=store.schema):
            leading = {tuple(i["column_names"][:1]) for i in schema.get_indexes(table, schema=store.schema)}
            leading |= {
                tuple(u["column_names"][:1])
                for u in schema.get_unique_constraints(table, schema=store.schema)
            }
            leading.add(
                tuple(schema.get_pk_constraint(table, schema=store.schema)["constrained_columns"][:1])
            )
            for fk in schema.get_foreign_keys(table, schema=store.schema):
                column = fk["constrained_columns"][0]
                if (column,) not in leading:
                    unindexed.append(f"{table}.{column}")
    assert unindexed == []


def test_the_opportunities_stage_changes_are_read_from_their_covering_index(store: Store) -> None:
    """The Pipeline's largest read (every stage change of every deal) comes from a partial index
    holding just those rows and every column the frame reads: on SQLite no table lookup per row
    (3.0 s → 1.0 s for 800,000 changes). On PostgreSQL the index exists; its planner decides."""
    from crm_core.store.delta import APPENDED

    with store.engine.begin() as conn:
        migrate(conn)
        indexes = {i["name"]: i for i in inspect(conn).get_indexes("events", schema=store.schema)}
        assert indexes["ix_events_stage_changes"]["column_names"] == [
            "entity_type",
            "to_state",
            "id",
            "entity_id",
            "from_state",
            "at",
            "row_version",
        ]
        if store.is_sqlite:
            stmt = (
                APPENDED["opportunity_events"].whole().compile(conn, compile_kwargs={"literal_binds": True})
            )
            plan = " ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {stmt}"))
            assert "COVERING INDEX ix_events_stage_changes" in plan, plan
