"""Everything a customer's message states, in one record: party, date, time, place, questions, changes.

    understanding = understand(text, today, "es", station_zip="30313", upgrades=..., add_ons=...)

Pure: no database. Each field is None when the text does not state it plainly; a draft
that asks "which date?" costs a message, a draft that guesses a date costs a booking.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from app.ai.understanding import change as changes
from app.ai.understanding import clock, dates, party, places, questions
from app.ai.understanding.text import prepare

# "to the 25th", "al 25", "au 2 janvier", "para el 19": the date a change moves to.
_TO_DATE = re.compile(r"\b(?:to|till|until|al|a|au|para\s+el|pour\s+le|hasta\s+el|->)\s*$")


@dataclass(frozen=True)
class Facts:
    guests: int | None = None  # everyone, little ones included
    adults: int | None = None  # a bare head count is read as adults
    adults_stated: bool = False  # "10 adults", not "10 people"
    children: int | None = None
    toddlers: int | None = None
    event_date: date | None = None
    zip_code: str | None = None
    time_of_day: str | None = None  # "HH:MM", station-local
    day_part: str | None = None  # evening | afternoon | midday
    town: tuple[str, str] | None = None  # (name, its ZIP) named in a travel question
    date_conflict: tuple[int, date] | None = None  # the weekday and the date written, which disagree
    party_range: bool = False  # "20-25 people": a range, not a count

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["event_date"] = self.event_date.isoformat() if self.event_date else None
        data["town"] = list(self.town) if self.town else None
        conflict = self.date_conflict
        data["date_conflict"] = {"weekday": conflict[0], "date": conflict[1].isoformat()} if conflict else None
        return data


@dataclass(frozen=True)
class Understanding:
    facts: Facts
    questions: tuple[str, ...] = ()
    change: changes.ChangeRequest | None = None
    asks: bool = False  # the message asks something (a question mark or question words)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "facts": self.facts.as_dict(),
            "questions": list(self.questions),
            "change": self.change.as_dict() if self.change else None,
        }


def _event_date(text: str, today: date, language: str, moving: bool) -> tuple[date | None, tuple[int, date] | None]:
    """The date asked for, and a weekday/date conflict when that is all there is."""
    found = dates.mentions(text, today, language)
    valid = [mention for mention in found if mention.day is not None]
    conflicts = [mention for mention in found if mention.conflict is not None]
    if moving and len({mention.day for mention in valid}) > 1:
        # "from the 16th to the 23rd", "tenemos reserva el 18, ¿podemos cambiarla al 25?": the date moved to.
        targets = [mention for mention in valid if _TO_DATE.search(text[: mention.start])]
        return (targets[-1] if targets else valid[-1]).day, None
    if not valid:
        return None, conflicts[0].conflict if conflicts else None
    strongest = max(mention.strength for mention in valid)
    if conflicts and max(mention.strength for mention in conflicts) >= strongest:
        return None, conflicts[0].conflict
    days = {mention.day for mention in valid if mention.strength == strongest}
    if len(days) != 1:
        return None, None  # "the 14th or the 21st?": a person asks which
    day = days.pop()
    weak = [mention.day for mention in valid if mention.strength == dates.RELATIVE and mention.day != day]
    if strongest > dates.RELATIVE and any(other.weekday() != day.weekday() for other in weak):
        return None, None  # "Presidents Day, the Monday" agrees; "the 14th, this Friday" may not
    return day, None


def read_facts(text: str, today: date, language: str, *, station_zip: str = "", moving: bool = False) -> Facts:
    """The facts of one prepared message."""
    size = party.read(text)
    day, conflict = _event_date(text, today, language, moving)
    return Facts(
        guests=size.guests,
        adults=size.adults,
        adults_stated=size.adults_stated,
        children=size.children,
        toddlers=size.toddlers,
        event_date=day,
        zip_code=places.zip_code(text),
        time_of_day=clock.start_time(text),
        day_part=clock.day_part(text),
        town=places.town(text, station_zip) if station_zip else None,
        date_conflict=conflict,
        party_range=size.range_given,
    )


def understand(
    text: str,
    today: date,
    language: str,
    *,
    station_zip: str = "",
    upgrades: Iterable[tuple[str, str]] = (),
    add_ons: Iterable[tuple[str, str]] = (),
) -> Understanding:
    """Facts, questions and any change to a booking stated in one customer message."""
    prepared = prepare(text, language)
    change = changes.read(prepared)
    asked = questions.topics(prepared, upgrades=upgrades, add_ons=add_ons)
    # A town only matters to a travel question ("do you come out to Macon?").
    travel = "travel" in asked or bool(questions.TRAVEL_TO_TOWN.search(prepared))
    facts = read_facts(
        prepared, today, language, station_zip=station_zip if travel else "", moving=bool(change and change.move)
    )
    if facts.town and "travel" not in asked:
        asked.append("travel")
    return Understanding(facts=facts, questions=tuple(asked), change=change, asks=questions.is_question(prepared))


def merge(newest: Facts, earlier: Iterable[Facts]) -> Facts:
    """The newest message's facts, gaps filled from earlier messages (newest first).

    The party is taken whole from one message: "12 people" today and "3 kids" last week
    do not add up to anything the customer said.
    """
    merged = newest
    for older in earlier:
        updates: dict[str, Any] = {}
        if merged.guests is None and merged.children is None and older.guests is not None:
            updates.update(guests=older.guests, adults=older.adults, children=older.children, toddlers=older.toddlers,
                           adults_stated=older.adults_stated)  # fmt: skip
        for name in ("event_date", "zip_code", "time_of_day"):
            if getattr(merged, name) is None and getattr(older, name) is not None:
                updates[name] = getattr(older, name)
        if updates:
            merged = replace(merged, **updates)
    return merged
