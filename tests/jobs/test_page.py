"""The Jobs page: queues, running and failed jobs (retry, discard), the outbox.

Failed jobs are made the real way: an outbox message for a job that raises, relayed
to the test Redis and run by an RQ worker.
"""

from __future__ import annotations

import json
import re

import pytest
from rq.job import Job
from rq.registry import FailedJobRegistry
from sqlalchemy import select

from app.extensions import db
from app.jobs import registry
from app.jobs.outbox import emit, relay
from app.models.audit import AuditEntry
from app.models.outbox import OutboxMessage
from tests.jobs import worker_jobs
from tests.jobs.conftest import queued_ids, work_burst
from tests.support import new_client

URL = "/s/alpha/jobs/"


def _fail(app, world, *stations: str | None) -> dict[str | None, str]:
    """A failed job for each station slug (None: a job of no station); {slug: job id}."""
    ids = {None: None, "alpha": world.station.id, "beta": world.other.id}
    with app.app_context():
        messages = {
            slug: emit("test.broken", key=f"broken-{slug}", station_id=ids[slug], tag=f"t-{slug}") for slug in stations
        }
        db.session.commit()
        relay()
        job_ids = {slug: f"outbox-{m.id}" for slug, m in messages.items()}
    work_burst(app, "default")
    return job_ids


def _client(app, world, who: str):
    return new_client(app, world.users[who].email)


def _rows(html: str) -> set[str]:
    return set(re.findall(r'<tr data-job-id="([^"]+)"', html))


# -- who may see it ----------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("owner", 200), ("manager", 200), ("staff", 403), ("chef", 403)])
def test_leaders_only(as_role, world, who, status):
    assert as_role(who).get(URL).status_code == status


def test_another_stations_page_is_404(as_role, world):
    assert as_role("other_manager").get(URL).status_code == 404


def test_the_nav_shows_jobs_to_leaders(as_role, world):
    assert 'href="/s/alpha/jobs/"' in as_role("manager").get("/s/alpha/").get_data(as_text=True)
    assert 'href="/s/alpha/jobs/"' not in as_role("staff").get("/s/alpha/").get_data(as_text=True)


# -- inline mode -------------------------------------------------------------------------------


def test_without_redis_the_page_says_inline_and_shows_the_outbox(app, as_role, world):
    with app.app_context():
        emit("test.record", key="alpha-msg", station_id=world.station.id, tag="a")
        emit("test.record", key="beta-msg", station_id=world.other.id, tag="b")
        db.session.commit()  # not relayed: waiting
    html = as_role("manager").get(URL).get_data(as_text=True)
    assert 'data-jobs-mode="inline"' in html
    assert "Queues" not in html and "Retry" not in html
    assert "alpha-msg" in html and "beta-msg" not in html  # this station's messages only
    assert "1 waiting" in html


def test_without_redis_retry_and_discard_find_nothing(as_role, world):
    client = as_role("manager")
    assert client.post_form(URL + "retry", {"job_id": "outbox-1"}).status_code == 404
    assert client.post_form(URL + "discard", {"job_id": "outbox-1"}).status_code == 404


# -- with Redis --------------------------------------------------------------------------------


@pytest.mark.redis
def test_queue_counts(redis_app, world, redis_server):
    with redis_app.app_context():
        emit("test.record", key="q1", station_id=world.station.id, tag="q1")
        emit("test.record", key="q2", station_id=world.station.id, tag="q2")
        db.session.commit()
        relay()
    html = _client(redis_app, world, "manager").get(URL).get_data(as_text=True)
    row = re.search(r'<tr data-queue="default">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'data-state="queued">2<', row)
    assert re.search(r'data-state="failed">0<', row)


@pytest.mark.redis
def test_failed_jobs_with_their_error_name_and_arguments(redis_app, world, redis_server):
    job_ids = _fail(redis_app, world, "alpha")
    html = _client(redis_app, world, "manager").get(URL).get_data(as_text=True)
    assert _rows(html) == {job_ids["alpha"]}
    assert "test.broken" in html
    assert "tag=t-alpha" in html
    assert "ValueError: bad data in t-alpha" in html
    assert f'name="job_id" value="{job_ids["alpha"]}"' in html
    assert re.search(r'<tr data-queue="default">.*?data-state="failed">1<', html, re.S)


@pytest.mark.redis
def test_managers_see_their_stations_jobs_and_those_of_no_station(redis_app, world, redis_server):
    job_ids = _fail(redis_app, world, "alpha", "beta", None)
    manager = _client(redis_app, world, "manager").get(URL).get_data(as_text=True)
    assert _rows(manager) == {job_ids["alpha"], job_ids[None]}
    other = _client(redis_app, world, "other_manager").get("/s/beta/jobs/").get_data(as_text=True)
    assert _rows(other) == {job_ids["beta"], job_ids[None]}
    owner = _client(redis_app, world, "owner").get(URL).get_data(as_text=True)
    assert _rows(owner) == set(job_ids.values())
    assert "Beta" in owner  # the station a job belongs to is named


@pytest.mark.redis
def test_retry_without_javascript(redis_app, world, redis_server):
    job_id = _fail(redis_app, world, "alpha")["alpha"]
    client = _client(redis_app, world, "manager")
    response = client.post_form(URL + "retry", {"job_id": job_id})
    assert response.status_code == 303
    assert response.location.endswith(URL)
    assert job_id in queued_ids(redis_server, "default")
    assert job_id not in FailedJobRegistry("default", connection=redis_server)
    with redis_app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "job.retried"))
        assert entry.entity_id == job_id and entry.station_id == world.station.id
        assert entry.actor_id == world.users["manager"].id
        assert entry.after["job"] == "test.broken"
    assert "queued again" in client.get(URL).get_data(as_text=True)  # the flash
    # And it runs again (and fails again, being broken).
    work_burst(redis_app, "default")
    assert worker_jobs.runs(redis_server, "t-alpha") == 2


