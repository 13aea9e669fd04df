"""Conversations: one thread per customer contact and channel, its messages and AI drafts.

- `Conversation`: a station's thread with one contact on one channel (an E.164 number,
  an Instagram-scoped user id, an email address or thread, a web chat visitor token).
  Labels of the latest inbound message are copied onto it so the inbox can sort and
  filter without joining messages.
- `Message`: one inbound or outbound message. Inbound rows are deduplicated by
  (channel, provider_id): a webhook delivered twice stores one row.
- `Draft`: a reply prepared for a conversation, by the AI job or written by staff. The
  generated text is never overwritten: `body` is what was generated, `edited_body` what
  staff proposed, `sent_body` what left. Edit distance and acceptance follow from them.
- `KnowledgeEntry` and `CannedReply`: what the manager keeps for drafts and quick replies.
- `LabelCorrection`: a staff correction of a message's intent or emotion, the training
  data for the offline classifier.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import StationScoped, TimestampMixin, UTCDateTime, utcnow
from app.models.delivery import DeliveryState, unfinished_index

# "review": a customer's review, answered publicly through the same draft / approve flow.
CHANNELS = ("sms", "instagram", "email", "webchat", "review")
CHANNEL_LABELS = {"sms": "SMS", "instagram": "Instagram", "email": "Email", "webchat": "Web chat", "review": "Review"}
DRAFT_STATES = ("generating", "ready", "failed", "sending", "sent", "rejected", "superseded")
# Drafts still open for a decision; at most one per conversation (a partial unique index).
OPEN_DRAFT_STATES = ("generating", "ready", "failed")


class Conversation(StationScoped, TimestampMixin, db.Model):
    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("station_id", "channel", "contact"),
        # The inbox order: escalated first, then the oldest unanswered customer message.
        Index("ix_conversations_inbox", "station_id", "status", "escalated", "last_inbound_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(12))  # sms | instagram | email | webchat
    # Who we talk to on that channel: E.164 number, IGSID, lower-cased email, chat token.
    contact: Mapped[str] = mapped_column(String(255))
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    subject: Mapped[str] = mapped_column(String(255), default="")  # email threads
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"), index=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | closed
    unread: Mapped[int] = mapped_column(Integer, default=0)
    # Labels of the latest inbound message (copied for sorting and badges).
    intent: Mapped[str | None] = mapped_column(String(32))
    emotion: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when we answer after the customer's last message: the SLA timer stops.
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_preview: Mapped[str] = mapped_column(String(160), default="")

    customer = relationship("Customer")
    lead = relationship("Lead")
    messages = relationship(
        "Message", back_populates="conversation", order_by="Message.created_at, Message.id", lazy="select"
    )

    @property
    def display_name(self) -> str:
        """Who staff see: the name we know, else the address; never a web chat token (a credential)."""
        if self.contact_name:
            return self.contact_name
        if self.customer is not None:
            return self.customer.name
        if self.channel in ("webchat", "review"):
            return "Web chat visitor" if self.channel == "webchat" else "Reviewer"
        return self.contact

    @property
    def awaiting_reply(self) -> bool:
        return self.last_inbound_at is not None and (
            self.answered_at is None or self.answered_at < self.last_inbound_at
        )


class Message(DeliveryState, StationScoped, db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        # Webhooks are delivered at least once: one row per provider message.
        Index(
            "uq_messages_channel_provider_id",
            "channel",
            "provider_id",
            unique=True,
            postgresql_where=text("provider_id IS NOT NULL"),
            sqlite_where=text("provider_id IS NOT NULL"),
        ),
        Index("ix_messages_conversation_created", "conversation_id", "created_at"),
        unfinished_index("messages"),  # outbound replies still to send (the delivery sweep)
        # Analytics: volume, escalations and response times by period.
        Index(
            "ix_messages_station_created",
            "station_id",
            "created_at",
            postgresql_include=["id", "conversation_id", "direction", "channel", "intent", "escalate"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(12))
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    body: Mapped[str] = mapped_column(Text, default="")
    # provider_id: Twilio MessageSid, Meta mid, email Message-ID, web chat client id; ours once sent.
    in_reply_to: Mapped[str | None] = mapped_column(String(255))  # email threading
    # Inbound: received. Outbound: the delivery states (app.models.delivery), sent by app.delivery.
    status: Mapped[str] = mapped_column(String(16), default="received")
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id", ondelete="SET NULL", use_alter=True))
    # Inbound labels, from the classifier (or a staff correction).
    intent: Mapped[str | None] = mapped_column(String(32))
    emotion: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    escalate: Mapped[bool] = mapped_column(Boolean, default=False)
    escalation_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    confidence: Mapped[float | None] = mapped_column(Float)
    classifier: Mapped[str | None] = mapped_column(String(40))
    labels_corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # raw extras: media, headers
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    conversation = relationship("Conversation", back_populates="messages")
    sent_by = relationship("User", foreign_keys=[sent_by_id])


class Draft(StationScoped, TimestampMixin, db.Model):
    __tablename__ = "drafts"
    __table_args__ = (
        Index(
            "uq_drafts_one_open_per_conversation",
            "conversation_id",
            unique=True,
            postgresql_where=text("status IN ('generating', 'ready', 'failed')"),
            sqlite_where=text("status IN ('generating', 'ready', 'failed')"),
        ),
        Index("ix_drafts_station_intent_status", "station_id", "intent", "status"),
        Index(
            "ix_drafts_station_decided",
            "station_id",
            "decided_at",
            postgresql_include=["status", "source", "intent", "accepted_unchanged", "edit_distance"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    # The inbound message this answers (None for a reply staff started by hand).
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="generating")
    source: Mapped[str] = mapped_column(String(12), default="ai")  # ai | staff | canned
    generator: Mapped[str] = mapped_column(String(60), default="")  # offline-pipeline-2 | openai:<model>
    intent: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text, default="")  # as generated; never overwritten
    edited_body: Mapped[str | None] = mapped_column(Text)  # staff's proposal
    sent_body: Mapped[str | None] = mapped_column(Text)
    # What the draft was grounded in: quote, availability, knowledge entries, examples, tools.
    grounding: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_microdollars: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edit_distance: Mapped[int | None] = mapped_column(Integer)  # body -> sent_body, characters
    accepted_unchanged: Mapped[bool | None] = mapped_column(Boolean)

    conversation = relationship("Conversation")
    message = relationship("Message", foreign_keys=[message_id])
    edited_by = relationship("User", foreign_keys=[edited_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def current_text(self) -> str:
        """What would be sent now: staff's edit if any, else the generated text."""
        return self.edited_body if self.edited_body is not None else self.body


class KnowledgeEntry(StationScoped, TimestampMixin, db.Model):
    """A FAQ answer or policy the drafts may quote; the manager edits them."""

    __tablename__ = "knowledge_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), default="faq")  # faq | policy
    question: Mapped[str] = mapped_column(String(255))
    answer: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class CannedReply(StationScoped, TimestampMixin, db.Model):
    """A quick reply with {variables} (first_name, station_name, station_phone, deposit, ...)."""

    __tablename__ = "canned_replies"
    __table_args__ = (UniqueConstraint("station_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)


class LabelCorrection(StationScoped, db.Model):
    """Staff's corrected labels for one inbound message (one row per message, updated)."""

    __tablename__ = "label_corrections"
    __table_args__ = (UniqueConstraint("message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(12))
    intent: Mapped[str] = mapped_column(String(32))
    emotion: Mapped[str] = mapped_column(String(16))
    previous_intent: Mapped[str | None] = mapped_column(String(32))
    previous_emotion: Mapped[str | None] = mapped_column(String(16))
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
