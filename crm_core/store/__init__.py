"""Persistence: the only code that touches SQL (tests/unit/test_layers.py checks it).

Queries per area (`orders`, `opportunities`, `customers`, `users`, `identities`, `presets`,
`enrichment`, `imports`, `tables`) run in the caller's session; the read side is `reads/`;
the analytics frames are `frames`. The services open the units of work; only the bulk writers
(`imports.apply_plan`, `enrichment.write_derived`, seeding, migrations) run one Core transaction
of their own."""

from crm_core.store.engine import Store, check_connection, make_store
from crm_core.store.seed import init_db, reset_to_sample
from crm_core.store.uow import UnitOfWork, data_version

__all__ = [
    "Store",
    "UnitOfWork",
    "check_connection",
    "data_version",
    "init_db",
    "make_store",
    "reset_to_sample",
]
