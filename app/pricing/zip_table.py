"""Every US ZIP code's centre and state in one compact table, loaded once per process.

The `zipcodes` package answers a lookup by building a list of 42,000 dicts (~37 MB in
each process that asks). The same facts fit in two arrays of floats indexed by the ZIP's
number (~1.6 MB): they are read from data/zipcodes.csv.gz at import, so under gunicorn
(`preload_app`) the master reads them once and every worker shares the pages.
Town names are only needed by the AI drafter (a town named in a message): they are read
from the same file per state, on first use.

Rebuild the file when the `zipcodes` package is upgraded: `python data/build_zipcodes.py`
(the package is a dev requirement; the app never imports it).
"""

from __future__ import annotations

import csv
import gzip
import math
from array import array
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "zipcodes.csv.gz"

_ZIP_NUMBERS = 100_000


class ZipTable:
    """(lat, lon) and state by 5-digit ZIP; NaN latitude = no such ZIP."""

    def __init__(self, rows):
        nan = float("nan")
        self._lat = array("d", [nan]) * _ZIP_NUMBERS
        self._lon = array("d", [nan]) * _ZIP_NUMBERS
        self._state = bytearray(_ZIP_NUMBERS)  # index into self._states, 0 = none
        self._states: list[str] = [""]
        state_index: dict[str, int] = {}
        for row in rows:
            number = int(row["zip_code"])
            self._lat[number] = float(row["lat"])
            self._lon[number] = float(row["long"])
            state = row["state"]
            if state not in state_index:
                state_index[state] = len(self._states)
                self._states.append(state)
            self._state[number] = state_index[state]

    @staticmethod
    def _number(zip5: str) -> int | None:
        # isdecimal() alone would let other scripts' digits through ("٣٠٣٠٣").
        if len(zip5) != 5 or not zip5.isascii() or not zip5.isdecimal():
            return None
        return int(zip5)

    def centroid(self, zip5: str) -> tuple[float, float] | None:
        """(lat, lon) of the ZIP's centre, None when there is no such ZIP."""
        number = self._number(zip5)
        if number is None or math.isnan(self._lat[number]):
            return None
        return self._lat[number], self._lon[number]

    def is_real(self, zip5: str) -> bool:
        return self.centroid(zip5) is not None

    def state(self, zip5: str) -> str | None:
        number = self._number(zip5)
        if number is None or not self._state[number]:
            return None
        return self._states[self._state[number]]


def _read_rows(path: Path = DATA_FILE):
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


TABLE = ZipTable(_read_rows())


@lru_cache(maxsize=64)
def towns(state: str) -> dict[str, str]:
    """Town name (lower case) -> its lowest standard, active ZIP, for one state."""
    found: dict[str, str] = {}
    for row in _read_rows():
        if row["state"] != state or row["standard"] != "1":
            continue
        name = row["city"].lower()
        if name not in found or row["zip_code"] < found[name]:
            found[name] = row["zip_code"]
    return found
