"""The classification taxonomy (docs/design.md, "Conversations and AI") and its records.

Labelling guide (the datasets in data/ai/ follow it; data/ai/README.md has examples):

intents
  booking_request  make a booking, confirm one, or change a booking's non-date details
                   (guest count, address, name on it)
  quote_request    what a party would cost: per person, total, travel fee, upgrade prices
  availability     whether a date, slot or chef is free; the next open date
  reschedule       move an existing booking's date or time; the reschedule policy
  cancellation     cancel a booking; the cancellation / deposit-refund policy
  payment          deposit, balance, payment links, methods, receipts, invoices, refunds
                   owed, double charges
  menu_dietary     menu, proteins, sauces, sides, allergies and diets (asking, not a reaction)
  complaint        something went wrong: lateness, food, behaviour, damage, illness, no reply
  feedback         after the event: thanks, praise, reviews, suggestions, mild critique
  general_faq      how the service works: setup, space, equipment, weather, service area,
                   insurance, gratuity customs
  other            greetings with nothing else, wrong numbers, spam, sales pitches, jobs
emotions
  positive  glad, excited, grateful      neutral  matter-of-fact
  negative  disappointed, worried, sad   angry    hostile, accusing, shouting, threatening
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

INTENTS: tuple[str, ...] = (
    "booking_request",
    "quote_request",
    "availability",
    "reschedule",
    "cancellation",
    "payment",
    "menu_dietary",
    "complaint",
    "feedback",
    "general_faq",
    "other",
)
EMOTIONS: tuple[str, ...] = ("positive", "neutral", "negative", "angry")

# Why a message is escalated (app.ai.escalation decides; "model" means the LLM said so).
ESCALATION_REASONS: tuple[str, ...] = (
    "angry",
    "possibly_angry",  # offline: P(angry) high though another emotion won
    "illness",
    "injury",
    "allergy_reaction",
    "legal_threat",
    "chargeback",
    "model",
)

# Marks that do not escalate by themselves: "injection" is a message that tries to instruct the assistant.
FLAGS: tuple[str, ...] = ("injection",)

CHANNELS: tuple[str, ...] = ("sms", "instagram", "email", "chat")
_CHANNEL_ALIASES = {
    "web": "chat",
    "webchat": "chat",
    "web_chat": "chat",
    "web-chat": "chat",
    "ig": "instagram",
    "text": "sms",
    "mail": "email",
}


def normalize_channel(channel: str | None) -> str | None:
    """'web_chat' -> 'chat'; None stays None; an unknown channel raises ValueError."""
    if channel is None:
        return None
    key = str(channel).strip().lower()
    key = _CHANNEL_ALIASES.get(key, key)
    if key not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; use one of {', '.join(CHANNELS)}")
    return key


@dataclass(frozen=True)
class Example:
    """One labelled message: a line of data/ai/*.jsonl or a staff correction."""

    text: str
    intent: str
    emotion: str
    channel: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValueError("text must be a non-empty string")
        if self.intent not in INTENTS:
            raise ValueError(f"unknown intent {self.intent!r}")
        if self.emotion not in EMOTIONS:
            raise ValueError(f"unknown emotion {self.emotion!r}")


@dataclass
class Classification:
    """What a classifier says about one inbound message."""

    intent: str
    emotion: str
    language: str  # ISO 639-1, lower case ("en", "es", ...)
    escalate: bool
    escalation_reasons: list[str] = field(default_factory=list)
    confidence: float = 0.0  # of the intent, 0..1
    classifier: str = "offline"
    flags: list[str] = field(default_factory=list)  # "injection": instructions aimed at the assistant (not escalated)

    def __post_init__(self) -> None:
        if self.intent not in INTENTS:
            raise ValueError(f"unknown intent {self.intent!r}")
        if self.emotion not in EMOTIONS:
            raise ValueError(f"unknown emotion {self.emotion!r}")
        if any(flag not in FLAGS for flag in self.flags):
            raise ValueError(f"unknown flags {self.flags!r}")
        unknown = [reason for reason in self.escalation_reasons if reason not in ESCALATION_REASONS]
        if unknown:
            raise ValueError(f"unknown escalation reasons {unknown!r}")
        self.confidence = min(1.0, max(0.0, float(self.confidence)))

    def to_dict(self) -> dict:
        data = asdict(self)
        data["confidence"] = round(self.confidence, 4)
        return data
