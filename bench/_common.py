"""Shared by the bench scripts: the bench database, the app's environment, time limits, tables.

Not a test helper: the bench scripts print figures, they never assert timings
(docs/design.md). They fail (exit non-zero) only when something is broken.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "bench" / "out"  # logs of the runs (git-ignored)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/teppan_bench")
# Fixed for the bench database only; never a real secret.
BENCH_SECRET_KEY = "bench-only-secret-key-not-for-production"

STATION_SLUG = "bench"  # the big station (100,000 bookings)
SMALL_STATION_SLUG = "bench-small"
MANAGER_EMAIL = "manager@bench.example"  # manager of both bench stations
MANAGER_PASSWORD = "bench-manager-2026"


class BenchTimeout(Exception):
    """The script ran past its time limit."""


def run(main) -> None:
    """Exit with main()'s status; a BenchTimeout is an error line and status 2, not a traceback."""
    try:
        sys.exit(main())
    except BenchTimeout as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)


def time_limit(seconds: int, what: str) -> None:
    """Raise BenchTimeout in the main thread after `seconds` (fail rather than hang)."""

    def _expired(signum, frame):
        raise BenchTimeout(f"{what} did not finish within {seconds} s")

    signal.signal(signal.SIGALRM, _expired)
    signal.alarm(seconds)


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as psycopg / libpq take it (no "+psycopg" driver part)."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def app_environment(database_url: str = BENCH_DATABASE_URL) -> dict[str, str]:
    """Environment of the app under bench: production config, quiet logs, no throttling.

    REDIS_URL is left out so that the figures do not depend on a Redis being around
    (GET pages and the API enqueue nothing; rate limits are off).
    """
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "RATELIMIT_STORAGE_URI", "SENTRY_DSN")}
    env.update(
        TEPPAN_ENV="production",
        DATABASE_URL=database_url,
        SECRET_KEY=BENCH_SECRET_KEY,
        PUBLIC_BASE_URL="https://bench.example",  # production requires it; nothing is sent
        FORCE_HTTPS="false",
        LOG_LEVEL="WARNING",
        RATELIMIT_ENABLED="false",
    )
    env.setdefault("PUBLIC_BASE_URL", "https://bench.example")  # production refuses to start without one
    return env


def make_app(database_url: str = BENCH_DATABASE_URL):
    """The app as production builds it, pointed at the bench database."""
    for key in ("REDIS_URL", "RATELIMIT_STORAGE_URI", "SENTRY_DSN"):
        os.environ.pop(key, None)
    os.environ.update(app_environment(database_url))
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)  # one process: no multiprocess metrics
    from app import create_app

    return create_app("production")


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear-interpolated percentile (pct in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table, columns padded so that it also reads well in a terminal."""
    rows = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out.extend(line(r) for r in rows)
    return "\n".join(out)


def machine_summary() -> str:
    """CPU count and model, for the record printed with the figures."""
    model = ""
    try:
        for raw in Path("/proc/cpuinfo").read_text().splitlines():
            if raw.startswith("model name"):
                model = raw.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPU(s){', ' + model if model else ''}"


def cpu_idle(sample_seconds: float = 1.0) -> float:
    """Share of all CPUs idle over `sample_seconds` (from /proc/stat), 0..1."""

    def read() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return fields[3] + fields[4], sum(fields[:8])  # idle + iowait, total (without guest)

    idle1, total1 = read()
    time.sleep(sample_seconds)
    idle2, total2 = read()
    return (idle2 - idle1) / max(total2 - total1, 1)


def wait_for_quiet(max_wait: float, threshold: float = 0.85) -> float:
    """Wait (at most `max_wait` s) for the machine to be mostly idle; returns the idle share.

    Other processes on the machine (test suites, builds) take CPU from the app under
    bench; the figures say how idle the machine was so that runs can be compared.
    """
    deadline = time.monotonic() + max_wait
    idle = cpu_idle(2.0)
    while idle < threshold and time.monotonic() < deadline:
        idle = cpu_idle(2.0)
    return idle


def conditions(idle: float) -> str:
    """CPU idle before the run and the load average, for the printed header."""
    one, five, _ = os.getloadavg()
    return f"CPU idle before the run {idle:.0%}, load average {one:.1f} (1 min) {five:.1f} (5 min)"


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def stat_fields(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()  # the fields after "pid (comm)"


def process_cpu_seconds(pid: int, *, reaped_children: bool = False) -> float:
    """utime + stime of a process (plus its reaped children's with reaped_children)."""
    fields = stat_fields(pid)
    ticks = int(fields[11]) + int(fields[12])
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def postgres_cpu_seconds(database: str) -> dict[int, float]:
    """CPU so far of each PostgreSQL backend connected to `database`, by pid."""
    result = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if title.startswith("postgres:") and f" {database} " in title:
                result[int(entry.name)] = process_cpu_seconds(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return result


def postgres_cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


class MachineCpu:
    """Busy CPU of the whole machine between start() and share_of_others(own_seconds)."""

    def __init__(self) -> None:
        self._busy, self._wall = self._read(), time.monotonic()

    @staticmethod
    def _read() -> float:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:8]]
        return (sum(fields) - fields[3] - fields[4]) / CLOCK_TICKS  # all but idle and iowait

    def share_of_others(self, own_seconds: float) -> float:
        """Share of the machine's CPU capacity used by processes other than ours (0..1)."""
        busy = self._read() - self._busy
        capacity = (time.monotonic() - self._wall) * (os.cpu_count() or 1)
        return max(busy - own_seconds, 0.0) / capacity if capacity else 0.0
