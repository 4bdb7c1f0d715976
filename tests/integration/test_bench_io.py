"""The import benchmark runs end to end at its tiny size (timing is bench/'s business, not a test's)."""

from __future__ import annotations

import re

from bench.core import Options
from bench.io import import_order_lines, reimport_order_lines, retail_lines


def test_the_generated_retail_file_has_the_mess_it_promises() -> None:
    lines = retail_lines(5_000)
    assert lines.height == 5_000
    assert lines["InvoiceNo"].str.starts_with("C").any()
    assert (lines["Quantity"] < 0).any() and (lines["UnitPrice"] == 0).any()
    assert lines["CustomerID"].null_count() > 0


def test_the_import_benchmark_runs_at_tiny_size_and_accounts_for_every_row() -> None:
    result = import_order_lines(Options(repeat=1, size="tiny"))
    numbers = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", result.note)]
    read, imported, rejected = numbers[:3]
    assert read == 5_000 and imported + rejected == read and imported > 0


def test_the_re_import_benchmark_updates_every_order_instead_of_adding_them() -> None:
    result = reimport_order_lines(Options(repeat=1, size="tiny"))
    assert re.fullmatch(r"Changes: [\d,]+ orders updated\.", result.note), result.note
