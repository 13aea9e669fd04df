"""The demo seeder: subscribers from customers and leads, two segments, a sent campaign
with stats and a draft; idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models.lead import Lead
from app.models.newsletter import Campaign, LinkClick, Segment, Subscriber
from app.models.station import Station
from app.newsletter.campaigns import stats
from app.newsletter.demo import seed_newsletter
from tests.customers.factories import BookingFactory, CustomerFactory


def test_the_demo_seeder_runs_and_runs_once(svc):
    station = db.session.get(Station, svc)
    for n in range(12):
        BookingFactory(customer=CustomerFactory(station_id=svc), status="completed" if n % 3 else "confirmed")
    db.session.add(Lead(station_id=svc, name="Lee Lead", email="lee@example.com", stage="quoted", source="api"))
    db.session.commit()

    seed_newsletter({"atlanta": station}, {})
    seed_newsletter({"atlanta": station}, {})

    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 13
    assert db.session.scalar(select(func.count()).select_from(Segment)) == 2
    campaigns = {c.status: c for c in db.session.scalars(select(Campaign))}
    assert set(campaigns) == {"sent", "draft"}
    sent = campaigns["sent"]
    tagged = [s for s in db.session.scalars(select(Subscriber)) if {"birthday", "family"} & set(s.tags)]
    assert sent.total == stats(sent).recorded == len(tagged) > 0  # the segment of birthday and family parties
    assert db.session.scalar(select(func.count()).select_from(LinkClick)) > 0
