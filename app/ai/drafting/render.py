"""The fourth stage: the reply's parts laid out in its language and its channel's form.

SMS short and plain; Instagram and web chat short and friendly, with a greeting; email
with a greeting, paragraphs and the station's signature. Optional parts are dropped
(lowest priority first) to stay within the channel's length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.ai.drafting.phrases import phrase
from app.ai.drafting.plan import Part

_NAME = re.compile(r"^[^\W\d_][^\W\d_'’.-]*$")


@dataclass(frozen=True)
class Form:
    limit: int  # characters; optional parts are dropped to stay under it
    greeting: bool
    paragraphs: bool  # one part per paragraph (email) or one running text


FORMS = {
    "sms": Form(limit=320, greeting=False, paragraphs=False),
    "instagram": Form(limit=400, greeting=True, paragraphs=False),
    "webchat": Form(limit=500, greeting=True, paragraphs=False),
    "email": Form(limit=2000, greeting=True, paragraphs=True),
}


def first_name(customer_name: str) -> str:
    """The customer's first name when it looks like one (not a phone number, handle or address)."""
    first = (customer_name or "").strip().split(" ")[0] if customer_name else ""
    return first.capitalize() if _NAME.match(first) and len(first) <= 30 else ""


def greeting(language: str, channel: str, name: str, *, sorry: bool) -> str:
    style = "email" if channel == "email" else ("sorry" if sorry else "casual")
    key = f"greet_{style}" if name else f"greet_{style}_anonymous"
    return phrase(language, key, name=name)


def signature(language: str, station_name: str, phone: str) -> str:
    lines = [phrase(language, "sign_off"), phrase(language, "signature", station=station_name)]
    return "\n".join([*lines, phone] if phone else lines)


def _fit(parts: list[Part], room: int) -> list[Part]:
    """Every essential part, then optional ones (by priority, then in order) while they fit in
    `room` characters; the kept parts stay in their original order."""
    used = sum(len(p.text) + 1 for p in parts if p.essential)
    optional = sorted((i for i, p in enumerate(parts) if not p.essential), key=lambda i: (-parts[i].priority, i))
    dropped = set()
    for index in optional:
        if used + len(parts[index].text) + 1 > room:
            dropped.add(index)
            continue
        used += len(parts[index].text) + 1
    return [part for index, part in enumerate(parts) if index not in dropped]


def render(
    parts: list[Part],
    *,
    channel: str,
    language: str,
    customer_name: str,
    station_name: str,
    phone: str,
    sorry: bool = False,
) -> str:
    """Lay the parts out in the channel's form."""
    form = FORMS.get(channel, FORMS["webchat"])
    name = first_name(customer_name)
    opening = greeting(language, channel, name, sorry=sorry) if form.greeting else ""
    closing = signature(language, station_name, phone) if channel == "email" else ""
    room = form.limit - len(opening) - len(closing) - 4
    texts = [part.text for part in _fit(parts, room)]
    if form.paragraphs:
        # Two sentences a paragraph: one-line paragraphs read like a form letter.
        paragraphs = [" ".join(texts[i : i + 2]) for i in range(0, len(texts), 2)]
        return "\n\n".join(filter(None, [opening, *paragraphs, closing]))
    body = " ".join(filter(None, [opening, *texts]))
    if len(body) > form.limit:  # only essential parts left and still long: cut at a sentence
        cut = body[: form.limit].rsplit(". ", 1)[0]
        body = cut if cut.endswith((".", "?", "!")) else cut + "."
    return body
