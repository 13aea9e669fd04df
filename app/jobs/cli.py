"""`flask worker`, `flask scheduler` and `flask outbox-relay` commands."""

from __future__ import annotations

import click
from flask import Flask

from app.jobs.registry import QUEUES


def register(app: Flask) -> None:
    @app.cli.command("worker")
    @click.argument("queues", nargs=-1)
    @click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
    @click.option(
        "--with-scheduler/--without-scheduler",
        default=True,
        help="Also move due retries (RQ's scheduled jobs) to their queues (default: with).",
    )
    @click.option("--max-jobs", type=int, default=None, help="Stop after this many jobs.")
    def worker(queues: tuple[str, ...], burst: bool, with_scheduler: bool, max_jobs: int | None) -> None:
        """Run an RQ worker inside the app context (all queues unless named)."""
        from rq import SimpleWorker

        from app.jobs.queues import queue, redis_connection
        from app.jobs.recovery import MAINTENANCE_SECONDS, recover_dead_local_workers

        connection = redis_connection()
        if connection is None:
            raise click.ClickException("REDIS_URL is not set: jobs run inline, no worker is needed.")
        names = queues or QUEUES
        unknown = set(names) - set(QUEUES)
        if unknown:
            raise click.ClickException(f"unknown queue(s): {', '.join(sorted(unknown))}")
        # A worker of this host killed mid-job (and restarted, by systemd say): its job
        # runs again now, not when RQ notices the expired heartbeat (app.jobs.recovery).
        recover_dead_local_workers(connection, QUEUES)
        # SimpleWorker runs jobs in this process, inside this app context (no fork: the
        # database pool is never shared between processes). The scheduler (a forked
        # process that only talks to Redis) moves retries whose backoff has passed back
        # to their queue: without it, Retry(interval=...) never fires.
        SimpleWorker(
            [queue(name) for name in names], connection=connection, maintenance_interval=MAINTENANCE_SECONDS
        ).work(burst=burst, with_scheduler=with_scheduler, max_jobs=max_jobs)

    @app.cli.command("scheduler")
    @click.option("--tick", default=5.0, help="Seconds between checks.")
    def scheduler(tick: float) -> None:
        """Fire the periodic jobs (app.jobs.periodic.PERIODIC) when they are due."""
        from app.jobs.periodic import loop

        loop(tick_seconds=tick)

    @app.cli.command("outbox-relay")
    def outbox_relay() -> None:
        """Hand every undispatched outbox message to its queue now (or run it, inline)."""
        from app.jobs.builtin import relay_outbox

        click.echo(f"dispatched {relay_outbox()} message(s)")
