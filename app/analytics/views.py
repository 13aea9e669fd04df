"""Analytics pages: an index with headline numbers, five pages of charts and tables, CSV export.

Each page is the same shape (filters, headline deltas, a chart above each table), so one
template renders all five; HTMX filter changes get only the body fragment.
"""

from __future__ import annotations

from flask import abort, g, redirect, request, url_for
from flask_login import current_user

from app.analytics import bp, charts, csv, filters, maintenance, sql
from app.analytics.queries import PAGES
from app.analytics.tables import display
from app.permissions import require
from app.web.htmx import render

INDEX_ORDER = ("revenue", "funnel", "operations", "conversations", "reviews")


def _filters() -> filters.Filters:
    maintenance.catch_up()  # changes committed since the last run first: the figures are exact
    sql.for_reporting()
    return filters.parse(request.args, g.station, may_see_all=current_user.is_owner)


def _context(chosen: filters.Filters, page: str) -> dict:
    return {
        "filters": chosen,
        "page_key": page,
        "page_endpoint": f"analytics.{page}",
        "may_see_all": current_user.is_owner,
        "dimensions": filters.SOURCE_DIMENSIONS,
        "grains": filters.GRAINS,
        "display": display,
        "chart": lambda table: charts.render(table, chosen.grain),
        "csv_url": lambda table: url_for("analytics.export", page=page, table=table.key, **chosen.query_args()),
        "pages": INDEX_ORDER,
        "page_titles": {key: PAGES[key].TITLE for key in INDEX_ORDER},
    }


def _page(page: str):
    chosen = _filters()
    built = PAGES[page].build(chosen)
    return render("analytics/page.html", "analytics/_body.html", page=built, **_context(chosen, page))


@bp.get("/")
@require("analytics.view")
def index():
    """Headline numbers of every analytics page, with the change against the previous period."""
    chosen = _filters()
    summaries = [(key, PAGES[key].TITLE, PAGES[key].headlines(chosen)) for key in INDEX_ORDER]
    return render(
        "analytics/index.html", "analytics/_index_body.html", summaries=summaries, **_context(chosen, "index")
    )


@bp.get("/revenue")
@require("analytics.view")
def revenue():
    """Booked value, deposits, refunds, balances outstanding; party size and value; menu mix."""
    return _page("revenue")


@bp.get("/funnel")
@require("analytics.view")
def funnel():
    """Leads to quoted to booked to completed, by source, with conversion and time to book."""
    return _page("funnel")


@bp.get("/operations")
@require("analytics.view")
def operations():
    """Slot utilisation, chef load, cancellations, no-shows and deposit expiries."""
    return _page("operations")


@bp.get("/conversations")
@require("analytics.view")
def conversations():
    """First response against the SLA, volume by channel and intent, escalations, AI acceptance."""
    return _page("conversations")


@bp.get("/reviews")
@require("analytics.view")
def reviews():
    """Ratings over time by station and chef, and the share of parties that left a review."""
    return _page("reviews")


@bp.get("/export.csv")
@require("analytics.view")
def export():
    """One table of one page as CSV, for the same filters as the page."""
    if not request.args.get("page"):
        return redirect(url_for("analytics.index"))  # no table asked for: the pages that have them
    page = PAGES.get(request.args.get("page", ""))
    build_table = page.TABLES.get(request.args.get("table", "")) if page else None
    if build_table is None:
        abort(404)
    chosen = _filters()
    return csv.response(request.args["page"], build_table(chosen), chosen)
