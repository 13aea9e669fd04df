"""QR codes: per station and campaign, SVG/PNG downloads, scans recorded then redirected."""

from flask import Blueprint

from app.web.access import station_blueprint

bp = station_blueprint("qr", __name__, "/qr")
# GET /q/<code>: record the scan, redirect with UTM parameters.
public_bp = Blueprint("qr_public", __name__)

from app.qr import views  # noqa: E402,F401
