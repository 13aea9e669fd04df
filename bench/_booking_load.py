"""POST /api/v1/bookings under load: concurrent clients, each booking on a slot of its own.

Used by bench_api.py. The slots are the bookable ones of the small station
(`bench-small`, 2 chefs) as its availability API lists them, one booking per (date,
slot), so no two requests of the run compete for a slot's lock: what the figures show
is the cost of a booking and the queueing on the workers, not a race. Each run books
new slots (the next run finds the remaining ones); re-seed to start afresh.
"""

from __future__ import annotations

import json
import subprocess
import urllib.request
from datetime import date, timedelta
from pathlib import Path

from _common import SMALL_STATION_SLUG

# wrk prints its figures as one JSON line that the bench parses (used by every wrk script here).
WRK_REPORT = """done = function(summary, latency, requests)
  io.write(string.format(
    "BENCH_JSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"connect\\": %d, \\"read\\": %d, " ..
    "\\"write\\": %d, \\"status\\": %d, \\"timeout\\": %d, \\"p50_us\\": %d, \\"p95_us\\": %d, " ..
    "\\"p99_us\\": %d, \\"max_us\\": %d}\\n",
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max))
end
"""

WRK_BOOKINGS = """
bodies = {%(bodies)s}
counter = 0
local threads = 0

function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
  thread:set("stride", %(threads)d)
end

request = function()
  local i = offset + counter * stride + 1
  counter = counter + 1
  if i > #bodies then i = ((i - 1) %% #bodies) + 1 end -- past the list: repeats (409s, counted as errors)
  return wrk.format("POST", "/api/v1/bookings", {["Content-Type"] = "application/json"}, bodies[i])
end

%(report)s"""


def bookable_slots(port: int, today: date, wanted: int) -> list[tuple[str, str]]:
    """(date, slot) pairs with room at the small station, from its availability API."""
    found: list[tuple[str, str]] = []
    first = today + timedelta(days=3)
    while len(found) < wanted and first < today + timedelta(days=360):
        last = first + timedelta(days=89)
        url = f"http://127.0.0.1:{port}/api/v1/stations/{SMALL_STATION_SLUG}/availability?from={first}&to={last}"
        with urllib.request.urlopen(url, timeout=30) as response:
            slots = json.loads(response.read())["slots"]
        found += [(s["date"], s["time"]) for s in slots if s["bookable"]]
        first = last + timedelta(days=1)
    return found[:wanted]


def booking_body(run: str, n: int, day: str, slot: str) -> str:
    # A new customer each (own email and phone): a shared phone would make every booking
    # compare itself with all the earlier ones (the household case of customers.match).
    phone = f"(214) {200 + int(run) % 700:03d}-{n:04d}"
    return json.dumps(
        {
            "station": SMALL_STATION_SLUG,
            "customer": {"name": f"Load Test {run}-{n}", "email": f"load-{run}-{n}@bench.example", "phone": phone},
            "address": "100 Main St",
            "zip_code": "75201",
            "event_date": day,
            "slot": slot,
            "adults": 10,
            "children": 2,
        }
    )


def wrk_script(workdir: Path, slots: list[tuple[str, str]], threads: int, run: str) -> Path:
    bodies = ",\n".join(f"[==[{booking_body(run, i, d, s)}]==]" for i, (d, s) in enumerate(slots))
    script = workdir / "bookings.lua"
    script.write_text(WRK_BOOKINGS % {"bodies": bodies, "threads": threads, "report": WRK_REPORT})
    return script


def run_bookings(port: int, script: Path, connections: int, seconds: int, threads: int) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script),
           f"http://127.0.0.1:{port}/api/v1/bookings"]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if out.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({out.returncode}): {out.stdout[-1000:]} {out.stderr[-1000:]}")
    return json.loads(line.removeprefix("BENCH_JSON "))
