"""Low-rating alerts: the station's managers get an email, once per review and manager.

`services.submit_review` only emits the outbox job; the notifications queue writes the
rows (unique key per review and manager) and sends them, like the inbox's escalation
alerts (app/conversations/alerts.py).
"""

from __future__ import annotations

from app.extensions import db
from app.jobs.registry import job
from app.models.review import Review
from app.models.station import Station
from app.models.user import Role
from app.notifications import compose
from app.notifications.sending import Spec, send_all, store
from app.tenancy import members

LOW_RATING_ALERT = "reviews.low_rating_alert"


def alert_key(review_id: int, user_id: int) -> str:
    return f"review:{review_id}:low_rating:email:manager-{user_id}"


@job(LOW_RATING_ALERT, queue="notifications")
def low_rating_alert(review_id: int) -> dict[str, int]:
    """Email each manager of the station about a low rating, once."""
    review = db.session.get(Review, review_id)
    if review is None:
        return {}
    station = db.session.get(Station, review.station_id)
    specs = [
        Spec(alert_key(review.id, user.id), "review_low_rating", "email", user.email)
        for user in members(station.id, Role.MANAGER)
    ]
    who = review.author_name or "A customer"
    reference = review.booking.reference if review.booking else "no booking"
    chef = f" (chef {review.chef.name})" if review.chef else ""
    url = compose.public_url("reviews.index", station_slug=station.slug, rating=review.rating)

    def render(spec: Spec) -> compose.Rendered:
        subject = f"{review.rating}-star review from {who} ({reference})"[:255]
        body = (
            f"{who} rated their party {reference}{chef} {review.rating} out of 5 at {station.name}:\n\n"
            f"{(review.text or '(no text)')[:1500]}\n\n"
            "A follow-up task is open for the station's manager, and a reply draft waits in the inbox.\n"
            f"Open the reviews:\n{url}\n"
        )
        return compose.Rendered(subject=subject, body_text=body, body_html=None)

    ids = store(specs, station_id=station.id, booking_id=review.booking_id, render=render)
    return send_all(ids)
