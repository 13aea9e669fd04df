"""All models, imported so that Alembic and `db.create_all` see every table."""

from app.models.analytics import ROLLUP_TABLES
from app.models.audit import AuditEntry
from app.models.booking import Booking, BookingEvent, BookingStatus, IdempotencyRecord, SlotLock
from app.models.chef import AvailabilityWindow, Blackout, Chef, TimeOff
from app.models.conversation import (
    CannedReply,
    Conversation,
    Draft,
    KnowledgeEntry,
    LabelCorrection,
    Message,
)
from app.models.customer import ConsentRecord, Customer
from app.models.lead import Lead, LeadEvent, Task
from app.models.newsletter import (
    Campaign,
    CampaignLink,
    CampaignRecipient,
    LinkClick,
    Segment,
    Subscriber,
    SubscriptionConsent,
)
from app.models.outbox import Notification, OutboxMessage
from app.models.payment import CheckoutSession, Payment, Refund
from app.models.qr import QrCode, QrScan
from app.models.review import Review
from app.models.station import Station
from app.models.stripe_event import StripeEvent
from app.models.user import Membership, Role, User

__all__ = [
    "ROLLUP_TABLES",
    "AuditEntry",
    "AvailabilityWindow",
    "Blackout",
    "Booking",
    "BookingEvent",
    "BookingStatus",
    "Campaign",
    "CampaignLink",
    "CampaignRecipient",
    "CannedReply",
    "CheckoutSession",
    "Chef",
    "ConsentRecord",
    "Conversation",
    "Customer",
    "Draft",
    "IdempotencyRecord",
    "KnowledgeEntry",
    "LabelCorrection",
    "Lead",
    "LeadEvent",
    "LinkClick",
    "Membership",
    "Message",
    "Notification",
    "OutboxMessage",
    "Payment",
    "QrCode",
    "QrScan",
    "Refund",
    "Review",
    "Role",
    "Segment",
    "SlotLock",
    "Station",
    "StripeEvent",
    "Subscriber",
    "SubscriptionConsent",
    "Task",
    "TimeOff",
    "User",
]
