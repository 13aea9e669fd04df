"""Write data/zipcodes.csv.gz (read by app/pricing/zip_table.py) from the `zipcodes` package.

    python data/build_zipcodes.py

Run it after upgrading `zipcodes` (requirements-dev.txt); tests/pricing/test_zip_table.py
checks that the file and the package agree on every ZIP.
"""

import csv
import gzip
import io
from pathlib import Path

import zipcodes

DATA_FILE = Path(__file__).resolve().parent / "zipcodes.csv.gz"
COLUMNS = ("zip_code", "state", "lat", "long", "city", "standard")


def build(path: Path = DATA_FILE) -> int:
    """Write the file; returns the number of ZIPs. "standard": a standard, active ZIP (towns use those)."""
    rows = sorted(zipcodes.list_all(), key=lambda row: row["zip_code"])
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        standard = row.get("zip_code_type") == "STANDARD" and row.get("active", True)
        writer.writerow((row["zip_code"], row["state"], row["lat"], row["long"], row["city"], int(standard)))
    # mtime=0: the same data gives the same bytes (no diff after a rebuild).
    with gzip.GzipFile(path, "wb", mtime=0) as handle:
        handle.write(text.getvalue().encode("utf-8"))
    return len(rows)


if __name__ == "__main__":
    print(f"{build()} ZIP codes written to {DATA_FILE}")
