"""Demo QR codes for `flask seed-demo`: a flyer, a truck decal and a table tent per station,
scanned over the last 30 days, with a few of the station's demo leads and bookings
credited to them (idempotent: a station that has codes is left alone)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import exists, insert, select

from app.demo import DEMO_SEEDERS
from app.extensions import db
from app.models.base import utcnow
from app.models.booking import Booking
from app.models.lead import Lead
from app.models.qr import QrCode, QrScan
from app.models.station import Station
from app.models.user import User
from app.qr.scans import ip_hash
from app.qr.services import QrCodeData, create_qr_code

# (name, campaign, utm_content, scans over 30 days)
DEMO_CODES = [
    ("Spring flyer", "spring-2026", "flyer", 140),
    ("Food truck decal", "truck", "truck-decal", 85),
    ("Table tent", "events", "table-tent", 40),
]
PHONES = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SM-S911U) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/123.0.0.0 Mobile Safari/537.36",
]
DAYS = 30
CREDITED_LEADS, CREDITED_BOOKINGS = 3, 4


def _scans(qr: QrCode, total: int, rng: random.Random) -> None:
    """`total` scans spread over the last 30 days, busier lately, some from the same phone."""
    now = utcnow()
    rows = []
    for _ in range(total):
        ago = timedelta(days=DAYS * rng.random() ** 1.5, minutes=rng.randint(0, 24 * 60))
        rows.append(
            {
                "qr_code_id": qr.id,
                "scanned_at": now - ago,
                "user_agent": rng.choice(PHONES),
                # TEST-NET-2 addresses (RFC 5737), a pool small enough for repeat visitors.
                "ip_hash": ip_hash(f"198.51.100.{rng.randint(1, int(total * 0.8))}"),
            }
        )
    db.session.execute(insert(QrScan), rows)
    qr.scans = total


def _credit(station: Station, codes: list[QrCode], rng: random.Random) -> None:
    """Point a few demo leads (those that came "from qr") and bookings at the codes, the way
    the public site's attribution would have."""
    leads = db.session.scalars(
        select(Lead).where(Lead.station_id == station.id, Lead.qr_code_id.is_(None)).order_by(Lead.id)
    ).all()
    from_qr = [lead for lead in leads if (lead.first_touch or {}).get("utm_source") == "qr"][:CREDITED_LEADS]
    bookings = db.session.scalars(
        select(Booking)
        .where(Booking.station_id == station.id, Booking.qr_code_id.is_(None), Booking.source == "api")
        .order_by(Booking.created_at.desc())
        .limit(CREDITED_BOOKINGS)
    ).all()
    for row in [*from_qr, *bookings]:
        qr = rng.choice(codes)
        touch = {**qr.utm, "utm_campaign": qr.campaign, "qr_code": qr.code}
        row.qr_code_id = qr.id
        if isinstance(row, Lead):
            row.first_touch = {**(row.first_touch or {}), **touch}
        else:
            row.attribution = touch


def seed_qr_codes(stations: dict[str, Station], users: dict[str, User]) -> None:
    for slug, station in stations.items():
        if db.session.scalar(select(exists().where(QrCode.station_id == station.id))):
            continue  # already seeded
        rng = random.Random(f"qr-{slug}")
        codes = []
        for name, campaign, content, total in DEMO_CODES:
            qr = create_qr_code(station, QrCodeData(name=name, campaign=campaign, utm_content=content))
            _scans(qr, total, rng)
            codes.append(qr)
        _credit(station, codes, rng)
        db.session.flush()


DEMO_SEEDERS.append(seed_qr_codes)
