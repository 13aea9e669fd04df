"""Segments: who a campaign goes to, as rules evaluated in SQL.

Rules (all optional, combined with AND; the station is always implied):
- past_customers: the subscriber's customer has a completed booking;
- lead_stages: the subscriber's lead is in one of these stages;
- tags: the subscriber carries any of these tags.
On top of the rules only subscribers who may receive the campaign's channel count:
email subscribed with an address, or SMS subscribed with a number.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, exists, func, literal_column, select, true
from sqlalchemy.sql.elements import ColumnElement

from app.errors import ValidationFailed
from app.extensions import db
from app.models.booking import Booking, BookingStatus
from app.models.lead import LEAD_STAGES, Lead
from app.models.newsletter import Segment, Subscriber

CHANNELS = ("email", "sms")
MAX_TAGS = 20


def clean_rules(raw: dict[str, Any]) -> dict[str, Any]:
    """The rules a form sent, checked: unknown stages refused, tags trimmed."""
    stages = [s for s in raw.get("lead_stages") or [] if s]
    unknown = [s for s in stages if s not in LEAD_STAGES]
    if unknown:
        raise ValidationFailed(f"Unknown lead stage {unknown[0]!r}.", fields={"lead_stages": "Unknown stage."})
    tags = [t.strip().lower()[:40] for t in raw.get("tags") or [] if t and t.strip()]
    return {
        "past_customers": bool(raw.get("past_customers")),
        "lead_stages": sorted(set(stages)),
        "tags": list(dict.fromkeys(tags))[:MAX_TAGS],
    }


def reachable(channel: str) -> ColumnElement[bool]:
    """Subscribers who may receive `channel` now."""
    if channel == "email":
        return and_(Subscriber.email_status == "subscribed", Subscriber.email.is_not(None))
    return and_(Subscriber.sms_status == "subscribed", Subscriber.phone.is_not(None))


def _has_any_tag(tags: list[str]) -> ColumnElement[bool]:
    # tags is a JSON array column: unnest it (PostgreSQL) or walk it (SQLite) in SQL.
    if db.session.get_bind().dialect.name == "postgresql":
        element = func.json_array_elements_text(Subscriber.tags).table_valued("value")
    else:
        element = func.json_each(Subscriber.tags).table_valued("value")
    return exists(select(1).select_from(element).where(literal_column("value").in_(tags)))


def conditions(rules: dict[str, Any]) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if rules.get("past_customers"):
        where.append(
            exists().where(
                Booking.customer_id == Subscriber.customer_id,
                Booking.station_id == Subscriber.station_id,
                Booking.status == BookingStatus.COMPLETED,
            )
        )
    if rules.get("lead_stages"):
        where.append(
            exists().where(
                Lead.id == Subscriber.lead_id,
                Lead.station_id == Subscriber.station_id,
                Lead.stage.in_(rules["lead_stages"]),
            )
        )
    if rules.get("tags"):
        where.append(_has_any_tag(rules["tags"]))
    return where or [true()]


def members(station_id: int, rules: dict[str, Any], channel: str) -> Select:
    """select(Subscriber.id) of the segment's reachable subscribers for `channel`."""
    return select(Subscriber.id).where(Subscriber.station_id == station_id, reachable(channel), *conditions(rules))


def counts(station_id: int, rules: dict[str, Any]) -> dict[str, int]:
    """How many the rules reach by email and by SMS (one query)."""
    base = select(
        func.count().filter(reachable("email")).label("email"),
        func.count().filter(reachable("sms")).label("sms"),
    ).where(Subscriber.station_id == station_id, *conditions(rules))
    row = db.session.execute(base).one()
    return {"email": row.email, "sms": row.sms}


def save(station_id: int, name: str, raw_rules: dict[str, Any], segment: Segment | None = None) -> Segment:
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationFailed("Give the segment a name (up to 80 characters).", fields={"name": "Required."})
    clash = db.session.scalar(
        select(Segment.id).where(
            Segment.station_id == station_id, Segment.name == name, Segment.id != (segment.id if segment else -1)
        )
    )
    if clash:
        raise ValidationFailed("Another segment has that name.", fields={"name": "Already used."})
    rules = clean_rules(raw_rules)
    if segment is None:
        segment = Segment(station_id=station_id, name=name, rules=rules)
        db.session.add(segment)
    else:
        segment.name, segment.rules = name, rules
    db.session.flush()
    return segment


def describe(rules: dict[str, Any]) -> str:
    parts = []
    if rules.get("past_customers"):
        parts.append("past customers")
    if rules.get("lead_stages"):
        parts.append("leads " + "/".join(rules["lead_stages"]))
    if rules.get("tags"):
        parts.append("tagged " + ", ".join(rules["tags"]))
    return " and ".join(parts) or "every subscriber"
