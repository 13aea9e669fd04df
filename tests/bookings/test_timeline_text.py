"""Timeline entries in words: money as money, statuses and dates spelled out, nothing raw."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.bookings.timeline_text import describe


def entry(kind: str, before: dict | None = None, after: dict | None = None) -> SimpleNamespace:
    return SimpleNamespace(kind=kind, before=before, after=after)


@pytest.mark.parametrize(
    ("event", "title", "lines"),
    [
        (
            entry(
                "payment_recorded", {"paid_cents": 10000}, {"paid_cents": 61000, "method": "cash", "kind": "balance"}
            ),
            "Payment recorded",
            ["Paid: $510.00 (Cash)", "Paid so far: $610.00"],
        ),
        (
            entry("cancelled", {"status": "confirmed"}, {"status": "cancelled", "refund_eligible": False}),
            "Cancelled",
            ["Status: Confirmed → Cancelled", "The deposit is not refundable"],
        ),
        (
            entry(
                "rescheduled",
                {"event_date": "2026-05-01", "slot": "18:00", "chef_id": 3},
                {"event_date": "2026-05-08", "slot": "12:00", "chef_id": None},
            ),
            "Rescheduled",
            [
                "Moved from Fri 01 May 2026 at 18:00 to Fri 08 May 2026 at 12:00",
                "The chef does not work the new slot: assign one again",
            ],
        ),
        (
            entry("chef_assigned", {"chef_id": None}, {"chef_id": 4, "chef": "Mei Lin"}),
            "Chef changed",
            ["Chef: Mei Lin"],
        ),
        (
            entry("refund_recorded", {"refunded_cents": 0}, {"refunded_cents": 10000, "method": "venmo"}),
            "Refund recorded",
            ["Refunded: $100.00 (Venmo)", "Refunded so far: $100.00"],
        ),
        (entry("note"), "Note", []),
        (entry("mystery_thing", {"extra_cents": 500}, {"extra_cents": 700}), "Mystery thing", ["Extra: $5.00 → $7.00"]),
    ],
)
def test_entries_read_as_sentences(event, title, lines):
    described = describe(event)
    assert described.title == title
    assert described.lines == lines
