"""Subscribers and their consent: sign-up, double opt-in, unsubscribe, the ledger.

Email and SMS consent are separate. Email needs a double opt-in: the sign-up leaves the
subscriber `pending` and sends a confirmation link; only the POST of that link's page
subscribes (link scanners only GET). SMS consent counts at once (the site's form showed
the text, and Twilio's STOP is always a reply away). Every change writes a ledger row
(SubscriptionConsent) with the text, time, source and IP. Services flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, or_, select, update

from app import locks
from app.customers.services import find_match, same_person
from app.extensions import db
from app.jobs.outbox import emit
from app.models.base import utcnow
from app.models.lead import Lead
from app.models.newsletter import Campaign, CampaignRecipient, Subscriber, SubscriptionConsent
from app.newsletter.schemas import MAX_TAGS

CONFIRM_SALT = "teppan.newsletter.confirm"
UNSUBSCRIBE_SALT = "teppan.newsletter.unsubscribe"
# A second sign-up of a pending address within this time sends no second confirmation.
CONFIRM_RESEND_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class SignUp:
    """What a sign-up form sent, already validated and normalised."""

    email: str | None = None
    phone: str | None = None
    name: str = ""
    email_consent: bool = False
    email_consent_text: str = ""
    sms_consent: bool = False
    sms_consent_text: str = ""
    tags: tuple[str, ...] = ()
    source: str = "api"


@dataclass(frozen=True)
class SignUpResult:
    subscriber: Subscriber
    email: str  # confirmation_sent | already_subscribed | not_requested
    sms: str  # subscribed | not_requested


# -- tokens ---------------------------------------------------------------------------------


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=salt)


def confirm_token(subscriber: Subscriber) -> str:
    # The address is part of the token: a link mailed to an old address confirms nothing.
    return _serializer(CONFIRM_SALT).dumps({"s": subscriber.id, "e": subscriber.email})


def subscriber_from_confirm_token(token: str) -> Subscriber | None:
    try:
        data = _serializer(CONFIRM_SALT).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        return None
    subscriber = db.session.get(Subscriber, data["s"])
    if subscriber is None or subscriber.email != data.get("e"):
        return None
    return subscriber


def unsubscribe_token(subscriber_id: int) -> str:
    return _serializer(UNSUBSCRIBE_SALT).dumps({"s": subscriber_id})


def subscriber_from_unsubscribe_token(token: str) -> Subscriber | None:
    try:
        data = _serializer(UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        return None
    subscriber_id = data.get("s") if isinstance(data, dict) else None
    return db.session.get(Subscriber, subscriber_id) if isinstance(subscriber_id, int) else None


# -- the ledger -----------------------------------------------------------------------------


def record(subscriber: Subscriber, channel: str, granted: bool, text: str, source: str, ip: str | None):
    row = SubscriptionConsent(
        station_id=subscriber.station_id,
        subscriber_id=subscriber.id,
        channel=channel,
        granted=granted,
        text=text,
        source=source[:32],
        ip_address=(ip or None) and ip[:64],
        recorded_at=utcnow(),
    )
    db.session.add(row)
    return row


def ledger(subscriber: Subscriber) -> list[SubscriptionConsent]:
    return list(
        db.session.scalars(
            select(SubscriptionConsent)
            .where(SubscriptionConsent.subscriber_id == subscriber.id)
            .order_by(SubscriptionConsent.recorded_at.desc(), SubscriptionConsent.id.desc())
        )
    )


# -- sign-up --------------------------------------------------------------------------------


def _find(station_id: int, email: str | None, phone: str | None) -> tuple[Subscriber | None, Subscriber | None]:
    """The station's subscriber with this email, and the one with this phone (maybe the same)."""
    by_email = by_phone = None
    if email:
        by_email = db.session.scalar(
            select(Subscriber).where(Subscriber.station_id == station_id, Subscriber.email == email)
        )
    if phone:
        by_phone = db.session.scalar(
            select(Subscriber).where(Subscriber.station_id == station_id, Subscriber.phone == phone)
        )
    return by_email, by_phone


def _link_people(subscriber: Subscriber) -> None:
    """Tie the subscriber to the station's customer and lead of the same person (for segments)."""
    if subscriber.customer_id is None:
        customer = find_match(subscriber.station_id, subscriber.email, subscriber.phone)
        subscriber.customer_id = customer.id if customer else None
    if subscriber.lead_id is None:
        same = same_person(Lead, subscriber.email, subscriber.phone)
        if same:
            subscriber.lead_id = db.session.scalar(
                select(Lead.id)
                .where(Lead.station_id == subscriber.station_id, or_(*same))
                .order_by(Lead.created_at.desc(), Lead.id.desc())
                .limit(1)
            )


def _merge_tags(subscriber: Subscriber, tags: tuple[str, ...]) -> None:
    if tags:
        merged = list(dict.fromkeys([*(subscriber.tags or []), *tags]))[:MAX_TAGS]
        subscriber.tags = merged  # a new list: the JSON column notices assignment only


