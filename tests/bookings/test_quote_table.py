"""The quote as the new-booking page shows it: each figure once, amounts on one line."""

from __future__ import annotations

import re


def test_the_travel_line_names_the_billable_miles_once(as_role, kitchen):
    # Station alpha is in ZIP 30313 (Atlanta); 30601 (Athens) is past the 30 free miles.
    quote = as_role("staff").get("/s/alpha/bookings/quote?adults=10&zip_code=30601").get_data(as_text=True)
    travel = re.search(r"<td>(Travel: [^<]*)</td>", quote)
    assert travel, quote
    billable = re.match(r"Travel: (\d+) mi beyond the first 30 free \(about [\d.]+ mi\)$", travel.group(1).strip())
    assert billable, travel.group(1)  # no " × 32" after it: the miles are already in the words
    assert int(billable.group(1)) > 0
    assert re.search(r'<td class="money">\$[\d,]+\.\d\d</td>', quote)  # amounts never wrap mid-number
