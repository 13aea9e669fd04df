"""Escalation alerts: the station's managers get an email when a message is escalated.

`escalated()` runs inside the classify step; it only emits the outbox job, so the alert
is written and sent (at most once per message and manager) by the notifications queue.
"""

from __future__ import annotations

from app.extensions import db
from app.jobs import outbox
from app.jobs.registry import job
from app.models.conversation import CHANNEL_LABELS, Conversation, Message
from app.models.station import Station
from app.notifications import compose
from app.notifications.staff import email_managers


def escalated(conversation: Conversation, message: Message) -> None:
    outbox.emit(
        "conversations.escalation_alert",
        key=f"escalation-{message.id}",
        station_id=conversation.station_id,
        message_id=message.id,
    )


@job("conversations.escalation_alert", queue="notifications")
def escalation_alert(message_id: int) -> dict[str, int]:
    """Email each manager of the station about an escalated message, once."""
    message = db.session.get(Message, message_id)
    if message is None:
        return {}
    conversation = message.conversation
    station = db.session.get(Station, conversation.station_id)
    who = conversation.display_name
    channel = CHANNEL_LABELS[conversation.channel]
    reasons = ", ".join(reason.replace("_", " ") for reason in (message.escalation_reasons or [])) or "flagged"
    url = compose.public_url("inbox.conversation", station_slug=station.slug, conversation_id=conversation.id)
    return email_managers(
        station,
        key=f"escalation:{message.id}",
        kind="conversation_escalated",
        subject=f"Escalated {channel} message from {who}",
        body=(
            f"{who} wrote on {channel} to {station.name}:\n\n"
            f"{message.body[:1500]}\n\n"
            f"Why it is escalated: {reasons}.\n"
            f"No reply goes out before a manager approves one. Open the conversation:\n{url}\n"
        ),
    )
