"""What the QR pages show: codes with their scans, leads and bookings; scans by day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.extensions import db
from app.models.booking import Booking
from app.models.lead import Lead
from app.models.qr import QrCode, QrScan
from app.tenancy import scoped

SCAN_WINDOWS = (7, 30, 90)  # days the code page offers for its scans table
DEFAULT_SCAN_WINDOW = 30


@dataclass(frozen=True)
class CodeRow:
    qr: QrCode
    leads: int
    bookings: int


@dataclass(frozen=True)
class ScanDay:
    day: date
    scans: int
    visitors: int  # distinct hashed IPs that day


def _counts_by_code(model: type[Lead] | type[Booking], station_id: int, *criteria) -> dict[int, int]:
    """{qr_code_id: rows attributed to it}: one GROUP BY over the station's rows."""
    rows = db.session.execute(
        select(model.qr_code_id, func.count())
        .where(model.station_id == station_id, model.qr_code_id.is_not(None), *criteria)
        .group_by(model.qr_code_id)
    )
    return {qr_code_id: count for qr_code_id, count in rows}


def _lead_counts(station_id: int, *criteria) -> dict[int, int]:
    # A merged duplicate is the same person as the lead that absorbed it: counted once.
    return _counts_by_code(Lead, station_id, Lead.merged_into_id.is_(None), *criteria)


def code_rows(station_id: int) -> list[CodeRow]:
    """The station's codes with leads and bookings attributed to each: three queries in all."""
    codes = db.session.scalars(
        scoped(QrCode, station_id=station_id).order_by(QrCode.campaign, QrCode.name, QrCode.id)
    ).all()
    leads = _lead_counts(station_id)
    bookings = _counts_by_code(Booking, station_id)
    return [CodeRow(qr, leads.get(qr.id, 0), bookings.get(qr.id, 0)) for qr in codes]


def code_row(qr: QrCode) -> CodeRow:
    leads = _lead_counts(qr.station_id, Lead.qr_code_id == qr.id)
    bookings = _counts_by_code(Booking, qr.station_id, Booking.qr_code_id == qr.id)
    return CodeRow(qr, leads.get(qr.id, 0), bookings.get(qr.id, 0))


def scan_window(raw: str | None) -> int:
    """The `days` query parameter, one of SCAN_WINDOWS (anything else: the default)."""
    return int(raw) if raw in {str(days) for days in SCAN_WINDOWS} else DEFAULT_SCAN_WINDOW


def scans_by_day(qr: QrCode, timezone: str, *, days: int, now: datetime) -> list[ScanDay]:
    """Scans of the last `days` station-local days (today included), newest first; days
    without scans are left out.

    Bucketed here rather than in SQL: the station-local date needs time zone arithmetic
    that SQLite (the zero-setup database) lacks, and one code's scans over at most 90
    days are a few thousand rows of two columns at worst.
    """
    zone = ZoneInfo(timezone)
    first_day = now.astimezone(zone).date() - timedelta(days=days - 1)
    since = datetime.combine(first_day, time(), zone).astimezone(UTC)
    rows = db.session.execute(
        select(QrScan.scanned_at, QrScan.ip_hash).where(QrScan.qr_code_id == qr.id, QrScan.scanned_at >= since)
    )
    scans: dict[date, int] = {}
    visitors: dict[date, set[str]] = {}
    for scanned_at, ip_hash in rows:
        day = scanned_at.astimezone(zone).date()
        scans[day] = scans.get(day, 0) + 1
        if ip_hash:
            visitors.setdefault(day, set()).add(ip_hash)
    return [ScanDay(day, scans[day], len(visitors.get(day, ()))) for day in sorted(scans, reverse=True)]
