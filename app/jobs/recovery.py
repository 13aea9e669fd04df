"""Jobs of a worker that died mid-job (SIGKILL, OOM, a host reboot) run again promptly.

RQ notices an abandoned job only when its heartbeat has expired (a minute or more) and a
live worker next cleans its registries (every 10 minutes by default), so a worker
restarted by systemd would leave its predecessor's job, and whatever that job had not
sent yet, waiting that long. At start, `flask worker` therefore looks for registered
workers of this host whose process is gone, and hands their started jobs to RQ's own
abandoned-job handling at once: retried (with the job's backoff) while retries are left,
else moved to the failed list. Jobs are idempotent (app.jobs.registry) and the messages a
dead worker had claimed are the delivery layer's to take over after their lease
(app/delivery), so running the job again finishes what was left and doubles nothing.

Workers on other hosts are recovered by RQ's heartbeat expiry; `flask worker` cleans the
registries every MAINTENANCE_SECONDS instead of RQ's 10 minutes.
"""

from __future__ import annotations

import logging
import os
import socket

from redis import Redis
from rq import Worker
from rq.executions import WORKER_EXECUTIONS_KEY_TEMPLATE
from rq.registry import StartedJobRegistry

from app.jobs.queues import queue

log = logging.getLogger(__name__)
MAINTENANCE_SECONDS = 60


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def dead_local_workers(connection: Redis) -> list[Worker]:
    """Registered workers of this host whose process no longer exists."""
    here = socket.gethostname()
    return [
        worker
        for worker in Worker.all(connection=connection)
        if worker.hostname == here and worker.pid and worker.pid != os.getpid() and not process_alive(worker.pid)
    ]


def recover_dead_local_workers(connection: Redis, queue_names: tuple[str, ...]) -> list[str]:
    """Hand the started jobs of dead local workers to RQ's abandoned-job handling; their ids."""
    recovered: list[str] = []
    for worker in dead_local_workers(connection):
        executions = {
            entry.decode() if isinstance(entry, bytes) else entry
            for entry in connection.smembers(WORKER_EXECUTIONS_KEY_TEMPLATE.format(worker.name))
        }
        for name in queue_names:
            registry = StartedJobRegistry(queue=queue(name))
            mine = [entry for entry in executions if connection.zscore(registry.key, entry) is not None]
            if not mine:
                continue
            # Expire their heartbeats now: RQ's cleanup then treats them as abandoned.
            connection.zadd(registry.key, dict.fromkeys(mine, 0), xx=True)
            registry.cleanup()
            recovered += [entry.split(":", 1)[0] for entry in mine]
        worker.register_death()
        log.warning("worker %s (pid %s) died; its job(s) %s were handed back", worker.name, worker.pid, recovered)
    return recovered
