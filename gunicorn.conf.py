"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

The app is imported once in the master (`preload_app`) and the workers are forked from
it: a worker starts in milliseconds and shares the master's memory (code, templates, the
ZIP table) copy-on-write. After the fork each worker drops the database connections it
inherited (`post_fork`), so no two processes ever share a socket.

Workers are not recycled by default: recycling every N requests turns into a storm of cold
starts under load (all workers reach N together). Set GUNICORN_MAX_REQUESTS only to
contain a proven leak; the jitter is then half of it, so the workers restart spread out.

Prometheus samples of every worker are written to PROMETHEUS_MULTIPROC_DIR, which is
emptied here, before the app (and its metrics) is imported; /metrics (served by any
worker) aggregates them.
"""

import gc
import os
import shutil

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str((os.cpu_count() or 1) * 2 + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 2
accesslog = os.environ.get("GUNICORN_ACCESSLOG", None)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
preload_app = True

# gunicorn 27's control socket defaults to ~/.gunicorn/gunicorn.ctl, one path for every
# gunicorn of the user on the host (a second app, a bench next to the server): off unless
# GUNICORN_CONTROL_SOCKET names this app's own path.
_own_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET")
control_socket_disable = not _own_control_socket
if _own_control_socket:
    control_socket = _own_control_socket


def _prepare_metrics_dir() -> None:
    """Set and empty the multiprocess directory once per master, before the app import.

    gunicorn re-reads this file on SIGHUP; the marker keeps a reload from wiping the
    samples of the running workers.
    """
    path = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", os.path.join(os.getcwd(), "prometheus_multiproc"))
    if os.environ.get("TEPPAN_METRICS_DIR_PREPARED") == str(os.getpid()):
        return
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path, exist_ok=True)
    os.environ["TEPPAN_METRICS_DIR_PREPARED"] = str(os.getpid())


_prepare_metrics_dir()


def when_ready(server):
    # The master serves no request: close any connection the app's import opened, so the
    # workers inherit none (post_fork covers the workers forked later, to be safe).
    _dispose_engines(server, close=True)
    # Objects made while importing the app never change: keep the garbage collector from
    # touching them in the workers, which would copy their pages (copy-on-write).
    gc.freeze()


def post_fork(server, worker):
    """Drop the connections inherited from the master: each worker opens its own."""
    _dispose_engines(server, close=False)  # close=False: the sockets are the master's


def _dispose_engines(server, *, close: bool) -> None:
    from app.extensions import db

    app = server.app.callable
    if app is None:  # without preload the app is not loaded yet: nothing to drop
        return
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=close)


def child_exit(server, worker):
    from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

    GunicornInternalPrometheusMetrics.mark_process_dead_on_child_exit(worker.pid)
