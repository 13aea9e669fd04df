"""Which QR code a lead or a booking came from, read from its raw attribution.

The scan redirect adds `tq=<code>` and the code's UTM values to the target URL; the
public site sends them back as `attribution.qr_code` and `attribution.utm_*`. The code
decides; when the site lost it, UTM values that match exactly one code of the station
(source, medium, campaign and content alike) still name it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models.qr import QrCode
from app.qr.services import looks_like_code

UTM_KEYS = ("utm_source", "utm_medium", "utm_content")


def qr_code_for(station_id: int, attribution: Mapping[str, Any] | None) -> int | None:
    """The id of the station's QR code named by `attribution`, or None.

    Another station's code names nothing here (a flyer of Dallas does not make an
    Atlanta lead a Dallas QR lead).
    """
    if not attribution:
        return None
    code = attribution.get("qr_code")
    code = code.strip().lower() if isinstance(code, str) else None
    if looks_like_code(code):
        found = db.session.scalar(select(QrCode.id).where(QrCode.code == code, QrCode.station_id == station_id))
        if found is not None:
            return found
    if not attribution.get("utm_source"):
        return None
    candidates = db.session.execute(
        select(QrCode.id, QrCode.utm).where(
            QrCode.station_id == station_id, QrCode.campaign == _value(attribution, "utm_campaign")
        )
    ).all()
    return only_match(candidates, attribution)


def _value(values: Mapping[str, Any] | None, key: str) -> str:
    value = (values or {}).get(key)
    return value.strip() if isinstance(value, str) else ""


def only_match(candidates: Iterable[tuple[int, Mapping[str, Any]]], attribution: Mapping[str, Any]) -> int | None:
    """The one candidate (id, utm) whose source, medium and content equal the attribution's;
    None when none or several do (a guess would credit the wrong flyer)."""
    wanted = tuple(_value(attribution, key) for key in UTM_KEYS)
    matches = [qr_id for qr_id, utm in candidates if tuple(_value(utm, key) for key in UTM_KEYS) == wanted]
    return matches[0] if len(matches) == 1 else None
