"""What the labelling guide says, applied after the offline model: the lines between close intents.

The model is good at "this is about a party" and weak at the guide's lines inside that
family, which are about words, not topics (app/ai/labels.py):
- a party message asking what it costs is `quote_request`; one asking whether a date
  is free is `availability`; one making the booking is `booking_request`;
- changing a booking's guest count is `booking_request`, moving its date or time is
  `reschedule`;
- deposits and ways to pay are `payment`, gratuity and the service area `general_faq`,
  upgrade and travel prices `quote_request`, slot times `availability`;
- praise is `feedback` (slang included: "killed it", "was sick"), sarcasm about what went
  wrong is `complaint` ("great service, an hour late 👏"), instructions aimed at the
  assistant and sales pitches are `other`;
- a booking made with its date or party is `booking_request` even when it also asks how
  to pay the deposit; a "can you do <date>?" the model took for a FAQ is `availability`.
Each rule reads the concepts of app.ai.concepts and the questions and changes of
app.ai.understanding, in English, Spanish and French alike.
"""

from __future__ import annotations

import re
from datetime import date

from app.ai.concepts import concepts
from app.ai.tone import something_went_wrong
from app.ai.understanding import change as changes
from app.ai.understanding import dates, party, questions
from app.ai.understanding.text import normalise, prepare

