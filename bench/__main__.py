"""Run the benchmarks and print one table: `python -m bench [NAME ...] [--repeat N] [--size tiny|full]`."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

from bench import (  # noqa: F401  (each module registers its measurements)
    cold_start,
    enrichment,
    io,
    live,
    orders,
    pages,
    pushdown,
    scoring,
    sessions,
)
from bench.core import REGISTRY, Options, render_table

# The target table in its order; anything registered and not listed runs after these.
TABLE_ORDER = [
    "score 1M vs loop",
    "score 1M vs pandas",
    "scoring page 100k",
    "pipeline 1M",
    "order status 1M",
    "integration 1M",
    "rerun after a write 1M",
    "app memory 1M",
    "10 sessions 1M",
    "order transitions per second",
    "import 500k order lines",
    "cold start",
    "suggest 10k",
    "suggest 10k continuous",
    "push-down",
]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> str:
    try:
        with open("/proc/meminfo") as info:
            kb = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
        return f"{kb / 1024**2:.0f} GB RAM"
    except (OSError, StopIteration, ValueError):
        return "RAM unknown"


def _postgres_version() -> str:
    from bench.data import postgres_base_url

    url = postgres_base_url()
    if not url:
        return "PostgreSQL not set"
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar_one()
        engine.dispose()
        return f"PostgreSQL {str(version).split()[0]}"
    except Exception as exc:  # the table still prints; the machine line says why
        return f"PostgreSQL unreachable ({type(exc).__name__})"


def machine_line() -> str:
    import sqlite3
    from importlib.metadata import version

    packages = ", ".join(f"{p} {version(p)}" for p in ("polars", "streamlit", "sqlalchemy", "pandas"))
    return (
        f"Machine: {os.cpu_count()} cores ({_cpu_model()}), {_memory_gb()}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, {packages}, "
        f"SQLite {sqlite3.sqlite_version}, {_postgres_version()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"measurements to run (default: all): {', '.join(REGISTRY)}")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement (median reported)")
    parser.add_argument(
        "--size", choices=["tiny", "full"], default="full", help="tiny: a quick end-to-end check"
    )
    parser.add_argument(
        "--duration", type=float, help="seconds of load for '10 sessions 1M' (default 60; 4 with --size tiny)"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="seconds each simulated user of '10 sessions 1M' waits between reruns (default 1)",
    )
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in REGISTRY]
    if unknown:
        parser.error(f"unknown measurement(s): {', '.join(unknown)}; known: {', '.join(REGISTRY)}")
    options = Options(repeat=args.repeat, size=args.size, duration=args.duration, think=args.think)
    results = []
    default = [n for n in TABLE_ORDER if n in REGISTRY] + [n for n in REGISTRY if n not in TABLE_ORDER]
    for name in args.names or default:
        print(f"… {name}", file=sys.stderr, flush=True)
        start = time.perf_counter()
        outcome = REGISTRY[name](options)
        results.extend(outcome if isinstance(outcome, list) else [outcome])
        print(f"  {name}: {time.perf_counter() - start:,.0f} s", file=sys.stderr, flush=True)
    print(machine_line())
    print(render_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
