"""Flask CLI commands: `flask seed-demo`, `flask create-user`."""

from __future__ import annotations

import click
from flask import Flask

from app.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--reset", is_flag=True, help="Delete existing demo rows first.")
    def seed_demo(reset: bool) -> None:
        """Demo stations, a user of every role and sample data (idempotent)."""
        import logging
        import time

        from app.demo import DEMO_PASSWORD, seed
        from app.jobs import outbox
        from app.jobs.queues import redis_connection

        started = time.monotonic()

        def step(label: str) -> None:
            click.echo(f"  {time.monotonic() - started:5.1f} s  {label}")

        click.echo("Seeding the demo data:")
        # Hundreds of "email recorded" lines would bury the progress and the logins printed below.
        backends_log = logging.getLogger("app.delivery.outgoing")
        level = backends_log.level
        backends_log.setLevel(logging.WARNING)
        try:
            logins = seed(reset=reset, progress=step)
            db.session.commit()
            # Hand the jobs the demo wrote (notifications, alerts) over now, as a request would:
            # inline without Redis (recorded sends, no network), else to the workers.
            inline = redis_connection() is None
            step("running the jobs the demo data called for" if inline else "handing its jobs to the workers")
            ran = 0
            while handed := outbox.relay(limit=50):
                ran += handed
                step(f"{ran} jobs {'run' if inline else 'queued'}")
        finally:
            backends_log.setLevel(level)
        if inline:
            click.echo(f"Ran the {ran} jobs the demo data called for (emails and texts recorded, none sent).")
        click.echo(f"Done in {time.monotonic() - started:.1f} s.")
        click.echo(f"Demo data ready. Sign in with any of these (password: {DEMO_PASSWORD}):")
        for role, email in logins:
            click.echo(f"  {role:<8} {email}")

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--role", type=click.Choice(["owner", "manager", "staff", "chef"]), required=True)
    @click.option("--station", "station_slug", help="Station slug (not for owners).")
    @click.password_option()
    def create_user(email: str, name: str, role: str, station_slug: str | None, password: str) -> None:
        """Create a user with a password and one role."""
        from sqlalchemy import select

        from app.auth.passwords import password_problem
        from app.auth.services import set_password
        from app.errors import DomainError
        from app.models.station import Station
        from app.models.user import Role
        from app.team.services import invite_user

        problem = password_problem(password)
        if problem:
            raise click.ClickException(problem)
        station_id = None
        if role != "owner":
            if not station_slug:
                raise click.ClickException("--station is required for that role")
            station_id = db.session.scalar(select(Station.id).where(Station.slug == station_slug))
            if station_id is None:
                raise click.ClickException(f"no station {station_slug!r}")
        try:
            user, _, _ = invite_user(email=email, name=name, role=role, station_id=station_id, actor_role=Role.OWNER)
        except DomainError as error:
            raise click.ClickException(error.message) from None
        set_password(user, password, action="user.created_by_cli")
        db.session.commit()
        click.echo(f"Created {user.email} ({role}).")
