"""Queue depths on the station dashboard and as Prometheus gauges; neither breaks without Redis."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.jobs.outbox import emit, relay
from tests.jobs import worker_jobs  # noqa: F401 - registers the test.* jobs
from tests.jobs.conftest import closed_redis_url, work_burst
from tests.support import new_client


def stat(html: str, label: str) -> str | None:
    match = re.search(rf'data-stat="{re.escape(label)}".*?class="stat-value">([^<]*)<', html, re.DOTALL)
    return match.group(1).strip() if match else None


def _dashboard(app, world, who: str = "manager") -> str:
    return new_client(app, world.users[who].email).get("/s/alpha/").get_data(as_text=True)


def _emit(app, world, n: int, job: str = "test.record") -> None:
    with app.app_context():
        for i in range(n):
            emit(job, key=f"{job}-{i}", station_id=world.station.id, tag=f"m{i}")
        db.session.commit()


# -- dashboard ---------------------------------------------------------------------------------


def test_dashboard_says_inline_without_redis(app, world):
    _emit(app, world, 2)  # committed, not relayed (no request): waiting
    html = _dashboard(app, world)
    assert stat(html, "Jobs queued") == "inline"
    assert stat(html, "Outbox waiting") == "2"


def test_dashboard_job_numbers_are_for_leaders_only(app, world):
    html = _dashboard(app, world, "staff")
    assert stat(html, "Jobs queued") is None and stat(html, "Outbox waiting") is None


@pytest.mark.redis
def test_dashboard_shows_queue_depths(redis_app, world, redis_server):
    html = _dashboard(redis_app, world)
    assert (stat(html, "Jobs queued"), stat(html, "Jobs failed"), stat(html, "Outbox waiting")) == ("0", "0", "0")
    _emit(redis_app, world, 3)
    _emit(redis_app, world, 1, job="test.broken")
    with redis_app.app_context():
        relay()
    html = _dashboard(redis_app, world)
    assert stat(html, "Jobs queued") == "4"
    assert 'href="/s/alpha/jobs/"' in html
    work_burst(redis_app, "default")
    html = _dashboard(redis_app, world)
    assert (stat(html, "Jobs queued"), stat(html, "Jobs failed")) == ("0", "1")


def test_dashboard_survives_redis_down(make_app, world):
    html = _dashboard(make_app(REDIS_URL=closed_redis_url()), world)
    assert stat(html, "Jobs queued") == "Redis down"


# -- Prometheus --------------------------------------------------------------------------------


def gauge(text: str, name: str, **labels: str) -> float | None:
    label_text = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{re.escape(name)}{re.escape('{' + label_text + '}') if labels else ''} (\S+)$"
    match = re.search(pattern, text, re.MULTILINE)
    return float(match.group(1)) if match else None


@pytest.mark.redis
def test_metrics_report_queue_depths_from_redis(redis_app, world, redis_server):
    _emit(redis_app, world, 2)
    with redis_app.app_context():
        relay()
    _emit(redis_app, world, 1, job="test.broken")  # written, not relayed: waiting in the outbox
    text = redis_app.test_client().get("/metrics").get_data(as_text=True)
    assert gauge(text, "teppan_jobs_redis_up") == 1
    assert gauge(text, "teppan_jobs_queue_depth", queue="default", state="queued") == 2
    assert gauge(text, "teppan_jobs_queue_depth", queue="notifications", state="failed") == 0
    assert gauge(text, "teppan_outbox_waiting") == 1
    assert gauge(text, "teppan_outbox_oldest_waiting_seconds") >= 0


def test_metrics_answer_when_redis_is_down(make_app):
    response = make_app(REDIS_URL=closed_redis_url()).test_client().get("/metrics")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert gauge(text, "teppan_jobs_redis_up") == 0
    assert "teppan_jobs_queue_depth{" not in text
    assert "teppan_http_request_duration_seconds" in text  # the rest is still there


def test_metrics_without_redis(client):
    text = client.get("/metrics").get_data(as_text=True)
    assert "teppan_jobs_redis_up " not in text  # inline mode: no Redis to be up or down
    assert gauge(text, "teppan_outbox_waiting") == 0


@pytest.mark.redis
def test_metrics_in_gunicorns_multiprocess_mode(make_app, tmp_path, monkeypatch, redis_server):
    """prometheus-flask-exporter answers from a fresh registry there: the job gauges must be in it."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    from tests.conftest import TEST_REDIS_URL

    text = make_app(REDIS_URL=TEST_REDIS_URL).test_client().get("/metrics").get_data(as_text=True)
    assert gauge(text, "teppan_jobs_redis_up") == 1
    assert gauge(text, "teppan_jobs_queue_depth", queue="ai", state="scheduled") == 0
