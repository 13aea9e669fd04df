"""Demo reviews for `flask seed-demo`: ~60% of completed parties reviewed (idempotent per station)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select

from app.demo import DEMO_SEEDERS
from app.extensions import db
from app.models.booking import Booking, BookingStatus
from app.models.lead import Task
from app.models.review import Review
from app.models.station import Station
from app.models.user import Role, User
from app.reviews.services import FOLLOW_UP_DUE, LOW_RATING, RATING_SENTIMENT, follow_up_key
from app.tenancy import members

REVIEWED_SHARE = 0.6
RATINGS = [5, 5, 5, 5, 5, 4, 4, 4, 3, 2]
TEXTS = {
    5: [
        "Chef was hilarious and the food was amazing. The kids still talk about the onion volcano!",
        "Best birthday party we have had. Everything on time, everything delicious.",
        "Filet and scallops were perfect. Clean-up was spotless. Booking again for the holidays.",
    ],
    4: [
        "Great food and a fun show. Arrived a little late but made up for it.",
        "Really good fried rice, generous portions. Would have liked more sauce.",
    ],
    3: ["Food was fine, but the chef seemed rushed and the shrimp was overcooked."],
    2: ["Chef arrived 45 minutes late and we ran short of chicken for the last guests. Disappointed."],
}
REPLY = "Thank you so much for having us! We can't wait to cook for you again."


def seed_reviews(stations: dict[str, Station], users: dict[str, User]) -> None:
    for slug, station in stations.items():
        if db.session.scalar(select(func.count()).select_from(Review).where(Review.station_id == station.id)):
            continue  # already seeded
        rng = random.Random(f"reviews-{slug}")
        completed = db.session.scalars(
            select(Booking)
            .where(Booking.station_id == station.id, Booking.status == BookingStatus.COMPLETED.value)
            .order_by(Booking.completed_at)
        ).all()
        reviews = []
        for booking in completed:
            if rng.random() >= REVIEWED_SHARE:
                continue
            rating = rng.choice(RATINGS)
            written = booking.completed_at + timedelta(hours=rng.randint(20, 72))
            review = Review(
                station_id=station.id,
                booking_id=booking.id,
                customer_id=booking.customer_id,
                chef_id=booking.chef_id,
                rating=rating,
                text=rng.choice(TEXTS[rating]) if rng.random() < 0.85 else "",
                author_name=booking.customer.name,
                photos=[],
                sentiment=RATING_SENTIMENT[rating],
                source=rng.choice(["link", "link", "api"]),
                featured=rating >= 4 and rng.random() < 0.5,
                created_at=written,
                updated_at=written,
            )
            if review.featured:
                review.reply, review.replied_at = REPLY, written + timedelta(hours=5)
            db.session.add(review)
            reviews.append(review)
        db.session.flush()
        low = next((r for r in reviews if r.rating <= LOW_RATING), None)
        if low is not None:
            _follow_up_task(station, low)


def _follow_up_task(station: Station, review: Review) -> None:
    """The task a low rating opens (without the manager email a real one sends)."""
    managers = members(station.id, Role.MANAGER)
    db.session.add(
        Task(
            station_id=station.id,
            title=f"Call back about the {review.rating}-star review of {review.booking.reference}",
            kind="review",
            due_at=review.created_at + FOLLOW_UP_DUE,
            owner_id=managers[0].id if managers else None,
            review_id=review.id,
            auto_key=follow_up_key(review.id),
        )
    )


seed_reviews.demo_order = 40  # after bookings (10): reviews need completed parties
DEMO_SEEDERS.append(seed_reviews)
