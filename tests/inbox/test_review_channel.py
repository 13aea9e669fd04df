"""A review is answered through the inbox: drafted, approved by a manager, published as the reply."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.inbox import drafts, sending
from app.inbox.inbound import Inbound, receive
from app.inbox.jobs import process_inbound
from app.models.conversation import Draft
from app.models.review import Review
from app.models.station import Station
from app.models.user import User


def test_an_approved_draft_becomes_the_reviews_public_reply(app, world):
    with app.app_context():
        station = db.session.get(Station, world.station.id)
        review = Review(station_id=station.id, rating=5, text="Chef Kenji was amazing, the kids loved it!")
        db.session.add(review)
        db.session.flush()
        message, _ = receive(
            station,
            Inbound(
                "review",
                f"review-{review.id}",
                f"★★★★★ {review.text}",
                provider_id=f"review-{review.id}",
                contact_name="Maya R.",
            ),
        )
        review.conversation_id = message.conversation_id
        db.session.commit()

        assert process_inbound(message.id) == "ready"
        draft = db.session.scalar(select(Draft).where(Draft.message_id == message.id))
        assert draft.body and draft.intent == "feedback"
        manager = db.session.get(User, world.users["manager"].id)
        reply = drafts.approve_and_send(draft, manager, "Thank you Maya! We'll tell Kenji.")
        db.session.commit()
        assert sending.send_message(reply.id) == "sent"
        review = db.session.get(Review, review.id)
        assert review.reply == "Thank you Maya! We'll tell Kenji." and review.replied_at is not None
