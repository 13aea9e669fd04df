"""Issue 6, reviews: a completed party is asked for a review, the review arrives, its
reply draft is approved in the inbox and published beside it on the site."""

from __future__ import annotations

import json
from datetime import UTC, timedelta

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models.booking import Booking
from app.models.conversation import Draft
from app.models.outbox import Notification
from app.models.review import Review
from app.notifications import jobs


def test_request_review_reply_and_publication(app, client, as_role, party, dbq):
    with app.test_request_context():
        booking = db.session.get(Booking, party.booking_id)
        booking.customer.email_consent = True
        asked_at = booking.completed_at.astimezone(UTC) + timedelta(hours=25)
        db.session.commit()
        with time_machine.travel(asked_at, tick=False):
            jobs.review_requests()  # the periodic job: writes and sends
    [email] = dbq.scalars(
        select(Notification).where(Notification.kind == "review_request", Notification.channel == "email")
    )
    assert email.status == "recorded"  # no SMTP in tests: recorded on Sent messages
    link = next(word for word in email.body_text.split() if "/review/" in word)
    path = "/review/" + link.rsplit("/review/", 1)[1]

    with time_machine.travel(asked_at + timedelta(hours=2), tick=False):
        assert client.post_form(path, {"rating": "5", "text": "Kenji made the night!"}).status_code == 303
    [review] = dbq.scalars(select(Review))
    draft = dbq.scalar(select(Draft).where(Draft.conversation_id == review.conversation_id))
    assert draft is not None and draft.status == "ready"  # the AI job drafted a reply

    manager = as_role("manager")
    inbox = f"/s/{party.slug}/inbox/{review.conversation_id}"
    reply = "Thank you, Ada! Kenji says hi."
    response = manager.post_form(f"{inbox}/draft/send", {"draft_id": draft.id, "text": reply})
    assert response.status_code in (200, 303)
    review = dbq.get(Review, review.id)
    assert review.reply == reply and review.replied_at is not None

    manager.post_form(f"/s/{party.slug}/reviews/{review.id}/flags", {"featured": "1"})
    published = client.get(f"/api/v1/stations/{party.slug}/reviews").json
    assert published["reviews"] == [
        {
            "author": "Ada L.",
            "rating": 5,
            "text": "Kenji made the night!",
            "date": published["reviews"][0]["date"],
            "reply": reply,
        }
    ]
    assert json.dumps(published["aggregateRating"]["ratingValue"]) == "5.0"
