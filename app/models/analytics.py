"""Daily rollups of the analytics pages: one row per station-local day (and per group), derived.

Every table here is recomputed from the source rows (bookings, payments, refunds, leads,
messages, drafts, reviews) by `app.analytics.rollups`; nothing else writes them. A row is
keyed by station and the station's local day (what that day means depends on the table:
the day a booking was made, an event's date, the day money moved...), measures are plain
sums, so any period of whole days is the sum of its rows. Several rows may share a key
(one per source query): readers always sum. Response times and lead-to-booking waits are
kept as histograms (bins of a minute up to 4 hours, wider above), also summed per month
for long periods; see `app.analytics.histogram` for the bins and the accepted error.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Date, ForeignKey, Index, Integer, String, Table, Text

from app.extensions import db


def _rollup(name: str, *columns: Column) -> Table:
    return Table(
        name,
        db.metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
        Column("station_id", Integer, ForeignKey("stations.id", ondelete="CASCADE"), nullable=False),
        Column("day", Date, nullable=False),  # the station's local day
        *columns,
        Index(f"ix_{name}_station_day", "station_id", "day"),
    )


def _count(name: str) -> Column:
    return Column(name, BigInteger, nullable=False, default=0, server_default="0")


# Bookings by the day they were made, per source dimension ("channel": Booking.source,
# "utm": the attribution's utm_source, "qr": the QR code id or ""), so each page reads one dim.
booking_days = _rollup(
    "analytics_booking_days",
    Column("dim", String(8), nullable=False),
    Column("value", String(255), nullable=False),
    *[_count(n) for n in ("made", "from_leads", "confirmed", "completed", "booked_cents", "guests", "expired",
                          "expired_cents")],
)  # fmt: skip
# Upgrade and add-on portions of the confirmed bookings made that day.
menu_days = _rollup(
    "analytics_menu_days",
    Column("kind", String(8), nullable=False),
    Column("item", String(64), nullable=False),
    _count("portions"),
    _count("bookings"),
)
# Bookings by their event's date.
event_days = _rollup(
    "analytics_event_days",
    *[_count(n) for n in ("planned", "cancelled", "no_shows", "completed", "sold", "holding", "outstanding_cents",
                          "coverage_rows", "reviewed")],
)  # fmt: skip
chef_days = _rollup(
    "analytics_chef_days",
    Column("chef_id", Integer),  # no foreign key: a deleted chef's history stays summed
    *[_count(n) for n in ("events", "completed", "no_shows", "guests", "completed_cents")],
)
cancel_days = _rollup(
    "analytics_cancel_days",
    Column("reason_key", Text),
    Column("label", Text),
    _count("cancelled"),
    _count("refund_eligible"),
)
# Money by the day it moved: succeeded deposits (payments) and succeeded refunds.
money_days = _rollup(
    "analytics_money_days",
    *[_count(n) for n in ("deposits", "deposits_cents", "refunds", "refunds_cents")],
)
# Leads (not merged away) by the day they arrived, per source dimension (as bookings).
lead_days = _rollup(
    "analytics_lead_days",
    Column("dim", String(8), nullable=False),
    Column("value", String(255), nullable=False),
    *[_count(n) for n in ("leads", "quoted", "booked", "completed")],
)


# Time from a lead to its booking (app.analytics.histogram bins), per day and per whole month.
def _lead_waits(name: str) -> Table:
    return _rollup(
        name,
        Column("dim", String(8), nullable=False),
        Column("value", String(255), nullable=False),
        Column("bin", Integer, nullable=False),
        _count("n"),
    )


lead_waits = _lead_waits("analytics_lead_waits")
lead_wait_months = _lead_waits("analytics_lead_wait_months")  # day: the first of the month


# Customer messages by the day they arrived, and summed per local month (day: the first).
def _messages(name: str) -> Table:
    return _rollup(
        name,
        Column("channel", String(12), nullable=False),
        Column("intent", String(32), nullable=False),
        _count("messages"),
        _count("escalated"),
    )


message_days = _messages("analytics_message_days")
message_months = _messages("analytics_message_months")
# Customer turns by the day they started: histogram bin of the time to the first reply
# (app.analytics.histogram; NULL: not answered).
response_minutes = _rollup("analytics_response_minutes", Column("bin", Integer), _count("n"))
# The same summed per local month (day: the first of the month): a year reads 12 rows a bin, not 365.
response_months = _rollup("analytics_response_months", Column("bin", Integer), _count("n"))
# AI drafts by the day a manager sent or rejected them.
draft_days = _rollup(
    "analytics_draft_days",
    Column("intent", String(32), nullable=False),
    *[_count(n) for n in ("decided", "sent", "unchanged", "distance_sum", "distance_n")],
)
# Chef-slots of each local day as app.availability.services.capacities() counts them, for
# every day from the station's first row to a year ahead (zero included: a missing day is
# computed on the fly). Recomputed whole when chefs, windows, time off, blackouts or slots change.
capacity_days = _rollup("analytics_capacity_days", _count("capacity"))
review_days = _rollup("analytics_review_days", Column("rating", Integer, nullable=False), _count("n"))
review_chef_days = _rollup("analytics_review_chef_days", Column("chef_id", Integer), _count("n"), _count("rating_sum"))

ROLLUP_TABLES = (booking_days, menu_days, event_days, chef_days, cancel_days, money_days, lead_days, lead_waits,
                 lead_wait_months, message_days, message_months, response_minutes, response_months, draft_days,
                 capacity_days, review_days, review_chef_days)  # fmt: skip

# What committed transactions changed and the rollups have not caught up with yet: the
# notes of app.analytics.maintenance, written in the same transaction as the change (an
# outbox of its own, so that other areas' outbox rows stay theirs), consumed by the
# periodic job and by the analytics pages before they read.
pending = Table(
    "analytics_pending",
    db.metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("touched", JSON, nullable=False),
)
