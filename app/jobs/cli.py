"""`flask worker`, `flask scheduler` and `flask outbox` commands."""

from __future__ import annotations

import click
from flask import Flask

from app.jobs.registry import QUEUES


def register(app: Flask) -> None:
    @app.cli.command("worker")
    @click.argument("queues", nargs=-1)
    @click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
    def worker(queues: tuple[str, ...], burst: bool) -> None:
        """Run an RQ worker inside the app context (all queues unless named)."""
        from rq import SimpleWorker

        from app.jobs.queues import queue, redis_connection

        connection = redis_connection()
        if connection is None:
            raise click.ClickException("REDIS_URL is not set: jobs run inline, no worker is needed.")
        names = queues or QUEUES
        unknown = set(names) - set(QUEUES)
        if unknown:
            raise click.ClickException(f"unknown queue(s): {', '.join(sorted(unknown))}")
        # SimpleWorker runs jobs in this process, inside this app context (no fork: the
        # database pool is never shared between processes).
        SimpleWorker([queue(name) for name in names], connection=connection).work(
            burst=burst, with_scheduler=True
        )

    @app.cli.command("scheduler")
    @click.option("--tick", default=5.0, help="Seconds between checks.")
    def scheduler(tick: float) -> None:
        """Fire the periodic jobs (app.jobs.periodic.PERIODIC) when they are due."""
        from app.jobs.periodic import loop

        loop(tick_seconds=tick)

    @app.cli.command("outbox-relay")
    def outbox_relay() -> None:
        """Hand every undispatched outbox message to its queue now."""
        from app.jobs.outbox import relay

        click.echo(f"dispatched {relay()} message(s)")
