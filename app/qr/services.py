"""QR codes of a station: create, edit, delete (flush, never commit; the request commits).

A code's `code` is printed on paper and never changes; everything it points at (target,
UTM values, name) may be edited afterwards, which is the point of a redirecting QR code.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from flask import current_app
from sqlalchemy import delete, exists, select

from app import audit
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models.qr import QrCode
from app.models.station import Station

CODE_BYTES = 5  # 40 random bits -> 8 base32 characters: short on paper, not enumerable
CODE_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz234567")
# The public site's booking page of a station (the default target of a new code).
BOOKING_PAGE_PATH = "/book"
DEFAULT_UTM_SOURCE = "qr"
DEFAULT_UTM_MEDIUM = "print"
# Attribution.utm_* accepts 100 characters: longer values would not come back intact.
UTM_MAX_CHARS = 100
NAME_MAX_CHARS = 120
TARGET_MAX_CHARS = 2000
AUDITED_FIELDS = ["code", "name", "campaign", "target_url", "utm"]


@dataclass(frozen=True)
class QrCodeData:
    """What a manager types in; blanks take the defaults (target, source, medium)."""

    name: str
    campaign: str = ""
    target_url: str = ""
    utm_source: str = ""
    utm_medium: str = ""
    utm_content: str = ""


def new_code() -> str:
    """A fresh random code, not used by any station (codes are global: /q/<code>)."""
    while True:
        code = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode().lower()
        if not db.session.scalar(select(exists().where(QrCode.code == code))):
            return code


def looks_like_code(value: object) -> bool:
    """Could be one of our codes: checked before any SQL (and before a join on garbage)."""
    return isinstance(value, str) and 1 <= len(value) <= 40 and set(value) <= CODE_ALPHABET


def public_site_origin() -> str:
    """The public website's origin: the first CORS origin when configured, else our own."""
    origins = current_app.config.get("PUBLIC_SITE_ORIGINS") or []
    return (origins[0] if origins else current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")


def default_target_url(station: Station) -> str:
    return f"{public_site_origin()}{BOOKING_PAGE_PATH}?{urlencode({'station': station.slug})}"


def target_problem(url: str) -> str | None:
    """Why `url` cannot be a redirect target, or None when it can.

    Only absolute http(s) URLs to a host: no javascript:/data: (the scan redirect would
    run them), no credentials, no whitespace or backslashes (browsers "repair" those
    into another host than the one shown here).
    """
    if len(url) > TARGET_MAX_CHARS:
        return f"At most {TARGET_MAX_CHARS} characters."
    if any(ch <= " " or ch == "\x7f" or ch == "\\" for ch in url):
        return "A web address has no spaces, backslashes or control characters."
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return "Enter a full web address, like https://example.com/book."
    if parts.scheme.lower() not in ("http", "https"):
        return "Only http:// and https:// addresses can be printed as a QR code."
    if not parts.hostname:
        return "Enter a full web address, like https://example.com/book."
    if parts.username or parts.password:
        return "The address may not contain a user name or password."
    return None


def _text(fields: dict[str, str], name: str, value: str, limit: int, *, required: str | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        fields[name] = required
    elif len(value) > limit:
        fields[name] = f"At most {limit} characters."
    return value


def _clean(station: Station, data: QrCodeData) -> dict:
    """The columns of a QR code from the form, or ValidationFailed naming every bad field."""
    fields: dict[str, str] = {}
    name = _text(fields, "name", data.name, NAME_MAX_CHARS, required="Name the code after where it is printed.")
    campaign = _text(fields, "campaign", data.campaign, UTM_MAX_CHARS)
    utm = {
        "utm_source": _text(fields, "utm_source", data.utm_source, UTM_MAX_CHARS) or DEFAULT_UTM_SOURCE,
        "utm_medium": _text(fields, "utm_medium", data.utm_medium, UTM_MAX_CHARS) or DEFAULT_UTM_MEDIUM,
    }
    content = _text(fields, "utm_content", data.utm_content, UTM_MAX_CHARS)
    if content:
        utm["utm_content"] = content
    target = (data.target_url or "").strip() or default_target_url(station)
    if problem := target_problem(target):
        fields["target_url"] = problem
    if fields:
        raise ValidationFailed("Check the QR code's details.", fields=fields)
    return {"name": name, "campaign": campaign, "target_url": target, "utm": utm}


def create_qr_code(station: Station, data: QrCodeData) -> QrCode:
    values = _clean(station, data)
    qr = QrCode(station_id=station.id, code=new_code(), scans=0, **values)
    db.session.add(qr)
    db.session.flush()
    audit.record("qr.created", qr, after=audit.snapshot(qr, AUDITED_FIELDS))
    return qr


def update_qr_code(station: Station, qr: QrCode, data: QrCodeData) -> QrCode:
    """New name, campaign, target or UTM values; the printed code stays."""
    values = _clean(station, data)
    before = audit.snapshot(qr, AUDITED_FIELDS)
    for key, value in values.items():
        setattr(qr, key, value)
    old, new = audit.changed(before, audit.snapshot(qr, AUDITED_FIELDS))
    if new:
        db.session.flush()
        audit.record("qr.updated", qr, before=old, after=new)
    return qr


def delete_qr_code(qr: QrCode) -> None:
    """Delete a code nobody has scanned yet (a printing mistake); scanned ones stay.

    One guarded DELETE: a scan committed meanwhile has raised `scans`, so it is refused
    rather than deleted along with its history.
    """
    snapshot, qr_id, station_id = audit.snapshot(qr, AUDITED_FIELDS), qr.id, qr.station_id
    deleted = db.session.execute(
        delete(QrCode).where(QrCode.id == qr.id, QrCode.scans == 0).execution_options(synchronize_session=False)
    ).rowcount
    if not deleted:
        raise Conflict(
            f"{qr.name} has been scanned, so it stays: its scans, leads and bookings keep their source. "
            "Point it somewhere else instead, or stop printing it."
        )
    db.session.expunge(qr)
    audit.record("qr.deleted", entity_type="QrCode", entity_id=qr_id, station_id=station_id, before=snapshot)
