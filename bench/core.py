"""The benchmark harness: measurements register here, run several times, print one table.

Each measurement returns a `Result`: the median of several timed runs, the target it is
held to, optionally a baseline measured in the same run and the ratio between them, and
the peak resident memory of whatever process did the work.
"""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from crm_core.config import PROJECT_ROOT

BENCH_DIR = PROJECT_ROOT / "var" / "bench"


@dataclass
class Result:
    name: str
    seconds: list[float]
    target: str
    met: bool | None = None
    baseline_name: str | None = None
    baseline_seconds: list[float] = field(default_factory=list)
    peak_rss_mb: float | None = None
    unit: str = "s"
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def baseline_median(self) -> float | None:
        return statistics.median(self.baseline_seconds) if self.baseline_seconds else None

    @property
    def ratio(self) -> float | None:
        base = self.baseline_median
        return base / self.median if base and self.median else None


@dataclass(frozen=True)
class Options:
    repeat: int = 5
    size: str = "full"  # "tiny" runs every measurement end to end on small data (used by a test)
    duration: float | None = None  # seconds of load for '10 sessions 1M' (None: 60 s, 4 s on tiny)
    think: float = 1.0  # seconds a simulated user waits between reruns (10 sessions)


Measurement = Callable[[Options], "Result | list[Result]"]
REGISTRY: dict[str, Measurement] = {}


def measurement(name: str) -> Callable[[Measurement], Measurement]:
    def register(fn: Measurement) -> Measurement:
        REGISTRY[name] = fn
        return fn

    return register


def timed(fn: Callable[[], object], repeat: int, *, warmup: int = 0) -> list[float]:
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return runs


def peak_rss_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def own_peak_rss_mb(pid: int | str = "self") -> float | None:
    """A process's own peak resident memory (VmHWM), or None where /proc has no such line.

    Not getrusage: a child started by fork/vfork + exec inherits its parent's peak in ru_maxrss,
    so a small child of a big bench process would report the bench's memory."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def as_started_server(at: Any) -> None:
    """Do for an AppTest what a Streamlit server does once when it starts, before any visitor:
    scan the installed packages for components (~0.8 s here). AppTest does it in its first run
    instead, which a first-load timing would otherwise count. (Its slot for the result is
    private; this is a bench, not the app.)"""
    from streamlit.components.v2.component_manager import BidiComponentManager

    components = BidiComponentManager()
    components.discover_and_register_components(start_file_watching=False)
    at._bidi_component_manager = components


PEAK_REPORTER = (
    "import atexit, sys\n"
    "from bench.core import own_peak_rss_mb\n"
    "atexit.register(lambda: print(f'PEAK_RSS_MB {own_peak_rss_mb()}', file=sys.stderr))\n"
)


def _fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:,.1f} ms"
    return f"{seconds:,.2f} s"


def render_table(results: Iterable[Result]) -> str:
    rows = [("measurement", "median", "target", "met", "baseline (same run)", "ratio", "peak RSS", "note")]
    for r in results:
        baseline = f"{r.baseline_name}: {_fmt_time(r.baseline_median)}" if r.baseline_name else "—"
        rows.append(
            (
                r.name,
                _fmt_time(r.median) if r.unit == "s" else f"{r.median:,.0f} {r.unit}",
                r.target,
                {True: "yes", False: "NO", None: "—"}[r.met],
                baseline,
                (f"{r.ratio:,.1f}×" if r.ratio >= 1 else f"{r.ratio:,.2f}×") if r.ratio else "—",
                f"{r.peak_rss_mb:,.0f} MB" if r.peak_rss_mb else "—",
                r.note,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |" for row in rows]
    lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines)
