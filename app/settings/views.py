"""The station settings page."""

from __future__ import annotations

from functools import partial
from itertools import groupby

from flask import g, render_template, request, url_for
from pydantic import create_model

from app.errors import DomainError
from app.permissions import require
from app.settings import bp, services
from app.web.forms import FormModel, read_form
from app.web.htmx import finish_mutation

# One value per setting (money in dollars; lists typed as rows, folded into lines by
# services.typed_values): app.settings.services parses them into StationSettings and
# names the field of every problem.
SettingsForm = create_model("SettingsForm", __base__=FormModel, **{field.name: (str, "") for field in services.FIELDS})


def _page(values: dict[str, str], error: DomainError | None = None, more: str = "") -> str:
    groups = [(name, list(fields)) for name, fields in groupby(services.FIELDS, key=lambda f: f.group)]
    return render_template(
        "settings/edit.html",
        groups=groups,
        values=values,
        errors=error.fields if error else {},
        rows=services.rows,
        row_cells=services.ROW_CELLS,
        extra={more: services.BLANK_ROWS + 3} if more else {},
    )


@bp.route("/", methods=["GET", "POST"])
@require("station.settings")
def edit():
    """Prices, menu, slots, deposit and policies of this station."""
    if request.method == "GET":
        return _page(services.form_values(g.station.settings))
    typed = read_form(SettingsForm, services.typed_values(request.form)).model_dump()
    more = request.form.get("more", "")
    if more in {field.name for field in services.FIELDS if field.kind in services.ROW_CELLS}:
        return _page(typed, more=more)  # "Add rows": the same form with more blank rows, nothing saved yet
    try:
        services.save_settings(g.station, services.parse_form(typed, g.station.settings))
    except DomainError as error:
        return finish_mutation(error, back=url_for("settings.edit"), page=partial(_page, typed))
    return finish_mutation("Settings saved. New quotes use them now.", back=url_for("settings.edit"))
