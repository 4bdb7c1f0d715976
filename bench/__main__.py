"""Run the benchmarks and print one table: `python -m bench [NAME ...] [--repeat N] [--size tiny|full]`."""

from __future__ import annotations

import argparse
import platform
import sys

from bench import cold_start, io, orders, pages, pushdown, scoring  # noqa: F401  (each module registers its measurements)
from bench.core import REGISTRY, Options, render_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"measurements to run (default: all): {', '.join(REGISTRY)}")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement (median reported)")
    parser.add_argument(
        "--size", choices=["tiny", "full"], default="full", help="tiny: a quick end-to-end check"
    )
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in REGISTRY]
    if unknown:
        parser.error(f"unknown measurement(s): {', '.join(unknown)}; known: {', '.join(REGISTRY)}")
    options = Options(repeat=args.repeat, size=args.size)
    results = []
    for name in args.names or list(REGISTRY):
        print(f"… {name}", file=sys.stderr, flush=True)
        outcome = REGISTRY[name](options)
        results.extend(outcome if isinstance(outcome, list) else [outcome])
    cpu = platform.processor() or platform.machine()
    import os

    print(
        f"Machine: {platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print(render_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
