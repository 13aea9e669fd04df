"""`flask analytics rebuild [--station SLUG] [--from DATE]` and `flask analytics verify`."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import click

from app.analytics import bp, verify
from app.extensions import db


@bp.cli.command("rebuild")
@click.option("--station", "slug", help="Only this station (slug); default every station.")
@click.option("--from", "since", type=click.DateTime(["%Y-%m-%d"]), help="From this local day on; default the first.")
def rebuild(slug: str | None, since: datetime | None) -> None:
    """Recompute the analytics rollups from the source rows (idempotent)."""
    stations = verify.station_refs(slug)
    if not stations:
        raise click.ClickException(f"No station {slug!r}.")
    for station in stations:
        days = verify.rebuild(station, since.date() if since else None, progress=click.echo)
        click.echo(f"{station.slug}: {days} days recomputed.")
    verify.analyze()
    click.echo("Statistics of the rollup tables updated (ANALYZE).")


@bp.cli.command("verify")
@click.option("--station", "slug", help="Only this station (slug); default every station, then all together.")
@click.option("--days", type=int, multiple=True, default=(90, 365), show_default=True, help="Period lengths.")
def verify_command(slug: str | None, days: tuple[int, ...]) -> None:
    """Compare every page built from the rollups with the raw queries; exit 1 on a difference."""
    from flask import current_app, g
    from werkzeug.datastructures import MultiDict

    from app.analytics import filters
    from app.analytics.queries import PAGES
    from app.analytics.reference import PAGES as RAW_PAGES
    from app.models.station import Station

    failures = 0
    refs = verify.station_refs(slug)
    # Each station as its manager sees it, and all stations together (once: the first station's view).
    views = [(ref, "station") for ref in refs] + [(refs[0], "all")] if refs else []
    for ref, scope in views:
        station = db.session.get(Station, ref.id)
        today = datetime.now(ZoneInfo(station.timezone)).date()
        for length in days:
            args = MultiDict({"from": (today - timedelta(days=length - 1)).isoformat(), "to": today.isoformat(),
                              "scope": scope})  # fmt: skip
            with current_app.test_request_context():
                g.station, g.station_id = station, station.id
                chosen = filters.parse(args, station, may_see_all=True)
                for key, page in PAGES.items():
                    problems = verify.differences(page.build(chosen), RAW_PAGES[key].build(chosen))
                    failures += len(problems)
                    state = "ok" if not problems else f"{len(problems)} difference(s)"
                    click.echo(f"{ref.slug} {scope} {length} d {key}: {state}")
                    for problem in problems[:10]:
                        click.echo(f"    {problem}")
    if failures:
        raise SystemExit(1)
