"""A worker killed mid-job and started again runs that job again at once (app.jobs.recovery).

RQ alone would notice the abandoned job only after its heartbeat expires and a worker
next cleans its registries: minutes. Real `flask worker` processes, a redis-server of
the test's own.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
import redis
from rq import Retry
from rq.job import Job, JobStatus

from app.jobs.queues import queue
from tests.conftest import TEST_DATABASE_URL
from tests.jobs import worker_jobs
from tests.own_redis import own_redis  # noqa: F401
from tests.processes import ROOT, production_env

pytestmark = [pytest.mark.slow]


def _worker(redis_url: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "default", *args],
        cwd=ROOT,
        env=production_env(DATABASE_URL=TEST_DATABASE_URL, REDIS_URL=redis_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_job_whose_worker_was_killed_runs_again_when_a_worker_starts(make_app, own_redis):  # noqa: F811
    app = make_app(REDIS_URL=own_redis.url, share_db=False)
    server = redis.Redis.from_url(own_redis.url)
    with app.app_context():
        queue("default").enqueue_call(
            "tests.jobs.worker_jobs.run",
            kwargs={"job_name": "test.hang_once", "payload": {"tag": "killed"}},
            job_id="test-hang-once",
            retry=Retry(max=2),
        )
    first = _worker(own_redis.url)
    deadline = time.monotonic() + 60
    while worker_jobs.runs(server, "killed") < 1:
        assert time.monotonic() < deadline, "the first worker never started the job"
        assert first.poll() is None, first.stdout.read()
        time.sleep(0.1)
    first.send_signal(signal.SIGKILL)  # in the middle of the job
    first.wait(10)
    assert Job.fetch("test-hang-once", connection=server).get_status() == JobStatus.STARTED

    started = time.monotonic()
    second = _worker(own_redis.url, "--burst")
    output, _ = second.communicate(timeout=60)
    assert second.returncode == 0, output
    assert worker_jobs.runs(server, "killed") == 2  # run again, once
    job = Job.fetch("test-hang-once", connection=server)
    assert job.get_status() == JobStatus.FINISHED
    assert job.return_value() == 2
    assert time.monotonic() - started < 30  # not the minutes RQ's heartbeat expiry would take
    server.close()