PARTY_FAMILY = frozenset({"booking_request", "quote_request", "availability"})
_BOOK_VERB = re.compile(
    r"\b(?:book|booking|reserve|lock\s+(?:us|it)\s+in|sign\s+us\s+up|count\s+(?:us|me)\s+in|confirm|pencil\s+us\s+in"
    r"|put\s+us\s+down|(?:get|put)\s+(?:it|us)\s+on\s+(?:the|your)\s+calendar|we'?(?:d|ll)\s+(?:like|love)\s+to\s+"
    r"(?:have|book|get)|i'?d\s+like\s+to\s+(?:book|have|set\s+up)|how\s+do\s+i\s+book|reservar|apartar|agendar|queremos\s+reservar"
    r"|nos\s+gustaria\s+reservar|reserver|reservez|on\s+voudrait\s+reserver|nous\s+aimerions\s+reserver|on\s+reserve)\b"
)
# An explicit request to book, which outranks "if possible" / "any chance" in the same message.
_BOOK_REQUEST = re.compile(
    r"\b(?:(?:can|could|may)\s+(?:we|i|u|you)\s+(?:please\s+)?(?:book|reserve|schedule)|(?:please|pls|plz)\s+(?:book|reserve)"
    r"|book\s+us|(?:i|we)(?:'?d|\s+would)\s+(?:like|love)\s+to\s+(?:book|reserve|schedule)"
    r"|(?:i|we)(?:'?d|\s+would)\s+(?:like|love)\s+(?:a|an|to\s+have\s+a|to\s+get\s+a)\s+(?:\w+\s+)?chef"
    r"|(?:want|wanna)\s+to\s+(?:book|reserve)|(?:quiero|queremos|quisiera|quisieramos|nos\s+gustaria)\s+(?:reservar|apartar|agendar)"
    r"|(?:je|nous|on)\s+(?:voudrais|voudrions|voudrait|souhaite|souhaitons|aimerions|aimerait|veut|voulons)\s+reserver)\b"
)
_AVAILABLE = re.compile(
    r"\b(?:available|availability|are\s+you\s+(?:free|open)|open\s+on|anything\s+open|do\s+you\s+have|can\s+(?:you|u|we)\s+do"
    r"|can\s+you\s+(?:take|fit)|doable|possible|any\s+(?:openings|dates)|free\s+on|disponible|disponibilidad"
    r"|tienen\s+(?:lugar|disponible)|se\s+puede|hay\s+(?:lugar|fecha)|libre|dispo|c\s?est\s+possible|vous\s+faites|il\s+reste)\b"
)
_PRICE = re.compile(
    r"\$|\binfo(?:rmation|rmacion|rmations)?\s+(?:para|for|pour|sobre|on|about)\s+(?:a|an|una|une|un|the|la|el|party|fiesta)\b"
    r"|\b(?:how\s+much|price|pricing|priced|cost|costs|quote|estimate|total|charge|rates?|budget|damage|grand|dollars|bucks"
    r"|cuanto|cuanta|precio|cuesta|cobran?|cotiza\w*|presupuesto|combien|prix|tarif|devis|coute)\b"
)
_OWED = re.compile(r"\b(?:owe|balance|remaining|still\s+due|debo|debemos|saldo|reste\s+a\s+payer|solde|dois|devons)\b")
_PAYMENT_TOPICS = {"deposit", "payment_methods"}
# A pitch to the business, not a customer: agencies, followers, phishing.
_PITCH = re.compile(
    r"\b(?:(?:marketing|seo|digital)\s+agency|agencia\s+de\s+(?:marketing|publicidad)|agence\s+(?:de\s+)?(?:marketing|web|seo)"
    r"|seo\s+services|grow\s+your\s+(?:business|followers|instagram|sales)|(?:more|get)\s+(?:followers|leads)"
    r"|aumentar\s+(?:sus|tus)\s+(?:seguidores|ventas|clientes)|plus\s+d(?:e\s+|\W?)(?:abonnes|clients)|nous\s+proposons\s+des\s+services"
    r"|verify\s+your\s+account|account\s+(?:has\s+been\s+)?suspended|click\s+here"
    r"|job\s+openings?|(?:are\s+you|you\s+guys|y'?all)\s+hiring|looking\s+for\s+(?:a\s+)?(?:job|work)|apply\s+for\s+(?:a|the)\s+job"
    r"|(?:buscan|necesitan)\s+(?:personal|cocineros|meseros)|vacantes?|(?:vous\s+)?recrutez|offre\s+d\W?emploi|candidature\s+spontanee)\b"
)
# Words of a message about a party that has happened: without one, "feedback" is an n-gram's guess.
_AFTER_THE_PARTY = frozenset({"~praise", "~thanks", "~past_event", "~problem", "~negated_praise", "~sarcasm"})
_FEEDBACK_WORDS = re.compile(
    r"\b(?:review|feedback|suggest\w*|next\s+time|one\s+thought|recommend\w*|resena|opinion|sugerencia|sugiero|la\s+proxima"
    r"|avis|suggestion|la\s+prochaine\s+fois|recommand\w*|enjoyed|disfrut\w*|apprecie)\b"
)
# "on a une réservation ... on peut la passer à 18h": a booking the customer has, and a move of it.
_HAS_BOOKING = re.compile(
    r"\b(?:we\s+(?:have|booked)|our\s+(?:booking|reservation|party)|tenemos\s+(?:una\s+)?reserva|nuestra\s+reserva"
    r"|on\s+a\s+(?:une\s+)?reservation|nous\s+avons\s+(?:une\s+)?reservation|notre\s+reservation|ma\s+reservation)\b"
)
_MOVE_TO = re.compile(
    r"\b(?:move|push|switch|change)\s+(?:it|that|this)?\s*to\b|\b(?:pasar|cambiar|mover)(?:la|lo)?\s+(?:a|para)\b"
    r"|\b(?:la|le)\s+(?:passer|mettre|decaler|deplacer)\s+a\b|\bpasser\s+a\s+\d"
)
_FAQ_TOPICS = {"gratuity", "setup", "rain", "duration"}


