"""Low-rating alerts: the station's managers get an email, once per review and manager.

`services.submit_review` only emits the outbox job; the notifications queue writes the
rows (unique key per review and manager) and sends them, like the inbox's escalation
alerts (app/inbox/alerts.py).
"""

from __future__ import annotations

from app.extensions import db
from app.jobs.registry import job
from app.models.review import Review
from app.models.station import Station
from app.notifications import compose
from app.notifications.staff import email_managers

LOW_RATING_ALERT = "reviews.low_rating_alert"


@job(LOW_RATING_ALERT, queue="notifications")
def low_rating_alert(review_id: int) -> dict[str, int]:
    """Email each manager of the station about a low rating, once."""
    review = db.session.get(Review, review_id)
    if review is None:
        return {}
    station = db.session.get(Station, review.station_id)
    who = review.author_name or "A customer"
    reference = review.booking.reference if review.booking else "no booking"
    chef = f" (chef {review.chef.name})" if review.chef else ""
    url = compose.public_url("reviews.index", station_slug=station.slug, rating=review.rating)
    return email_managers(
        station,
        key=f"review:{review.id}:low_rating",
        kind="review_low_rating",
        subject=f"{review.rating}-star review from {who} ({reference})",
        body=(
            f"{who} rated their party {reference}{chef} {review.rating} out of 5 at {station.name}:\n\n"
            f"{(review.text or '(no text)')[:1500]}\n\n"
            "A follow-up task is open for the station's manager, and a reply draft waits in the inbox.\n"
            f"Open the reviews:\n{url}\n"
        ),
        booking_id=review.booking_id,
    )
