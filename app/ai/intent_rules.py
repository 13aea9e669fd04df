"""What the labelling guide says, applied after the offline model: the lines between close intents.

The model is good at "this is about a party" and weak at the guide's lines inside that
family, which are about words, not topics (app/ai/labels.py):
- a party message asking what it costs is `quote_request`; one asking whether a date
  is free is `availability`; one making the booking is `booking_request`;
- changing a booking's guest count is `booking_request`, moving its date or time is
  `reschedule`;
- deposits and ways to pay are `payment`, gratuity and the service area `general_faq`,
  upgrade and travel prices `quote_request`, slot times `availability`;
- praise is `feedback` (slang included: "killed it", "was sick"), instructions aimed
  at the assistant are `other`.
Each rule reads the concepts of app.ai.concepts and the questions and changes of
app.ai.understanding, in English, Spanish and French alike.
"""

from __future__ import annotations

import re
from datetime import date

from app.ai.concepts import concepts
from app.ai.understanding import change as changes
from app.ai.understanding import dates, questions
from app.ai.understanding.text import normalise, prepare

PARTY_FAMILY = frozenset({"booking_request", "quote_request", "availability"})
_BOOK_VERB = re.compile(
    r"\b(?:book|booking|reserve|lock\s+(?:us|it)\s+in|sign\s+us\s+up|count\s+(?:us|me)\s+in|confirm|pencil\s+us\s+in"
    r"|put\s+us\s+down|(?:get|put)\s+(?:it|us)\s+on\s+(?:the|your)\s+calendar|we'?(?:d|ll)\s+(?:like|love)\s+to\s+"
    r"(?:have|book|get)|i'?d\s+like\s+to\s+(?:book|have|set\s+up)|how\s+do\s+i\s+book|reservar|apartar|agendar|queremos\s+reservar"
    r"|nos\s+gustaria\s+reservar|reserver|reservez|on\s+voudrait\s+reserver|nous\s+aimerions\s+reserver|on\s+reserve)\b"
)
_AVAILABLE = re.compile(
    r"\b(?:available|availability|are\s+you\s+(?:free|open)|open\s+on|anything\s+open|do\s+you\s+have|can\s+(?:you|u|we)\s+do"
    r"|can\s+you\s+(?:take|fit)|doable|possible|any\s+(?:openings|dates)|free\s+on|disponible|disponibilidad"
    r"|tienen\s+(?:lugar|disponible)|se\s+puede|hay\s+(?:lugar|fecha)|libre|dispo|c\s?est\s+possible|vous\s+faites|il\s+reste)\b"
)
_PRICE = re.compile(
    r"\$|\b(?:how\s+much|price|pricing|priced|cost|costs|quote|estimate|total|charge|rates?|budget|damage|grand|dollars|bucks"
    r"|cuanto|cuanta|precio|cuesta|cobran?|cotiza\w*|presupuesto|combien|prix|tarif|devis|coute)\b"
)
_OWED = re.compile(r"\b(?:owe|balance|remaining|still\s+due|debo|debemos|saldo|reste\s+a\s+payer|solde|dois|devons)\b")
_PAYMENT_TOPICS = {"deposit", "payment_methods"}
_FAQ_TOPICS = {"gratuity", "setup", "rain", "duration"}


def refine(intent: str, text: str, language: str) -> str:
    """The intent the guide gives the message, starting from the model's."""
    plain = normalise(text)
    found = set(concepts(plain, text))
    if "~injection" in found:
        return "other"
    praise = "~praise" in found and not ({"~problem", "~sarcasm"} & found)
    if praise and (intent == "complaint" or (intent in PARTY_FAMILY | {"other"} and "?" not in text)):
        return "feedback"  # "you guys killed it on Saturday" is about a party that was
    prepared = prepare(text, language)
    change = changes.read(prepared)
    topics = set(questions.topics(prepared))
    if change is not None and change.refers_to_booking and intent in PARTY_FAMILY | {"reschedule", "cancellation"}:
        if change.adds_guests or (change.new_total and not change.move):
            return "booking_request"
        if change.move:
            return "reschedule"
    if intent not in PARTY_FAMILY | {"general_faq", "menu_dietary", "payment", "cancellation", "other"}:
        return intent
    priced = bool(_PRICE.search(prepared))
    if change is not None and change.move and intent in PARTY_FAMILY:
        return "reschedule"
    refund_question = "refund" in topics or "~cancel" in found
    about_paying = bool(topics & _PAYMENT_TOPICS or _OWED.search(prepared))
    if about_paying and not refund_question and intent in PARTY_FAMILY | {"cancellation", "general_faq", "other"}:
        return "payment"
    if topics & _FAQ_TOPICS and not priced and intent in PARTY_FAMILY | {"other"}:
        return "general_faq"
    if "gratuity" in topics:
        return "general_faq"
    if any(t.startswith(("upgrade:", "add_on:")) for t in topics) or ("travel" in topics and priced):
        return "quote_request"
    if topics & {"price_adult", "price_child", "minimum"} and intent in PARTY_FAMILY | {"general_faq", "other"}:
        return "quote_request"
    if "slots" in topics and intent in PARTY_FAMILY | {"general_faq", "menu_dietary", "other"}:
        return "availability"
    if intent not in PARTY_FAMILY:
        return intent
    if priced:
        return "quote_request"
    if _AVAILABLE.search(prepared):
        return "availability"
    if _BOOK_VERB.search(prepared):
        return "booking_request"
    if "?" in text and dates.mentions(prepared, date.today(), language):
        return "availability"  # "3/21 for 20?", "still open the 27th?": is that day free
    return intent