def refine(intent: str, text: str, language: str) -> str:
    """The intent the guide gives the message, starting from the model's."""
    plain = normalise(text)
    found = set(concepts(plain, text))
    if "~injection" in found or _PITCH.search(plain):
        return "other"
    praise = "~praise" in found and not ({"~problem", "~sarcasm", "~negated_praise"} & found)
    if praise and (intent == "complaint" or (intent in PARTY_FAMILY | {"other"} and "?" not in text)):
        return "feedback"  # "you guys killed it on Saturday" is about a party that was
    if "~sarcasm" in found and "~problem" in found and intent in PARTY_FAMILY | {"feedback", "other"}:
        return "complaint"  # "génial, vraiment... merci pour rien 🙄"
    prepared = prepare(text, language)
    change = changes.read(prepared)
    topics = set(questions.topics(prepared))
    if change is not None and change.refers_to_booking and intent in PARTY_FAMILY | {"reschedule", "cancellation"}:
        if change.adds_guests or (change.new_total and not change.move):
            return "booking_request"
        if change.move:
            return "reschedule"
    if _HAS_BOOKING.search(prepared) and _MOVE_TO.search(prepared) and intent in PARTY_FAMILY | {"general_faq"}:
        return "reschedule"
    if intent not in PARTY_FAMILY | {"general_faq", "menu_dietary", "payment", "cancellation", "other"}:
        return intent
    priced = bool(_PRICE.search(prepared))
    if change is not None and change.move and intent in PARTY_FAMILY:
        return "reschedule"
    refund_question = "refund" in topics or "~cancel" in found
    about_paying = bool(topics & _PAYMENT_TOPICS or _OWED.search(prepared))
    paying_family = PARTY_FAMILY | {"cancellation", "general_faq", "other"}
    if about_paying and not refund_question and intent in paying_family and not _books_now(prepared, language):
        return "payment"
    if topics & _FAQ_TOPICS and not priced and intent in PARTY_FAMILY | {"other"}:
        return "general_faq"
    if "gratuity" in topics and not about_paying:
        return "general_faq"
    if any(t.startswith(("upgrade:", "add_on:")) for t in topics) or ("travel" in topics and priced):
        return "quote_request"
    if topics & {"price_adult", "price_child", "minimum"} and intent in PARTY_FAMILY | {"general_faq", "other"}:
        return "quote_request"
    if "slots" in topics and intent in PARTY_FAMILY | {"general_faq", "menu_dietary", "other"}:
        return "availability"
    if intent in ("general_faq", "other", "menu_dietary") and _states_the_party(prepared, language):
        if priced:
            return "quote_request"  # "what would 24 guests cost, travel included?"
        if _AVAILABLE.search(prepared) and intent != "menu_dietary":
            return "availability"  # "vous faites la Saint-Valentin ? on serait 6, le 14"
    if intent not in PARTY_FAMILY:
        return intent
    if priced:
        return "quote_request"
    if _BOOK_REQUEST.search(prepared):
        return "booking_request"  # "can we book Christmas Eve... if possible?" asks to book, not whether it is free
    if _AVAILABLE.search(prepared):
        return "availability"
    if _BOOK_VERB.search(prepared):
        return "booking_request"
    if "?" in text and dates.mentions(prepared, date.today(), language):
        return "availability"  # "3/21 for 20?", "still open the 27th?": is that day free
    return intent


def has_evidence(intent: str, text: str, language: str, emotion: str) -> bool:
    """Whether the words back the model's intent where n-grams alone mislead: a complaint needs something that went
    wrong, a question read as feedback needs a party that was, a reschedule needs a move ("can we do the 14th?" with
    no booking named asks whether a day is free)."""
    if intent == "complaint":
        return something_went_wrong(text, emotion)
    if intent == "feedback" and questions.is_question(normalise(text)):  # "can the chef make extra noodles?"
        plain = normalise(text)
        return bool(_AFTER_THE_PARTY & set(concepts(plain, text)) or _FEEDBACK_WORDS.search(plain))
    if intent == "reschedule":
        prepared = prepare(text, language)
        change = changes.read(prepared)
        plain = normalise(text)
        moved = change is not None and (change.move or change.refers_to_booking)
        return bool(
            "~move" in concepts(plain, text) or moved or _MOVE_TO.search(prepared) or _HAS_BOOKING.search(prepared)
        )
    return True


def _books_now(prepared: str, language: str) -> bool:
    """ "Book us for the 20th, 22 adults... how do I pay the deposit?": a booking first, a payment question second."""
    return bool(_BOOK_VERB.search(prepared)) and _states_the_party(prepared, language)


def _states_the_party(prepared: str, language: str) -> bool:
    """A date or a head count: the message is about one party, not a general question."""
    return bool(dates.mentions(prepared, date.today(), language)) or party.read(prepared).guests is not None
