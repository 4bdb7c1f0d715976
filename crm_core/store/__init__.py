"""Persistence: the only code that touches SQL."""

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
