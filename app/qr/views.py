"""QR code pages (list, new, code page with its edit form, images) and GET /q/<code>."""

from __future__ import annotations

import re
from functools import partial

from flask import Response, abort, g, make_response, redirect, render_template, request, url_for

from app.errors import DomainError
from app.extensions import client_ip, db
from app.models.base import utcnow
from app.models.qr import QrCode
from app.permissions import require
from app.qr import bp, images, public_bp, queries, scans, services
from app.qr.forms import QrCodeForm
from app.tenancy import get_scoped_or_404
from app.web.forms import read_form
from app.web.htmx import finish_mutation, render


@bp.get("/")
@require("qr.manage")
def index():
    """The station's QR codes with scans, leads and bookings attributed to each."""
    return render_template("qr/index.html", rows=queries.code_rows(g.station_id))


def _new_page(values, error: DomainError | None = None) -> str:
    return render_template("qr/new.html", values=values, errors=error.fields if error else {})


@bp.route("/new", methods=["GET", "POST"])
@require("qr.manage")
def new():
    """A new code: where it is printed, where it leads, its UTM values."""
    if request.method == "GET":
        defaults = {
            "target_url": services.default_target_url(g.station),
            "utm_source": services.DEFAULT_UTM_SOURCE,
            "utm_medium": services.DEFAULT_UTM_MEDIUM,
        }
        return _new_page(defaults)
    try:
        qr = services.create_qr_code(g.station, read_form(QrCodeForm).data_for_service())
    except DomainError as error:
        return finish_mutation(error, back=url_for("qr.new"), page=partial(_new_page, request.form))
    message = f"{qr.name} created. Download it from this page and send it to print."
    return finish_mutation(message, back=url_for("qr.show", qr_id=qr.id))


def _page(qr: QrCode, values, error: DomainError | None = None) -> Response:
    days = queries.scan_window(request.args.get("days"))
    return render(
        "qr/show.html",
        "qr/_scans.html",
        qr=qr,
        values=values,
        errors=error.fields if error else {},
        totals=queries.code_row(qr),
        scan_url=images.scan_url(qr.code),
        example_url=scans.destination_url(scans.Destination.of(qr)),
        scan_days=queries.scans_by_day(qr, g.station.timezone, days=days, now=utcnow()),
        days=days,
        windows=queries.SCAN_WINDOWS,
        image_scales=(images.DEFAULT_SCALE, images.MAX_SCALE),
    )


@bp.get("/<int:qr_id>")
@require("qr.manage")
def show(qr_id: int):
    """A code: its image and scan URL, scans by day (HTMX swaps the window), edit form."""
    qr = get_scoped_or_404(QrCode, qr_id)
    return _page(qr, QrCodeForm.values_of(qr))


@bp.post("/<int:qr_id>")
@require("qr.manage")
def update(qr_id: int):
    """Save the code's name, campaign, target and UTM values (the printed code stays)."""
    qr = get_scoped_or_404(QrCode, qr_id)
    back = url_for("qr.show", qr_id=qr.id)
    try:
        services.update_qr_code(g.station, qr, read_form(QrCodeForm).data_for_service())
    except DomainError as error:
        return finish_mutation(error, back=back, page=partial(_page, qr, request.form))
    return finish_mutation(f"{qr.name} saved.", back=back)


@bp.post("/<int:qr_id>/delete")
@require("qr.manage")
def delete(qr_id: int):
    """Delete a code that was never scanned; a scanned one is refused with the reason."""
    qr = get_scoped_or_404(QrCode, qr_id)
    name = qr.name
    try:
        services.delete_qr_code(qr)
    except DomainError as error:
        return finish_mutation(error, back=url_for("qr.show", qr_id=qr_id))
    return finish_mutation(f"{name} deleted.", back=url_for("qr.index"))


def _scale() -> int:
    """`?scale=`: modules are 1 to 20 pixels; anything else is refused, not guessed."""
    raw = request.args.get("scale", str(images.DEFAULT_SCALE))
    if not (re.fullmatch(r"[0-9]{1,2}", raw) and images.MIN_SCALE <= int(raw) <= images.MAX_SCALE):
        abort(400, f"scale must be a whole number from {images.MIN_SCALE} to {images.MAX_SCALE}.")
    return int(raw)


def _image(qr_id: int, kind: str) -> Response:
    qr = get_scoped_or_404(QrCode, qr_id)
    scale = _scale()
    response = make_response(images.render(images.scan_url(qr.code), kind, scale))
    response.mimetype = images.FORMATS[kind]
    disposition = "attachment" if request.args.get("download") == "1" else "inline"
    response.headers.set("Content-Disposition", disposition, filename=images.download_name(g.station.slug, qr, kind))
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/<int:qr_id>.svg")
@require("qr.manage")
def svg(qr_id: int):
    """The code as SVG (`?scale=1..20`, `?download=1` to save it)."""
    return _image(qr_id, "svg")


@bp.get("/<int:qr_id>.png")
@require("qr.manage")
def png(qr_id: int):
    """The code as PNG (`?scale=1..20` pixels per module, `?download=1` to save it)."""
    return _image(qr_id, "png")


@public_bp.get("/q/<code>")
def scan(code: str):
    """A printed code was scanned: count it (people only), then send them on with UTM."""
    user_agent = request.headers.get("User-Agent", "")
    counted = request.method == "GET" and not scans.is_link_preview(user_agent)
    destination = scans.scan(code, counted=counted, user_agent=user_agent, ip=client_ip())
    if destination is None:
        return render_template("qr/not_found.html"), 404
    if counted:
        db.session.commit()
    response = redirect(scans.destination_url(destination), code=302)
    # Every scan must reach us to be counted: no browser or proxy may keep the redirect.
    response.headers["Cache-Control"] = "no-store"
    return response
