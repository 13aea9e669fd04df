"""A scan of a printed code: count it (when a person scanned it), then redirect with UTM.

Cheap on purpose, it is the one public write of this area: a counted scan is one
`UPDATE ... RETURNING` (the counter, atomically, in the database) and one `INSERT`;
an uncounted one (HEAD, link previews) is one `SELECT`.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app
from sqlalchemy import insert, select, update

from app.extensions import db
from app.models.qr import QrCode, QrScan
from app.qr.services import looks_like_code

# The public site reads it back into `attribution.qr_code` (app.qr.attribution).
CODE_PARAM = "tq"
USER_AGENT_MAX_CHARS = 255  # QrScan.user_agent
# Fetchers that open a link to draw its preview (chat apps, social sites, crawlers) or
# scripts: they are not a person holding a flyer. Lower case, matched as substrings.
NOT_A_PERSON = (
    "bot",
    "crawl",
    "spider",
    "preview",
    "facebookexternalhit",
    "slack",
    "whatsapp",
    "telegram",
    "discord",
    "embedly",
    "curl/",
    "wget/",
    "python-requests",
    "go-http-client",
)


@dataclass(frozen=True)
class Destination:
    target_url: str
    campaign: str
    utm: dict[str, Any]
    code: str

    @classmethod
    def of(cls, qr: QrCode) -> Destination:
        return cls(qr.target_url, qr.campaign, qr.utm or {}, qr.code)


def is_link_preview(user_agent: str | None) -> bool:
    """A fetcher rather than a person: a known preview or crawler, or no user agent at all."""
    agent = (user_agent or "").lower()
    return not agent or any(marker in agent for marker in NOT_A_PERSON)


def ip_hash(ip: str | None) -> str | None:
    """The caller's IP, keyed-hashed: repeat scans from one place count once as a visitor,
    and the 2^32 IPv4 addresses cannot be tried against it without the app's secret."""
    if not ip:
        return None
    key = f"{current_app.secret_key}:qr-scan-ip".encode()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()


def destination_url(destination: Destination) -> str:
    """The target with this code's UTM values and `tq=<code>` merged into its query.

    The target's own parameters are kept in order; ours replace same-named ones (the code
    knows where it was printed) and are never duplicated; the fragment is kept.
    """
    ours = {
        "utm_source": destination.utm.get("utm_source"),
        "utm_medium": destination.utm.get("utm_medium"),
        "utm_campaign": destination.campaign,
        "utm_content": destination.utm.get("utm_content"),
        CODE_PARAM: destination.code,
    }
    ours = {key: value for key, value in ours.items() if value}
    parts = urlsplit(destination.target_url)
    kept = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key not in ours]
    return urlunsplit(parts._replace(query=urlencode([*kept, *ours.items()])))


def scan(code: str, *, counted: bool, user_agent: str | None, ip: str | None) -> Destination | None:
    """Where `code` leads (None: no such code), recording the scan first when `counted`."""
    code = code.lower()  # typed in from the print by hand, perhaps in capitals
    if not looks_like_code(code):
        return None
    columns = (QrCode.id, QrCode.target_url, QrCode.campaign, QrCode.utm, QrCode.code)
    if not counted:
        row = db.session.execute(select(*columns).where(QrCode.code == code)).one_or_none()
        return Destination(*row[1:]) if row else None
    row = db.session.execute(
        update(QrCode)
        .where(QrCode.code == code)
        # In the database, never read-modify-write: concurrent scans all count. updated_at
        # is the last edit of the code, not its last scan, so it is kept as it is.
        .values(scans=QrCode.scans + 1, updated_at=QrCode.updated_at)
        .returning(*columns)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if row is None:
        return None
    db.session.execute(
        insert(QrScan).values(
            qr_code_id=row.id,
            # PostgreSQL text cannot hold NUL; a header is whatever the client sent.
            user_agent=(user_agent or "").replace("\x00", "")[:USER_AGENT_MAX_CHARS],
            ip_hash=ip_hash(ip),
        )
    )
    return Destination(*row[1:])
