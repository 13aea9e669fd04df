"""Review test fixtures: a station with a chef, completed parties, their review links,
photos as real image bytes, and uploads in a temporary folder."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from PIL import Image

from app.bookings import lifecycle
from app.bookings.services import create_booking
from app.bookings.timeline import Actor
from app.extensions import db
from app.models.booking import Booking
from app.models.station import Station
from app.notifications.review_links import review_token
from tests.bookings.conftest import add_chef, booking_request
from tests.support import dbq_fixture, isolated_world, make_app_fixture, session_as_role  # noqa: F401

STAFF = Actor.system("test staff")
LINKS = {"google": "https://g.page/r/alpha/review", "yelp": "https://www.yelp.com/writeareview/biz/alpha"}


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny, red) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def jpeg_bytes(width: int = 4, height: int = 3) -> bytes:
    """A real (tiny, orange) JPEG image, encoded by Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (240, 120, 0)).save(buffer, "JPEG")
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims `width` x `height` pixels: a few bytes that decode to width*height*3.

    The compressed pixel data of a real 100,000 x 100,000 bomb is ~10 MB of zlib; its
    header is what any reader sees first, and all that the upload check may look at.
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 4096, 9)  # the start of an all-black image
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def jpeg_header_only(width: int, height: int) -> bytes:
    """A baseline JPEG header (SOF0) claiming `width` x `height`, with no real scan data."""
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    sos = b"\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00"
    return (
        b"\xff\xd8\xff\xc0"
        + struct.pack(">H", len(sof) + 2)
        + sof
        + b"\xff\xda"
        + struct.pack(">H", len(sos) + 2)
        + sos
        + b"\x00" * 16
        + b"\xff\xd9"
    )


def completed_party(station: Station, chef=None, *, day_offset: int = 14, name: str = "Ada Lovelace", **customer):
    """A booking taken by the site, paid, cooked (by `chef`) and marked completed."""
    contact = {"name": name, "email": "ada@example.com", "phone": "(404) 555-0142", **customer}
    day = date.today() + timedelta(days=day_offset)
    booking = create_booking(
        station,
        booking_request(customer=contact, event_date=day.isoformat()),
        actor=Actor.customer("web"),
        source="api",
    )
    lifecycle.record_payment(booking, STAFF, amount_cents=booking.deposit_cents, method="cash")
    if chef is not None:
        lifecycle.assign_chef(station, booking, chef, STAFF)
    lifecycle.complete(booking, STAFF, now=booking.starts_at + timedelta(hours=3))
    db.session.flush()
    return booking


@pytest.fixture(autouse=True)
def _uploads(app, monkeypatch, tmp_path):
    """Photos go to a temporary folder; inline job failures fail the test."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "RAISE_INLINE_JOB_ERRORS", True)
    return tmp_path / "uploads"


@pytest.fixture
def party(app, world):
    """Station alpha (with public review links) and one completed party cooked by Kenji."""
    with app.test_request_context():
        station = db.session.merge(world.station)
        station.settings_overrides = {**(station.settings_overrides or {}), "review_links": LINKS}
        kenji = add_chef(station, "Kenji")
        booking = completed_party(station, kenji)
        db.session.commit()
        result = SimpleNamespace(
            station_id=station.id,
            slug=station.slug,
            chef_id=kenji.id,
            booking_id=booking.id,
            reference=booking.reference,
            customer_id=booking.customer_id,
            token=review_token(booking.id),
        )
        db.session.remove()
    return result


def booking_of(booking_id: int) -> Booking:
    return db.session.get(Booking, booking_id)
