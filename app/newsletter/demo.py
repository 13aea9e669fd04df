"""Demo newsletter data: subscribers from the demo customers and leads, two segments, a
campaign sent through the real batch code (recorded backend: no network) with a few
clicks and unsubscribes, and a draft. Idempotent per station."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select

from app.demo import DEMO_SEEDERS
from app.extensions import db
from app.models.base import utcnow
from app.models.customer import Customer
from app.models.lead import Lead
from app.models.newsletter import Campaign, CampaignLink, CampaignRecipient, Segment, Subscriber
from app.models.station import Station
from app.models.user import User
from app.newsletter import links, sending, subscriptions
from app.newsletter.segments import save as save_segment

TAGS = ["birthday", "corporate", "graduation", "family"]
EMAIL_TEXT = "Email me news and offers. Unsubscribe any time."
SMS_TEXT = "Text me offers (about 2 a month). Msg & data rates may apply. Reply STOP to stop."
SENT_BODY = (
    "Hi {first_name},\n\nSpring is here and so are backyard parties! Book a hibachi night in March and get "
    "a free gyoza add-on.\n\nSee the menu: https://teppan.example/menu\nBook: https://teppan.example/book\n\n"
    "See you at the grill!"
)
DRAFT_BODY = "Hi {first_name}, graduation season is coming: reserve your date now at https://teppan.example/book"


def _subscriber(station: Station, rng: random.Random, *, name, email, phone, customer_id=None, lead_id=None, source):
    subscriber = Subscriber(
        station_id=station.id,
        name=name or "",
        email=email,
        phone=phone,
        email_status="subscribed" if email else "unsubscribed",
        sms_status="subscribed" if phone and rng.random() < 0.4 else "unsubscribed",
        confirmed_at=utcnow() if email else None,
        tags=rng.sample(TAGS, rng.randint(0, 2)),
        customer_id=customer_id,
        lead_id=lead_id,
        source=source,
    )
    db.session.add(subscriber)
    db.session.flush()
    if email:
        subscriptions.record(subscriber, "email", True, EMAIL_TEXT, f"{source}.subscribe", "203.0.113.7")
        subscriptions.record(
            subscriber, "email", True, f"Confirmed by the emailed link: {EMAIL_TEXT}", "email.confirm", "203.0.113.7"
        )
    if subscriber.sms_status == "subscribed":
        subscriptions.record(subscriber, "sms", True, SMS_TEXT, f"{source}.subscribe", "203.0.113.7")
    return subscriber


def _subscribers(station: Station, rng: random.Random) -> None:
    seen_emails: set[str] = set()
    seen_phones: set[str] = set()

    def fresh(email, phone):
        email = email if email and email not in seen_emails else None
        phone = phone if phone and phone not in seen_phones else None
        seen_emails.add(email or "")
        seen_phones.add(phone or "")
        return email, phone

    customers = db.session.scalars(
        select(Customer).where(Customer.station_id == station.id).order_by(Customer.id).limit(80)
    )
    for customer in customers:
        email, phone = fresh(customer.email, customer.phone)
        if email or phone:
            _subscriber(
                station, rng, name=customer.name, email=email, phone=phone, customer_id=customer.id, source="booking"
            )
    leads = db.session.scalars(select(Lead).where(Lead.station_id == station.id).order_by(Lead.id).limit(40))
    for lead in leads:
        email, phone = fresh(lead.email, lead.phone)
        if email or phone:
            _subscriber(station, rng, name=lead.name, email=email, phone=phone, lead_id=lead.id, source="api")


def _sent_campaign(station: Station, segment: Segment, manager: User | None, rng: random.Random) -> None:
    campaign = Campaign(
        station_id=station.id,
        name="Spring backyard parties",
        channel="email",
        subject="{first_name}, a free gyoza add-on this March",
        body=SENT_BODY,
        segment_id=segment.id,
        status="draft",
        created_by_id=manager.id if manager else None,
    )
    db.session.add(campaign)
    db.session.flush()
    sending.start(campaign, now=utcnow() - timedelta(days=3))
    db.session.commit()
    while sending.send_batch(campaign.id, chain=False):  # batch after batch, as the job does inline
        pass
    # A few readers click and a couple unsubscribe afterwards.
    recipients = db.session.scalars(select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign.id)).all()
    tokens = db.session.scalars(select(CampaignLink.token).where(CampaignLink.campaign_id == campaign.id)).all()
    for recipient in recipients:
        if tokens and rng.random() < 0.3:
            links.record_click(rng.choice(tokens), links.sign_recipient(recipient.id))
    for recipient in recipients[:2]:
        subscriber = db.session.get(Subscriber, recipient.subscriber_id)
        subscriptions.unsubscribe(
            subscriber,
            "email",
            text="Unsubscribed with the one-click link of a newsletter.",
            source="email.one_click",
            ip=None,
        )
    db.session.commit()


def seed_newsletter(stations: dict[str, Station], users: dict[str, User]) -> None:
    manager = next((u for u in users.values() if u.email == "manager@teppan.example"), None)
    for slug in ("atlanta", "dallas"):
        station = stations.get(slug)
        if station is None:
            continue
        if db.session.scalar(select(func.count()).select_from(Subscriber).where(Subscriber.station_id == station.id)):
            continue  # already seeded
        rng = random.Random(f"newsletter-{slug}")
        _subscribers(station, rng)
        past_customers = save_segment(station.id, "Past customers", {"past_customers": True})
        celebrations = save_segment(station.id, "Birthday and family parties", {"tags": ["birthday", "family"]})
        db.session.commit()
        _sent_campaign(station, celebrations, manager if slug == "atlanta" else None, rng)
        db.session.add(
            Campaign(
                station_id=station.id,
                name="Graduation season",
                channel="sms",
                body=DRAFT_BODY,
                segment_id=past_customers.id,
                status="draft",
                created_by_id=manager.id if manager and slug == "atlanta" else None,
            )
        )
        db.session.commit()


DEMO_SEEDERS.append(seed_newsletter)
