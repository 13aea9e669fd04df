"""Public API endpoints (see app/api/__init__.py): parse, call a service, answer JSON."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import Response, jsonify, render_template, request
from sqlalchemy import select

from app.api import bp, idempotency, limits, openapi
from app.api import presenters as present
from app.api import schemas as out
from app.api.errors import NotFound, read
from app.api.leads import record_lead, station_for_lead
from app.api.pricing import price_quote
from app.api.stations import active_station
from app.availability.services import MAX_RANGE_DAYS, slots
from app.bookings import services as bookings
from app.bookings.schemas import BookingRequest, QuoteRequest
from app.bookings.timeline import Actor
from app.errors import ValidationFailed
from app.extensions import client_ip, db
from app.leads.services import capture_slot_full
from app.models.base import utcnow
from app.models.booking import Booking
from app.models.station import Station

TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
# Dates a calendar may ask about: a month back (the current month's first days) up to
# a month past the booking horizon. Far-off years are refused before any date maths.
CALENDAR_SLACK_DAYS = 31


def _json(model: out.BaseModel, status: int = 200) -> Response:
    response = jsonify(present.dump(model))
    response.status_code = status
    return response


@bp.get("/stations")
@limits.read
def list_stations():
    """Active stations."""
    stations = db.session.scalars(select(Station).where(Station.is_active).order_by(Station.name, Station.id))
    return _json(out.StationList(stations=[present.station_out(s) for s in stations]))


@bp.get("/stations/<slug>/menu")
@limits.read
def station_menu(slug: str):
    """A station's menu, prices, travel rules, slot times and policies."""
    return _json(present.menu_out(active_station(slug)))


def _query_date(name: str, *, earliest: date, latest: date) -> date:
    raw = request.args.get(name)
    if not raw:
        raise ValidationFailed(f"'{name}' is required (YYYY-MM-DD).", fields={name: "Required."})
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        value = date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"'{name}' must be a date like 2027-06-05.", fields={name: "Not a date."}) from None
    if not earliest <= value <= latest:
        message = f"'{name}' must be between {earliest.isoformat()} and {latest.isoformat()}."
        raise ValidationFailed(message, fields={name: message})
    return value


@bp.get("/stations/<slug>/availability")
@limits.read
def station_availability(slug: str):
    """Every slot from `from` to `to` (station-local dates) with a `bookable` flag and reason."""
    station = active_station(slug)
    now = utcnow()
    today = now.astimezone(ZoneInfo(station.timezone)).date()
    earliest = today - timedelta(days=CALENDAR_SLACK_DAYS)
    latest = today + timedelta(days=station.settings.horizon_days + CALENDAR_SLACK_DAYS)
    errors: dict[str, str] = {}
    days: dict[str, date] = {}
    for name in ("from", "to"):
        try:
            days[name] = _query_date(name, earliest=earliest, latest=latest)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed("Some query parameters need a correction.", fields=errors)
    first, last = days["from"], days["to"]
    if (last - first).days >= MAX_RANGE_DAYS:
        message = f"Ask for at most {MAX_RANGE_DAYS} days at a time."
        raise ValidationFailed(message, fields={"to": message})
    infos = slots(station, first, last, now=now)
    return _json(
        out.AvailabilityOut(
            station=station.slug,
            timezone=station.timezone,
            from_=first,
            to=last,
            slots=[present.slot_out(info) for info in infos],
        )
    )


@bp.post("/quotes")
@limits.quotes
def create_quote():
    """Price a party: breakdown, travel fee, deposit and balance."""
    data, _ = read(QuoteRequest)
    station = active_station(data.station, field="station")
    quote = price_quote(station, data)
    return _json(
        out.QuoteResponse(
            station=station.slug,
            quote=present.quote_out(quote.as_dict(), station.settings),
            deposit_due_hours=station.settings.deposit_due_hours,
        )
    )


@bp.post("/bookings")
@limits.bookings
def create_booking():
    """Book a slot: 201 with the reference and status URL; honours Idempotency-Key."""
    key = idempotency.key_from_request()
    data, body = read(BookingRequest)
    station = active_station(data.station, field="station")
    claim = idempotency.claim("bookings", key, body, station_id=station.id)
    if claim.replay is not None:
        return claim.replay
    try:
        booking = bookings.create_booking(
            station, data, actor=Actor.customer("api"), source="api", ip_address=client_ip()
        )
    except bookings.SlotFull:
        # The party still wants a date: keep them as a lead (source slot_full) in a transaction
        # of its own, after the refused booking's work is undone; the 409 answer is unchanged.
        db.session.rollback()
        capture_slot_full(station, data)
        db.session.commit()
        raise
    payload = present.dump(present.booking_created(booking, station))
    claim.complete(201, payload)
    db.session.commit()
    response = jsonify(payload)
    response.status_code = 201
    response.headers["Location"] = payload["status_url"]
    return response


@bp.get("/bookings/<public_token>")
@limits.read
def booking_status(public_token: str):
    """A booking's status for the customer who holds its token."""
    booking = None
    if 16 <= len(public_token) <= 64 and set(public_token) <= TOKEN_CHARS:
        booking = db.session.scalars(select(Booking).where(Booking.public_token == public_token)).first()
    if booking is None:
        raise NotFound("There is no booking with that token.", code="booking_not_found")
    station = db.session.get(Station, booking.station_id)
    return _json(present.booking_status(booking, station))


@bp.post("/leads")
@limits.leads
def create_lead():
    """A quote request or contact form: becomes (or updates) a lead of the station."""
    data, _ = read(out.LeadRequest)
    station = station_for_lead(data.station, data.zip_code)
    record_lead(station, data)
    db.session.commit()
    return _json(
        out.LeadReceived(status="received", message=f"Thank you! {station.name} will get back to you soon."),
        201,
    )


@bp.get("/openapi.json")
@limits.read
def openapi_document():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(openapi.document())


@bp.get("/docs")
@limits.read
def docs():
    """Human documentation, rendered from the OpenAPI document."""
    from app.api.docs import page_context

    return render_template("api/docs.html", **page_context(openapi.document()))


@bp.get("/docs.css")
@limits.read
def docs_css():
    """The docs page's stylesheet (the CSP allows no inline style)."""
    return Response(render_template("api/docs.css"), mimetype="text/css")
