"""Inbound SMS from Twilio's messaging webhook.

Twilio posts the message as a form (From, To, Body, MessageSid, NumMedia, MediaUrlN)
signed with X-Twilio-Signature over the public URL it called. The station is the one
whose `sms_number` is `To`.

Carrier keywords come first: a whole-message STOP (and its synonyms) withdraws SMS
consent, START lifts it, HELP is answered with who we are. Twilio itself blocks
further texts after STOP and sends the carrier's confirmation, so our ledger only has
to agree with it (app.notifications.policy.sms_stopped reads it). Keyword messages
are stored in the conversation too, marked `meta["keyword"]`, and get no AI draft.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from twilio.twiml.messaging_response import MessagingResponse

from app.customers.contact import display_phone, normalise_phone
from app.customers.services import find_match, match_or_create, record_consent
from app.inbox.channels import clean, clip_id, station_by
from app.inbox.inbound import Inbound, receive
from app.models.customer import Customer
from app.models.station import Station
from app.notifications.policy import sms_stopped

log = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# Twilio's default opt-out, opt-in and help keywords (a whole message, any case).
KEYWORDS = {
    **dict.fromkeys(("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"), "stop"),
    **dict.fromkeys(("START", "UNSTOP", "YES"), "start"),
    **dict.fromkeys(("HELP", "INFO"), "help"),
}
CONSENT_TEXT = {
    "stop": "Replied STOP by SMS: no more texts.",
    "start": "Replied START by SMS: texts resumed.",
}
MAX_MEDIA = 10  # Twilio attaches at most ten media to a message


def keyword_of(body: str) -> str | None:
    """The keyword ("stop", "start", "help") when the whole message is a carrier keyword, else None."""
    # People type "Stop." too: honouring more opt-outs than Twilio does errs on the safe side.
    return KEYWORDS.get(body.strip().rstrip(".!").upper())


def help_reply(station: Station) -> str:
    call = f" or call {display_phone(station.phone)}" if station.phone else ""
    return f"{station.name}: reply here with your question{call}. Msg & data rates may apply. Reply STOP to opt out."


def _record_keyword_consent(customer: Customer, keyword: str) -> None:
    record_consent(
        customer,
        channel="sms",
        granted=keyword == "start",
        text=CONSENT_TEXT[keyword],
        source=f"sms.{keyword}",
        ip_address=None,
        purpose="transactional",
    )


def _stopped(station: Station, phone: str | None) -> bool:
    customer = find_match(station.id, None, phone) if phone else None
    return customer is not None and sms_stopped(customer)


def handle(form: Mapping[str, str]) -> str:
    """Store one inbound SMS (a signed Twilio form) and return the TwiML to answer with."""
    station = station_by(Station.sms_number, (form.get("To") or "").strip())
    if station is None:
        log.warning("inbound SMS to %r: no station has that number; dropped", form.get("To"))
        return EMPTY_TWIML
    sender = clean(form.get("From")).strip()[:64]
    sid = clip_id(form.get("MessageSid") or form.get("SmsSid"))
    if not sender or not sid:
        log.warning("inbound SMS without From or MessageSid; dropped")
        return EMPTY_TWIML
    try:
        phone = normalise_phone(sender)
    except ValueError:
        phone = None  # a short code or an alphanumeric sender: kept as it came, matches no one
    body = clean(form.get("Body"))
    keyword = keyword_of(body)
    if keyword == "start" and body.strip().rstrip(".!").upper() == "YES" and not _stopped(station, phone):
        keyword = None  # "Yes" answering our question is a message to draft for, not an opt-in
    customer = None
    if keyword in CONSENT_TEXT and phone:
        # Before the message is stored, so that its conversation is the customer's.
        customer = match_or_create(station.id, name=display_phone(phone), email=None, phone=phone)
    media = [clean(form[f"MediaUrl{n}"]) for n in range(MAX_MEDIA) if form.get(f"MediaUrl{n}")]
    meta = {"media": media, **({"keyword": keyword} if keyword else {})}
    inbound = Inbound(channel="sms", contact=phone or sender, body=body, provider_id=sid, phone=phone, meta=meta)
    _, created = receive(station, inbound)
    # Only a first delivery counts: a retried old STOP must not undo a later START.
    if customer is not None and created:
        _record_keyword_consent(customer, keyword)
        if keyword == "stop":  # the number's newsletter subscriptions stop too
            from app.newsletter.subscriptions import stop_sms_for_phone  # the newsletter builds on the inbox

            stop_sms_for_phone(station.id, phone)
    if keyword == "help":
        reply = MessagingResponse()
        reply.message(help_reply(station))
        return str(reply)
    return EMPTY_TWIML