def sign_up(station_id: int, data: SignUp, *, ip: str | None) -> SignUpResult:
    """Create or update the subscriber(s) of this email / phone and record the consents.

    An email and a phone that belong to two existing subscribers stay two: the email
    consent goes to the email's subscriber and the SMS consent to the phone's.
    """
    # A double-submitted form: the second waits, then finds the first's subscriber.
    locks.hold(*(f"subscriber:{station_id}:{key}" for key in (data.email, data.phone) if key))
    by_email, by_phone = _find(station_id, data.email, data.phone)
    subscriber = by_email or by_phone
    if subscriber is None:
        subscriber = Subscriber(
            station_id=station_id,
            email=data.email,
            phone=data.phone,
            name=data.name,
            email_status="unsubscribed",
            sms_status="unsubscribed",
            tags=[],
            source=data.source[:32],
        )
        db.session.add(subscriber)
        by_email = subscriber if data.email else None
        by_phone = subscriber if data.phone else None
    elif subscriber.email_status != "subscribed" and subscriber.sms_status != "subscribed":
        # Fill in what a still unconfirmed row lacks; never take an address another subscriber
        # holds. A confirmed subscriber is changed by nobody who merely knows their address.
        if data.email and subscriber.email is None and by_email is None:
            subscriber.email, by_email = data.email, subscriber
        if data.phone and subscriber.phone is None and by_phone is None:
            subscriber.phone, by_phone = data.phone, subscriber
        if data.name:
            subscriber.name = data.name
    _merge_tags(subscriber, data.tags)
    db.session.flush()
    _link_people(subscriber)

    email_outcome = sms_outcome = "not_requested"
    if data.email_consent and by_email is not None:
        if by_email.email_status == "subscribed":
            email_outcome = "already_subscribed"
        elif by_email.email_status == "pending" and _asked_recently(by_email):
            email_outcome = "confirmation_sent"  # the last one is on its way: no email bombing
        else:
            by_email.email_status = "pending"
            consent = record(by_email, "email", True, data.email_consent_text, f"{data.source}.subscribe", ip)
            db.session.flush()
            # The confirmation email goes out after commit, at most once (one row per request).
            emit(
                "newsletter.send_confirmation",
                key=f"newsletter.confirm:{consent.id}",
                station_id=station_id,
                subscriber_id=by_email.id,
                consent_id=consent.id,
            )
            email_outcome = "confirmation_sent"
    if data.sms_consent and by_phone is not None:
        if by_phone.sms_status != "subscribed":
            by_phone.sms_status = "subscribed"
            record(by_phone, "sms", True, data.sms_consent_text, f"{data.source}.subscribe", ip)
        sms_outcome = "subscribed"
    db.session.flush()
    return SignUpResult(subscriber, email_outcome, sms_outcome)


def _asked_recently(subscriber: Subscriber) -> bool:
    """Whether a confirmation email was asked for within CONFIRM_RESEND_AFTER."""
    last = db.session.scalar(
        select(func.max(SubscriptionConsent.recorded_at)).where(
            SubscriptionConsent.subscriber_id == subscriber.id,
            SubscriptionConsent.channel == "email",
            SubscriptionConsent.granted.is_(True),
        )
    )
    return last is not None and last > utcnow() - CONFIRM_RESEND_AFTER


def signup_text(subscriber: Subscriber) -> str:
    """The consent text the person agreed to when they asked for the newsletter by email."""
    text = db.session.scalar(
        select(SubscriptionConsent.text)
        .where(
            SubscriptionConsent.subscriber_id == subscriber.id,
            SubscriptionConsent.channel == "email",
            SubscriptionConsent.granted.is_(True),
        )
        .order_by(SubscriptionConsent.recorded_at.desc(), SubscriptionConsent.id.desc())
        .limit(1)
    )
    return text or ""


def confirm(subscriber: Subscriber, *, ip: str | None) -> bool:
    """The double opt-in: pending -> subscribed with its ledger row; False when not pending."""
    if subscriber.email_status != "pending":
        return False
    subscriber.email_status = "subscribed"
    subscriber.confirmed_at = utcnow()
    record(subscriber, "email", True, f"Confirmed by the emailed link: {signup_text(subscriber)}", "email.confirm", ip)
    db.session.flush()
    return True


def unsubscribe(subscriber: Subscriber, channel: str, *, text: str, source: str, ip: str | None) -> bool:
    """Withdraw consent on one channel; False when it was not given. The unsubscribe counts
    for the latest campaign this subscriber got on that channel (the one they answer),
    not for every campaign they ever got."""
    status_field = f"{channel}_status"
    if getattr(subscriber, status_field) == "unsubscribed":
        return False
    setattr(subscriber, status_field, "unsubscribed")
    record(subscriber, channel, False, text, source, ip)
    now = utcnow()
    latest = (
        select(Campaign.id)
        .join(CampaignRecipient, CampaignRecipient.campaign_id == Campaign.id)
        .where(
            CampaignRecipient.subscriber_id == subscriber.id,
            Campaign.channel == channel,
            Campaign.started_at.is_not(None),
        )
        .order_by(Campaign.started_at.desc(), Campaign.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    db.session.execute(
        update(CampaignRecipient)
        .where(
            CampaignRecipient.subscriber_id == subscriber.id,
            CampaignRecipient.unsubscribed_at.is_(None),
            CampaignRecipient.campaign_id == latest,
        )
        .values(unsubscribed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return True


def stop_sms_for_phone(station_id: int, phone: str) -> int:
    """An SMS STOP from this number: unsubscribe the station's subscriber with it (0 or 1).

    For the Twilio inbound webhook, next to the customer's STOP record.
    """
    subscriber = db.session.scalar(
        select(Subscriber).where(Subscriber.station_id == station_id, Subscriber.phone == phone)
    )
    if subscriber is None:
        return 0
    return int(unsubscribe(subscriber, "sms", text="Replied STOP by SMS: no more texts.", source="sms.stop", ip=None))
