"""The compact ZIP table (data/zipcodes.csv.gz) says what the `zipcodes` package says, for every ZIP."""

import zipcodes

from app.pricing.zip_table import TABLE, towns


def test_every_zip_has_the_package_centre_and_state():
    rows = zipcodes.list_all()
    assert len(rows) > 40_000
    for row in rows:
        assert TABLE.centroid(row["zip_code"]) == (float(row["lat"]), float(row["long"])), row["zip_code"]
        assert TABLE.state(row["zip_code"]) == row["state"]
        assert TABLE.is_real(row["zip_code"])


def test_unknown_and_malformed_zips_are_not_real():
    known = {row["zip_code"] for row in zipcodes.list_all()}
    unknown = [f"{n:05d}" for n in range(0, 100_000, 97) if f"{n:05d}" not in known]
    assert unknown
    for zip5 in unknown:
        assert TABLE.centroid(zip5) is None and not TABLE.is_real(zip5) and TABLE.state(zip5) is None
    for bad in ("", "3050", "305011", "3050a", "٣٠٣٠٣", "30501-1234", " 3050"):
        assert TABLE.centroid(bad) is None and TABLE.state(bad) is None


def test_towns_are_the_standard_active_zips_of_the_state():
    for state in ("GA", "TX", "NY", "PR"):
        expected: dict[str, str] = {}
        for row in zipcodes.filter_by(state=state):
            if row.get("zip_code_type") != "STANDARD" or not row.get("active", True):
                continue
            name = row["city"].lower()
            if name not in expected or row["zip_code"] < expected[name]:
                expected[name] = row["zip_code"]
        assert towns(state) == expected
        assert expected
