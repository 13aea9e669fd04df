"""QR codes: per station and campaign, SVG/PNG downloads, scans recorded then redirected.

- services.py: create / edit / delete codes; scans.py: GET /q/<code> (count, redirect)
- images.py: the printable SVG and PNG (segno); queries.py: what the pages show
- attribution.py: which code a lead or booking came from (`qr_code_for`)
"""

from flask import Blueprint

from app.web.access import station_blueprint

bp = station_blueprint("qr", __name__, "/qr")
# GET /q/<code>: record the scan, redirect with UTM parameters.
public_bp = Blueprint("qr_public", __name__)

from app.qr import demo, views  # noqa: E402,F401
