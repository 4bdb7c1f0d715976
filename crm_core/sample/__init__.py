"""Deterministic sample data: about 18 months of a B2B sales-and-order desk ending at `as_of`.

`generate` simulates, with numpy vectors only, every opportunity's walk through the stages and
every order's walk through the order states, then cuts the story at the end of `as_of`: whatever
would happen later is not in the data. The result is one Polars frame per table in
`crm_core.store.models.TABLE_ORDER`, with the models' columns in their order and explicit ids.

Decisions others can rely on:
- Times are naive UTC, whole seconds, all at or before `as_of` 23:59:59 except the meetings of
  opportunities still open in `scheduled`, which lie 1-21 days after `as_of`. Everyone works on
  weekdays between 08:00 and 18:00: order durations are drawn in working days on a working clock.
- Ids follow creation time (opportunities, customers, orders), invoices and payments follow
  `issued_at` / `paid_at`, events follow `at`. Invoice numbers are gap-free per year of `issued_at`.
- Won opportunities close with a logistic model of their true value and potential (see
  `TRUE_SCALE_WEIGHTS`, `TRUE_BANT_WEIGHTS`), so back-tests and weight suggestions find signal.
- Every won opportunity gets its order (15 % a follow-on second one); `n_orders` is the total
  wanted, and repeat orders (1-4 lines, no opportunity) fill the rest. If the won opportunities
  alone need more orders than `n_orders`, they all get theirs anyway.
- `held_from` and `hold_reason` are filled only while an order is `on_hold`; earlier holds live in
  the events (with the reason as the note). `promised_date` is set once an order was allocated,
  and kept if it is cancelled later. `warnings_accepted_by` is a manager for audited orders with a
  discount of 12.5 % or more. Discontinued products only appear in old, finished orders.
- Order actions a manager owns (record payment, ship, deliver, cancel) have a manager as actor;
  the rest are done by the order's creator, a rep. Opportunity events are done by the owner.
- Credit limits cover twice a customer's largest order except for ~5 % kept tight; ~2 % of
  customers are blocked (`updated_at` is when), after the last audit of any of their orders.
- Stock `on_hand` is the quantity in the warehouse at `as_of` (shipped goods have left it);
  `reserved` is what open allocations hold.

The parts, in the order `generate` uses them: `vocab` (fixed vocabularies and master data),
`vectors` (schema, calendar and vector helpers), `master` (users, products, warehouses,
customers), `events`, `opportunities`, `orders` with `fulfilment` (order timeline, lines, invoices,
allocations and stock), `assembly` (`generate`), and `files` (CSV files and the command line).
"""

from crm_core.sample.assembly import generate
from crm_core.sample.files import main, read_sample, write_sample
from crm_core.sample.vectors import table_schema
from crm_core.sample.vocab import GENERATOR_VERSION, TRUE_BANT_WEIGHTS, TRUE_SCALE_WEIGHTS

__all__ = [
    "GENERATOR_VERSION",
    "TRUE_BANT_WEIGHTS",
    "TRUE_SCALE_WEIGHTS",
    "generate",
    "main",
    "read_sample",
    "table_schema",
    "write_sample",
]