@pytest.mark.redis
def test_discard_with_htmx_answers_the_board_and_a_toast(redis_app, world, redis_server):
    job_id = _fail(redis_app, world, "alpha")["alpha"]
    client = _client(redis_app, world, "manager")
    response = client.htmx("post", URL + "discard", data={"job_id": job_id})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="jobs-board"') and "<html" not in html
    assert job_id not in _rows(html)
    toast = json.loads(response.headers["HX-Trigger"])["toast"]
    assert toast == {"message": "test.broken was discarded.", "level": "success"}
    assert Job.fetch_many([job_id], connection=redis_server) == [None]
    with redis_app.app_context():
        assert db.session.scalar(select(AuditEntry.entity_id).where(AuditEntry.action == "job.discarded")) == job_id
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == "broken-alpha"))
        assert "discarded" in message.last_error and "Manager" in message.last_error


@pytest.mark.redis
def test_retry_with_htmx(redis_app, world, redis_server):
    job_id = _fail(redis_app, world, "alpha")["alpha"]
    response = _client(redis_app, world, "manager").htmx("post", URL + "retry", data={"job_id": job_id})
    assert response.status_code == 200
    assert json.loads(response.headers["HX-Trigger"])["toast"]["message"] == "test.broken is queued again."
    assert job_id not in _rows(response.get_data(as_text=True))


@pytest.mark.redis
def test_a_job_that_is_no_longer_failed_is_said_so(redis_app, world, redis_server):
    job_id = _fail(redis_app, world, "alpha")["alpha"]
    client = _client(redis_app, world, "manager")
    client.post_form(URL + "retry", {"job_id": job_id})
    response = client.htmx("post", URL + "retry", data={"job_id": job_id})  # a double click
    assert response.status_code == 409  # refused: the board is swapped in all the same (static/app.js)
    assert job_id not in _rows(response.get_data(as_text=True))
    assert json.loads(response.headers["HX-Trigger"]) == {
        "toast": {"message": "test.broken is no longer in the failed list.", "level": "error"}
    }
    assert queued_ids(redis_server, "default").count(job_id) == 1


@pytest.mark.redis
def test_another_stations_job_is_404(redis_app, world, redis_server):
    job_id = _fail(redis_app, world, "beta")["beta"]
    client = _client(redis_app, world, "manager")
    assert client.post_form(URL + "retry", {"job_id": job_id}).status_code == 404
    assert client.post_form(URL + "discard", {"job_id": job_id}).status_code == 404
    assert job_id in FailedJobRegistry("default", connection=redis_server)
    # The owner may act on any station's job from any station's page.
    assert _client(redis_app, world, "owner").post_form(URL + "retry", {"job_id": job_id}).status_code == 303


@pytest.mark.redis
def test_bad_requests(redis_app, world, redis_server):
    job_id = _fail(redis_app, world, "alpha")["alpha"]
    client = _client(redis_app, world, "manager")
    assert client.post_form(URL + "retry", {}).status_code == 400
    assert client.post_form(URL + "retry", {"job_id": "no-such-job"}).status_code == 404
    assert client.post_form(URL + "retry", {"job_id": "../etc"}).status_code == 404
    assert client.post(URL + "retry", data={"job_id": job_id}).status_code == 400  # no CSRF token
    assert _client(redis_app, world, "staff").post_form(URL + "retry", {"job_id": job_id}).status_code == 403
    assert job_id in FailedJobRegistry("default", connection=redis_server)


@pytest.mark.redis
def test_htmx_refresh_answers_the_board_only(redis_app, world, redis_server):
    response = _client(redis_app, world, "manager").htmx("get", URL)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="jobs-board"') and "<html" not in html
    assert 'hx-trigger="every 15s"' in html


@pytest.mark.redis
def test_running_jobs_are_listed(redis_app, world, redis_server, monkeypatch):
    """A job looks at the page while it runs: it sees itself among the running jobs."""
    seen: list[str] = []
    client = _client(redis_app, world, "manager")

    def peek() -> None:
        seen.append(client.get(URL).get_data(as_text=True))

    monkeypatch.setitem(registry.JOBS, "test.peek", registry.JobSpec("test.peek", peek, "default", 0, 60))
    with redis_app.app_context():
        message = emit("test.peek", key="peek", station_id=world.station.id)
        db.session.commit()
        message_id = message.id
        relay()
    work_burst(redis_app, "default")
    running = re.search(r'id="running-heading".*?</section>', seen[0], re.S).group(0)
    assert f'data-job-id="outbox-{message_id}"' in running and "test.peek" in running


@pytest.mark.redis
def test_redis_down_shows_the_outbox_and_says_so(make_app, world):
    from tests.jobs.conftest import closed_redis_url

    down = make_app(REDIS_URL=closed_redis_url())
    html = _client(down, world, "manager").get(URL).get_data(as_text=True)
    assert 'data-jobs-mode="redis-down"' in html
    assert "outbox-heading" in html
