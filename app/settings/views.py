"""The station settings page."""

from __future__ import annotations

from itertools import groupby

from flask import flash, g, redirect, render_template, request, url_for

from app.errors import DomainError
from app.extensions import db
from app.permissions import require
from app.settings import bp, services


@bp.route("/", methods=["GET", "POST"])
@require("station.settings")
def edit():
    """Prices, menu, slots, deposit and policies of this station."""
    values = services.form_values(g.station.settings)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {field.name: request.form.get(field.name, "") for field in services.FIELDS}
        try:
            services.save_settings(g.station, services.parse_form(values))
            db.session.commit()
            flash("Settings saved. New quotes use them now.", "success")
            return redirect(url_for("settings.edit"), code=303)
        except DomainError as error:
            db.session.rollback()
            errors, status = error.fields, 422
            flash(error.message, "error")
    groups = [(name, list(fields)) for name, fields in groupby(services.FIELDS, key=lambda f: f.group)]
    return render_template("settings/edit.html", groups=groups, values=values, errors=errors), status
