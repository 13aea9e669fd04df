"""Customer self-service: the "manage my booking" page (/b/<token>) and the rules behind it.

`rules` is the one rule book (reschedule, guests, cancel, pay, message) that the page
(`views`) and the public JSON API (app/api/manage.py) both call.
"""

from flask import Blueprint

bp = Blueprint("manage", __name__)

from app.selfservice import views  # noqa: E402,F401
