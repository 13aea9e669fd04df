"""The printable image of a code (segno): SVG for print shops, PNG for everything else.

The image encodes the scan URL `{PUBLIC_BASE_URL}/q/<code>`, never the target: the target
can change after printing, the scan URL cannot.
"""

from __future__ import annotations

import io
import re

import segno

from app.models.qr import QrCode
from app.web.urls import public_url

# M survives ~15% damage (a folded flyer, a scratched truck decal); segno raises it
# further for free when the URL fits the same symbol size at a higher level.
ERROR_CORRECTION = "m"
QUIET_ZONE_MODULES = 4  # the white border scanners need, as the QR standard asks
MIN_SCALE, MAX_SCALE, DEFAULT_SCALE = 1, 20, 10  # pixels (PNG) or user units (SVG) per module
FORMATS = {"svg": "image/svg+xml", "png": "image/png"}


def scan_url(code: str) -> str:
    return public_url("qr_public.scan", code=code)


def symbol(url: str) -> segno.QRCode:
    """The QR symbol of `url` (never a Micro QR: phone cameras do not read those)."""
    return segno.make_qr(url, error=ERROR_CORRECTION, boost_error=True)


def render(url: str, kind: str, scale: int = DEFAULT_SCALE) -> bytes:
    """The symbol of `url` as `kind` ("svg" or "png") bytes."""
    if kind not in FORMATS:
        raise ValueError(f"unknown image kind {kind!r}")
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be {MIN_SCALE}-{MAX_SCALE}")
    out = io.BytesIO()
    options = {"title": url} if kind == "svg" else {}
    symbol(url).save(out, kind=kind, scale=scale, border=QUIET_ZONE_MODULES, **options)
    return out.getvalue()


def download_name(station_slug: str, qr: QrCode, kind: str) -> str:
    """e.g. qr-atlanta-spring-flyer-k3v9x2ab.png: tells printed files apart in a folder."""
    label = re.sub(r"[^a-z0-9]+", "-", qr.name.lower()).strip("-")[:40] or "code"
    return f"qr-{station_slug}-{label}-{qr.code}.{kind}"
