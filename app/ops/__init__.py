"""Operations endpoints: /healthz, /ready, /info (and /metrics, see app.ops.metrics)."""

from flask import Blueprint

bp = Blueprint("ops", __name__)

from app.ops import views  # noqa: E402,F401
