"""Funnel figures of the hand-made dataset."""

from __future__ import annotations

import pytest

from app.analytics.queries import funnel
from tests.analytics.conftest import headline_values, rows_by

# Days from lead to booking: L1 -> B2 11 d 14.5 h, L4 -> B6 5 d 3 h, L5 -> B1 2 d 15.5 h.
L1_DAYS, L4_DAYS, L5_DAYS = 11 + 14.5 / 24, 5 + 3 / 24, 2 + 15.5 / 24
WAIT_DAYS = 0.25  # medians of waits come from histograms: bins of 1 h up to 7 days, 6 h beyond


def test_by_channel(run, dataset):
    table = run(funnel.by_source)
    assert [r["source"] for r in table.rows] == ["chat", "quote_request"]  # most leads first
    chat, quotes = table.rows
    # chat: L2 (quoted), L3 (new), L5 (won, completed); the merged duplicate L6 is not counted.
    assert (chat["leads"], chat["quoted"], chat["booked"], chat["completed"]) == (3, 2, 1, 1)
    assert chat["book_rate"] == pytest.approx(1 / 3)
    assert chat["complete_rate"] == 1.0
    assert chat["days_to_book"] == pytest.approx(L5_DAYS, abs=WAIT_DAYS)
    assert (quotes["leads"], quotes["quoted"], quotes["booked"], quotes["completed"]) == (2, 2, 2, 0)
    assert quotes["days_to_book"] == pytest.approx((L1_DAYS + L4_DAYS) / 2, abs=WAIT_DAYS)


def test_by_utm_source_and_by_qr_code(run, dataset):
    utm = rows_by(run(funnel.by_source, by="utm"), "source")
    assert {k: v["leads"] for k, v in utm.items()} == {"google": 2, "(none)": 2, "instagram": 1}
    qr = rows_by(run(funnel.by_source, by="qr"), "source")
    assert {k: (v["leads"], v["booked"]) for k, v in qr.items()} == {"Truck flyer": (2, 1), "(no QR code)": (3, 2)}


def test_bookings_by_source_include_bookings_without_a_lead(run, dataset):
    rows = rows_by(run(funnel.bookings_by_source), "source")
    assert {k: (v["bookings"], v["from_leads"], v["confirmed"], v["completed"], v["booked_cents"])
            for k, v in rows.items()} == {
        "api": (2, 1, 1, 1, 61000), "lead": (2, 2, 2, 0, 135000), "staff": (2, 0, 1, 0, 60000),
    }  # fmt: skip
    utm = rows_by(run(funnel.bookings_by_source, by="utm"), "source")
    assert utm["instagram"]["bookings"] == 1


def test_headlines(run, dataset):
    values = headline_values(run(funnel.headlines))
    assert values["Leads"] == (5, 1)
    assert values["Quoted / leads"] == (pytest.approx(0.8), 0.0)
    assert values["Booked / leads"] == (pytest.approx(0.6), 0.0)
    assert values["Median days to book"][0] == pytest.approx(L4_DAYS, abs=WAIT_DAYS)
    assert values["Median days to book"][1] is None


def test_lead_at_2330_local_on_the_31st_counts_in_january(run, dataset):
    january = run(funnel.by_source, to="2026-01-31")
    assert sum(r["leads"] for r in january.rows) == 4  # L1, L2 (23:00 on the 31st), L4, L5
